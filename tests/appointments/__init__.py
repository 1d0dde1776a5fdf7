"""Tests of appointments: slots, booking and its races, changes, reminders, no-shows, the waitlist, calendar files."""
