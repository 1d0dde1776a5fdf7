"""Tests of townsquare.web.portal: the residents' portal, over HTTP and in Chromium."""
