"""Tests of the counters: numbering, calling, the estimated wait and its accuracy."""
