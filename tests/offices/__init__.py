"""Tests of townsquare.places: the address register."""
