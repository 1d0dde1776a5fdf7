"""Agencies and the service catalogue: who offers what, with which form and which SLA target."""
