"""Tests of townsquare.events: the event catalogue and the bus."""
