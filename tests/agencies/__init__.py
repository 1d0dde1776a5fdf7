"""Tests of townsquare.agencies: agencies and the service catalogue."""
