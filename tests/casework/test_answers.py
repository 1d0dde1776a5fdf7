"""A case's answers as the desk marks them: verified (from which agency, when, under which agreement, with
consent or as the law allows), offered but not verified, or typed in by the person."""

from __future__ import annotations

from townsquare.cases.models import Case
from townsquare.casework.records import answers_of


def test_each_answer_says_where_it_came_from() -> None:
    case = Case(
        attributes={"income": 41200, "address": "12 Elm St", "size": 3},
        provenance={
            "income": {"source": "revenue.household_income", "verified": True,
                       "last_updated": "2026-11-01T09:00:00Z", "agreement": "DSA-0001 v1", "consent_id": None},
            "address": {"source": "self.mailing_address", "agency": "", "verified": False},
        },
    )  # fmt: skip
    marks = {a.code: (a.mark, a.origin) for a in answers_of(case, {"revenue": "Revenue & Taxation"})}
    assert marks["income"] == (
        "verified",
        "Verified · from Revenue & Taxation · 1 Nov 2026 · under DSA-0001 v1 · without consent, as the law allows",
    )
    assert marks["address"][0] == "unverified"
    assert marks["address"][1].startswith("Not verified")
    assert marks["size"] == ("declared", "Self-declared: typed in, not checked by an agency")
