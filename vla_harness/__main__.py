"""`python -m vla_harness ...` is the `vla-harness` command."""

from vla_harness.cli.main import main

raise SystemExit(main())
