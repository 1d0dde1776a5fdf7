"""Conversations and interactions (touchpoints) on every channel, and the cross-channel timeline."""
