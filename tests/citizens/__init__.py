"""Tests of townsquare.citizens: the person record, identities, searches and authenticator-app codes."""
