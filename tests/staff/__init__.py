"""Tests of townsquare.staff: staff accounts, roles, sessions, API keys and the audit log."""
