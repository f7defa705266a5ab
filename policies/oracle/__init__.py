"""Privileged scripted pick-and-place oracle for LIBERO (see docs/oracle.md)."""
