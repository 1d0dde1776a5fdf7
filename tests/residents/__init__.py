"""Tests of townsquare.residents: what residents do for themselves on the portal."""
