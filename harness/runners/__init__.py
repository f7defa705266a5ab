"""Runners execute episode specs and hand every finished record to the driver's callback."""
