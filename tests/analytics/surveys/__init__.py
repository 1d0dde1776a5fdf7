"""Satisfaction surveys: asked on every channel, answered on every channel, read by supervisors."""
