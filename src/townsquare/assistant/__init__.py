"""The self-service assistant: one engine behind web chat, SMS and voice."""
