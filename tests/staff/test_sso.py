"""The group mapping: several groups give the highest role and every agency; no claim, or no mapped group, none."""

from __future__ import annotations

import json

from townsquare.staff.models import StaffRole
from townsquare.staff.sso import Grant, Policy, Refusal, grant_for

MAPPING = Policy.parse_mapping(
    json.dumps(
        {
            "roads": {"role": "agent", "agencies": ["roads"]},
            "parks-leads": {"role": "supervisor", "agencies": ["parks"]},
            "admins": {"role": "admin"},
        }
    )
)
POLICY = Policy(issuer="https://id.city.example", groups_claim="roles", mapping=MAPPING, create_accounts=False)


def test_several_groups_give_the_highest_role_and_every_agency() -> None:
    assert grant_for({"roles": ["roads", "parks-leads", "canteen"]}, POLICY) == Grant(
        StaffRole.supervisor, frozenset({"roads", "parks"})
    )
    assert grant_for({"roles": ["roads", "admins"]}, POLICY) == Grant(StaffRole.admin, frozenset({"roads"}))


def test_one_group_as_a_plain_string_counts() -> None:
    assert grant_for({"roles": "roads"}, POLICY) == Grant(StaffRole.agent, frozenset({"roads"}))


def test_no_claim_and_unmapped_groups_are_refused() -> None:
    assert grant_for({"groups": ["roads"]}, POLICY) is Refusal.no_claim  # the configured claim is "roles"
    assert grant_for({"roles": [1, 2]}, POLICY) is Refusal.no_claim
    assert grant_for({"roles": ["canteen"]}, POLICY) is Refusal.unmapped
    assert grant_for({"roles": []}, POLICY) is Refusal.unmapped
