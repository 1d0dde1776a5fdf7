"""The kinds of identity a person can be reached or known by.

A plain enum, no ORM: the edges (channel adapters, pages) name it without importing any table.
"""

from __future__ import annotations

from enum import StrEnum


class IdentityKind(StrEnum):
    phone = "phone"
    email = "email"
    sso = "sso"  # namespace: the OIDC issuer
    social = "social"  # namespace: the network
    device = "device"  # namespace: the app or widget
    agency_record = "agency_record"  # namespace: the agency slug
    app_account = "app_account"  # namespace: the Open311 integrator (its API key id); an account in its app
    postal = "postal"  # a postal address, its lines joined by newlines (letters go here)
