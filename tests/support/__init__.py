"""Helpers shared by the whole suite, each written once: reading what the app committed (`db`), what it sent
(`messages`), signing staff in (`staff`), serving the app on loopback (`servers`) and driving Chromium (`browser`).

Helpers only: no fixtures live here (they are in the conftest files), and nothing here fakes our own code.
"""
