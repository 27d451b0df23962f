"""Benchmark of the postmortems checker and site build on a synthetic collection."""
