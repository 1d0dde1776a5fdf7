"""The sender's block: a name over an address with a civic number and a postal code, near the head of the page;
our own letterhead and blocks without a postal code are not taken for it."""

from __future__ import annotations

from townsquare.scans.sender import SenderBlock, sender_block

LETTER = """Marie Tremblay
12 Elm Street [=]
Ottawa ON K1A 0B1

Dear City,
The streetlight at 40 Oak Avenue is out.
"""


def test_a_name_and_address_at_the_head_are_read() -> None:
    block = sender_block(LETTER)
    assert block == SenderBlock("Marie Tremblay", ("12 Elm Street", "Ottawa ON K1A 0B1"))
    assert block.fields() == {
        "given_name": "Marie",
        "family_name": "Tremblay",
        "street_number": "12",
        "street": "Elm Street",
        "postcode": "K1A0B1",
    }


def test_our_letterhead_and_a_block_without_a_postal_code_are_passed_over() -> None:
    text = "City of Demo\n1 City Hall Square\nOttawa ON K1P 1J1\n\nJean Roy\n4-120 rue Principale\nGatineau QC J8X 2K1"
    block = sender_block(text, ignore=["City of Demo", "1 City Hall Square"])
    assert block == SenderBlock("Jean Roy", ("4-120 rue Principale", "Gatineau QC J8X 2K1"))
    assert sender_block("Hello\n12 Elm Street\nOttawa\n\nThanks") is None
    assert sender_block("") is None
