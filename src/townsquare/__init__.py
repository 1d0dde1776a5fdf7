"""Townsquare: one continuous, consistent public service on every channel."""
