"""Measure, then shift: touches folded into contacts and journeys, daily rollups, the measures directors read.

Sits between the engagement flow (which writes a touch for every contact) and the capabilities it reads
(routing's handle times, the assistant's answers); see docs/analytics.md for every measure's definition.
"""
