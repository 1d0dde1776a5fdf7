"""Outbound webhooks to integrators: events written as delivery rows in the caller's transaction, signed with
HMAC-SHA256, posted by a worker that retries with backoff, each delivery logged and replayable.

Never sends from the caller's transaction and never puts personal data in a payload (ids, references, statuses).
"""
