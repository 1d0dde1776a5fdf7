"""Tests of townsquare.notify: rendering, the outbox, its worker and the providers."""
