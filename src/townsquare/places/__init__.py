"""The jurisdiction's address register (gazetteer): addresses with their ids and coordinates."""
