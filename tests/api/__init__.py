"""Tests of townsquare.api: the REST API v1 under /api/v1 and its OpenAPI contract."""
