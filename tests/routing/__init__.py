"""Tests of townsquare.routing: the universal queue and the routing engine."""
