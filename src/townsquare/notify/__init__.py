"""Sending outward: channel rendering, the transactional outbox, its worker and the providers."""
