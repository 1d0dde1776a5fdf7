"""Web push: subscriptions, acknowledgements and the provider against a recording push service."""
