"""The composition root: `vla-harness` parses arguments, resolves registry names to targets and calls the core."""
