"""Tests of townsquare.engagement: the one flow every channel's contact goes through."""
