"""Tests of townsquare.web: the staff desk and the channel simulator, over HTTP and in Chromium."""
