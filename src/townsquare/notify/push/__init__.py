"""Web push: residents' browser subscriptions, the VAPID keys that sign for us, and the provider that sends.

A push counts as delivered only when the device acknowledges it (the service worker posts the sealed ack token).
"""
