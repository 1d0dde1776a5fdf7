"""Tests of townsquare.offices: service offices, their counters and services."""
