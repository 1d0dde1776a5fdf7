"""Tests of the matching model: fields, scores equal to Splink's, decisions."""
