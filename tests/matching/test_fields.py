"""A person record is folded to one spelling before it is compared: case, accents, punctuation, street
abbreviations, nicknames, date formats and phone formats are never evidence of a different person."""

from __future__ import annotations

from townsquare.matching.fields import COLUMNS, fold, person


def test_names_lose_case_accents_and_punctuation() -> None:
    assert fold("  Éloïse  O'Brien-Côté ") == "eloise obrien cote"
    assert fold("") is None
    assert fold(None) is None
    assert fold("--") is None


def test_a_nickname_is_read_as_its_full_form_in_english_and_french() -> None:
    assert person({"given_name": "Bill"})["given_name_canonical"] == "william"
    assert person({"given_name": "Guillaume"})["given_name_canonical"] == "william"
    assert person({"given_name": "Margot"})["given_name_canonical"] == "margaret"
    assert person({"given_name": "Zoé"})["given_name_canonical"] == "zoe"  # a name in no group is itself


def test_family_names_read_alike_across_word_breaks_and_saints() -> None:
    a = person({"family_name": "De Teliga"})["family_name_canonical"]
    assert a == person({"family_name": "Deteliga"})["family_name_canonical"] == "deteliga"
    assert person({"family_name": "St-Pierre"})["family_name_canonical"] == "saintpierre"
    assert person({"family_name": "Saint Pierre"})["family_name_canonical"] == "saintpierre"


def test_names_in_either_order_share_one_key() -> None:
    assert person({"given_name": "Luke", "family_name": "Gazzola"})["names"] == "gazzola luke"
    assert person({"given_name": "Gazzola", "family_name": "Luke"})["names"] == "gazzola luke"
    assert person({"given_name": "Luke"})["names"] is None


def test_dates_of_birth_in_any_usual_format_become_yyyymmdd() -> None:
    for raw in ("1984-03-12", "12/03/1984", "19840312", "1984/03/12", "12.03.1984"):
        assert person({"birth_date": raw})["birth_date"] == "19840312", raw
    assert person({"birth_date": "19843912"})["birth_date"] == "19843912"  # a slip is kept as typed
    assert person({"birth_date": "March"})["birth_date"] is None


def test_streets_read_alike_whatever_the_abbreviation_or_spacing() -> None:
    expected = person({"street": "Mackie Crescent"})["street"]
    assert person({"street": "mackie cres."})["street"] == expected == "mackiecrescent"
    assert person({"street": "Boul. René-Lévesque O"})["street"] == "boulevardrenelevesqueouest"


def test_contacts_postcodes_and_missing_values() -> None:
    record = person({"phone": "(514) 555-0199", "email": " Ana@Example.ORG ", "postcode": "h2x 1y4"}, region="CA")
    assert record["phone"] == "+15145550199"
    assert record["email"] == "ana@example.org"
    assert record["postcode"] == "H2X1Y4"
    assert person({"phone": "not a phone", "email": "nobody"})["phone"] is None
    assert set(person({})) == set(COLUMNS)
    assert all(v is None for v in person({}).values())
