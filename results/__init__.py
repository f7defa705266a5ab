"""Aggregation, tables, plots and regression checks over stored runs (reads only the store schema)."""
