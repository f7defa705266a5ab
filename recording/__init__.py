"""Recording policy rollouts as LIBERO-layout demonstration datasets, and reading them back."""
