"""Appointments: bookable slots at service offices, bookings and their changes, reminders, no-shows, the waitlist."""
