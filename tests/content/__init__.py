"""Tests of townsquare.content: importing a city's catalogue and knowledge from files."""
