"""Open311 GeoReport v2: the standard door for civic issue reports, onto the same cases and queue."""
