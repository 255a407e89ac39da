"""The credit-sharing node: domain rules, store, service, CLI."""
