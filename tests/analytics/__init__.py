"""Tests of analytics: touches, folding, journeys, rollups, measures, open data and satisfaction surveys."""
