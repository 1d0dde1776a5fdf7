"""Tests of analytics: what it measures and asks."""
