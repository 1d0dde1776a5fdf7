"""Tests of reading scanned post."""
