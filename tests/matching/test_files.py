"""A file of person records is read by its column names in English and French, and refused whole, with every
problem and its line, when it cannot be linked."""

from __future__ import annotations

import pytest

from townsquare.matching.files import FileRefused, read


def test_columns_are_recognised_by_their_usual_names_and_the_rest_kept() -> None:
    text = (
        "rec_id,given_name,surname,date_of_birth,suburb,address_2,soc_sec_id\nr1,ana,roy,19840312,riverside,apt 3,123\n"
    )
    data = read(text, id_column="rec_id", exclude=["soc_sec_id"])
    assert data.mapping == {
        "given_name": "given_name",
        "surname": "family_name",
        "date_of_birth": "birth_date",
        "suburb": "locality",
    }
    assert data.kept == ["address_2"]
    assert data.rows == [
        (
            "r1",
            {
                "given_name": "ana",
                "family_name": "roy",
                "birth_date": "19840312",
                "locality": "riverside",
                "address_2": "apt 3",
            },
        )
    ]


def test_french_headers_read_the_same() -> None:
    data = read("id,Prénom,Nom,Courriel,Code postal\n1,Zoé,Roy,z@example.org,H2X 1Y4\n", id_column="id")
    assert set(data.mapping.values()) == {"family_name", "email", "postcode"} | (
        {"given_name"} & set(data.mapping.values())
    )


@pytest.mark.parametrize(
    ("text", "args", "problem"),
    [
        ("", {"id_column": "id"}, "the file is empty"),
        ("id,given_name\n", {"id_column": "id"}, "no records"),
        ("given_name\nana\n", {"id_column": "id"}, "no column 'id'"),
        ("id,given_name\n1,ana\n", {"id_column": "id", "exclude": ["ssn"]}, "no column 'ssn' to exclude"),
        ("id,shoe_size\n1,9\n", {"id_column": "id"}, "no column says anything"),
        ("id,given_name\n1,ana\n1,bob\n", {"id_column": "id"}, "line 3: record id '1' is also on line 2"),
        ("id,given_name\n,ana\n", {"id_column": "id"}, "line 2: no record id"),
        ("id,given_name\n1,ana,extra\n", {"id_column": "id"}, "line 2: more values than columns"),
    ],
)
def test_a_file_that_cannot_be_linked_is_refused_with_the_reason(
    text: str, args: dict[str, object], problem: str
) -> None:
    with pytest.raises(FileRefused) as refused:
        read(text, **args)  # type: ignore[arg-type]
    assert any(problem in p for p in refused.value.problems), refused.value.problems
