"""Tests of townsquare.demo: the seeded demo city."""
