"""Tell us once: holdings, agreements, consent and the reads they allow."""
