"""Tests of townsquare.analytics."""
