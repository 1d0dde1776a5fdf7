"""Tests of townsquare.db: column types and the migrations."""
