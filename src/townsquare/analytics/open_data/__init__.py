"""Open data: a daily public export of anonymised service requests and suppressed channel counts (CSV and JSON,
described by a Frictionless data package), and the figures of the public dashboard.

Never publishes a person: no citizen id, name, contact, description, note, attachment or attribute leaves here,
locations are generalised, small counts suppressed (docs/open-data.md gives each rule and its reason).
"""
