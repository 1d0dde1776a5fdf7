"""The demo city: agencies, services, staff and a history of contact on every channel, from a fixed seed."""
