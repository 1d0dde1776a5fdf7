"""What residents do for themselves on the portal: sign in, manage their account and contacts, download their
data, apply for a service, follow their cases and conversations.

Orchestrates the domains for one resident at a time and hands any contact to the engagement flow; never reads or
writes another person's record, and never commits unless a function says so.
"""
