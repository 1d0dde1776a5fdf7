"""Tests of townsquare.channels: each channel adapter and its provider's wire format."""
