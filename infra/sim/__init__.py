"""Simulators of outside systems the portal talks to, served by the local cloud under `/sim/`."""
