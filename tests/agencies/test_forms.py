"""Checking answers against a form: the builder's kinds (date, address, file, consent), conditions, and every
problem at once."""

from __future__ import annotations

import uuid
from typing import Any

from townsquare.agencies.forms import statement_version, validate_attributes
from townsquare.agencies.models import AttributeDatatype, Service, ServiceAttribute

FILE = {"sha256": "a" * 64, "filename": "lease.pdf", "content_type": "application/pdf", "size_bytes": 12}


def _form(*questions: dict[str, Any]) -> Service:
    service = Service(code="PERMIT", name="Permit", agency_id=uuid.uuid4())
    service.attributes = [
        ServiceAttribute(
            code=q["code"],
            order=i,
            datatype=AttributeDatatype(q.get("datatype", "string")),
            required=q.get("required", False),
            variable=True,
            description=q.get("description", q["code"]),
            values=q.get("values", []),
            translations=q.get("translations", {}),
            condition=q.get("condition", {}),
        )
        for i, q in enumerate(questions)
    ]
    return service


def test_each_new_kind_is_checked_and_cleaned() -> None:
    service = _form(
        {"code": "moved_on", "datatype": "date"},
        {"code": "home", "datatype": "address"},
        {"code": "lease", "datatype": "file"},
        {"code": "agree", "datatype": "consent", "description": "I agree to the terms", "required": True},
    )
    clean, errors = validate_attributes(
        service,
        {
            "moved_on": {"day": "27", "month": "3", "year": "2026"},
            "home": ["12 Main Street ", "", "Ottawa ON"],
            "lease": FILE | {"path": "/etc/passwd"},
            "agree": "yes",
        },
    )
    assert errors == []
    assert clean["moved_on"] == "2026-03-27"
    assert clean["home"] == "12 Main Street\nOttawa ON"
    assert clean["lease"] == FILE  # only what a file answer holds
    assert clean["agree"] == {"agreed": True, "statement_version": statement_version(service.attributes[3])}


def test_every_problem_is_returned_at_once() -> None:
    service = _form(
        {"code": "moved_on", "datatype": "date"},
        {"code": "home", "datatype": "address"},
        {"code": "lease", "datatype": "file"},
        {"code": "agree", "datatype": "consent", "required": True},
    )
    _, errors = validate_attributes(
        service, {"moved_on": {"day": "31", "month": "2", "year": "2026"}, "home": "x" * 501, "lease": "lease.pdf"}
    )
    assert {e.field: e.message for e in errors} == {
        "attribute[moved_on]": "must be a real date, like 2026-03-27",
        "attribute[home]": "must be at most 500 characters",
        "attribute[lease]": "must be a file uploaded with the form",
        "attribute[agree]": "is required (agree)",
    }


def test_a_consents_version_changes_with_its_words() -> None:
    before = _form({"code": "agree", "datatype": "consent", "description": "I agree"}).attributes[0]
    after = _form({"code": "agree", "datatype": "consent", "description": "I agree to all of it"}).attributes[0]
    french = _form(
        {
            "code": "agree",
            "datatype": "consent",
            "description": "I agree",
            "translations": {"fr": {"description": "Oui"}},
        }
    ).attributes[0]
    assert len({statement_version(before), statement_version(after), statement_version(french)}) == 3


def test_a_hidden_question_is_not_required_and_its_answer_is_dropped() -> None:
    service = _form(
        {"code": "pet", "datatype": "singlevaluelist", "values": [{"key": "dog"}, {"key": "none"}], "required": True},
        {"code": "pet_name", "required": True, "condition": {"field": "pet", "values": ["dog"]}},
    )
    clean, errors = validate_attributes(service, {"pet": "none", "pet_name": "Rex"})
    assert (clean, errors) == ({"pet": "none"}, [])
    clean, errors = validate_attributes(service, {"pet": "dog"})
    assert [e.field for e in errors] == ["attribute[pet_name]"]
    clean, errors = validate_attributes(service, {"pet": "dog", "pet_name": "Rex"})
    assert (clean, errors) == ({"pet": "dog", "pet_name": "Rex"}, [])
