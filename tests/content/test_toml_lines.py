"""Finding a field's line in a TOML file by the path an error names: tables, arrays of tables and their
entries, nested tables inside an entry, dotted and multi-line values; a missing key falls back to its table."""

from __future__ import annotations

from townsquare.content.toml_lines import key_lines, line_of

TEXT = '''# a comment
[agency]
slug = "works"
translations.fr.name = "Travaux"

[[services]]
code = "A"

[[services]]
code = "B"
notice = """
[[services]]
not a header
"""

[services.translations.fr]
name = "Bé"

[[services.attributes]]
code = "size"
values = [
    { key = "small", name = "Small" },
]

[[services.attributes]]
code = "colour"
'''


def test_every_path_finds_its_line_and_a_missing_key_its_table() -> None:
    lines = key_lines(TEXT)
    assert line_of(lines, "agency.slug") == 3
    assert line_of(lines, "agency.translations.fr.name") == 4
    assert line_of(lines, "services[0].code") == 7
    assert line_of(lines, "services[1].code") == 10
    assert line_of(lines, "services[1].translations.fr.name") == 17  # the multi-line string hid a false header
    assert line_of(lines, "services[1].attributes[0].values[0].name") == 21
    assert line_of(lines, "services[1].attributes[1].code") == 26
    assert line_of(lines, "services[1].attributes[1].datatype") == 25  # missing: the entry's header
    assert line_of(lines, "services[2]") is None
    assert line_of(lines, "") is None
