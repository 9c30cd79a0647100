"""ctct benchmarks: `python -m benchmarks.run --size smoke|full` (see benchmarks/README.md)."""
