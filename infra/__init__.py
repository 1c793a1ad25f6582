"""The local cloud and dev tooling."""
