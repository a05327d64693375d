"""Benchmark tooling for briefly: offline model replicas and timing scripts."""
