"""Tests of the benchmarks' call-centre simulation (bench/routing_simulation.py) against Erlang C."""
