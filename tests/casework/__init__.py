"""Tests of townsquare.casework: what staff do on the desk."""
