"""Tell us once: what agencies hold about people, agreements to share it, consent, and every read logged."""
