"""Benchmarks (not tests): speed as ratios to a reference measured in the same run."""
