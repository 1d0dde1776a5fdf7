"""Tests of townsquare.assistant: the self-service assistant behind chat, SMS and voice."""
