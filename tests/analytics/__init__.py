"""Tests of analytics: touches, folding, journeys, rollups, measures and open data."""
