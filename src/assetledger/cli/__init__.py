"""The `assetledger` command line: thin wrappers that parse input, call a service and render output."""
