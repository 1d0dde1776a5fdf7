"""Tests of the counters' public pages: the kiosk, a ticket's page and the display screen."""
