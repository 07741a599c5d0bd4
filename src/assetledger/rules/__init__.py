"""Pure rule functions: inputs -> (result, findings)."""
