"""The one engagement flow every channel goes through: ingest a contact, reply on any channel.

The only package that calls several domains for one contact; channel adapters call it, never the domains.
"""
