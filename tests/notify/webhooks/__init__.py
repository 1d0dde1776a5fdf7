"""Outbound webhooks: emitting, signing, the worker against real receivers, replay."""
