"""Tests of analytics: touches, folding, journeys, rollups and measures."""
