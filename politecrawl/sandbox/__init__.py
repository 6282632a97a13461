"""A local web of many synthetic sites on 127.0.0.1, for tests, benchmarks and the demo."""
