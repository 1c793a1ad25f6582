"""Schemathesis against every service's OpenAPI on the started local cloud."""
