"""Townsquare's test suite: every test runs against a real database (see conftest.py)."""
