"""Tests of townsquare.knowledge: the knowledge base's workflow and search."""
