"""The knowledge base: one source per answer, in versions, searched the same way by every channel."""
