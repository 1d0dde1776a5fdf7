"""REST API v1: one module per resource, all behind /api/v1, documented at /docs.

An edge: it translates HTTP to service and pipeline calls and owns the transaction of each request.
"""
