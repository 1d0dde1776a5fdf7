"""Tests of townsquare.interactions: conversations, interactions and the timeline."""
