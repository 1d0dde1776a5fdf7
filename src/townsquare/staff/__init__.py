"""Staff accounts, roles scoped to agencies, sessions, integration API keys and the append-only audit log."""
