"""Tests of townsquare.analytics.open_data: the public export, its anonymisation and its schedule."""
