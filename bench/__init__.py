"""Benchmarks of the scaled-out stack (`make bench`); see bench/README.md."""
