"""Linking person records that name the same person: normalising, comparing, scoring, training, deciding."""
