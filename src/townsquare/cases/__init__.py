"""Cases: units of government work for a person, with a human reference, a status workflow and SLA clock."""
