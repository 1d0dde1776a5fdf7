"""The one record of a person, their identities and preferences, and identity resolution."""
