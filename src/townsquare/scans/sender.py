"""Who a letter says it is from: the name and address block at the head of its first page, as OCR read it.

Never guesses past what is written: a block counts only with a civic number and a postal code, and the block of
our own letterhead (the names given in `ignore`) is never taken for the sender's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

# "12 Elm Street", "12B, rue Principale", Canada Post's unit-civic form "4-120 Main St".
CIVIC = re.compile(r"^(?:\w{1,6}\s*-\s*)?(\d{1,6}[A-Za-z]?)\b[\s,]+(\S.*)$")
POSTCODE = re.compile(r"\b([A-Za-z]\d[A-Za-z])\s?(\d[A-Za-z]\d)\b|\b(\d{5})(?:-\d{4})?\b")
_KEPT = re.compile(r"[^\w\s,.'\u2019#/-]", re.UNICODE)  # OCR specks: brackets, bars, quotes of a stray mark
MAX_LINES = 6
BLOCKS_LOOKED_AT = 4


@dataclass(frozen=True)
class SenderBlock:
    """The sender's name (when a line of words heads the block) and their address lines."""

    name: str | None
    address: tuple[str, ...]

    def fields(self) -> dict[str, str]:
        """The block as the person matcher reads a record: names, civic number, street, postal code."""
        out: dict[str, str] = {}
        words = (self.name or "").split()
        if len(words) >= 2:
            out |= {"given_name": words[0], "family_name": " ".join(words[1:])}
        civic = CIVIC.match(self.address[0]) if self.address else None
        if civic:
            out |= {"street_number": civic.group(1), "street": civic.group(2)}
        postcode = POSTCODE.search("\n".join(self.address))
        if postcode and postcode.group(1):
            out["postcode"] = (postcode.group(1) + postcode.group(2)).upper()
        elif postcode:
            out["postcode"] = postcode.group(3)
        return out


def fold(text: str) -> str:
    """Lower case, no accents, letters and digits only: how two writings of a name or a line are compared."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _clean(line: str) -> str:
    return " ".join(_KEPT.sub(" ", line).split()).strip(" ,.-")


def sender_block(text: str, *, ignore: Collection[str] = ()) -> SenderBlock | None:
    """The first block of lines near the top that reads as a name and a postal address, if any."""
    ignored = {fold(line) for line in ignore if fold(line)}
    blocks = [block for block in re.split(r"\n\s*\n", text or "") if block.strip()]
    for block in blocks[:BLOCKS_LOOKED_AT]:
        lines = [cleaned for cleaned in (_clean(line) for line in block.splitlines()) if cleaned]
        if not 2 <= len(lines) <= MAX_LINES + 1 or any(fold(line) in ignored for line in lines):
            continue
        found = _read(lines)
        if found is not None:
            return found
    return None


def _read(lines: list[str]) -> SenderBlock | None:
    civic = next((i for i, line in enumerate(lines[:3]) if CIVIC.match(line)), None)
    if civic is None:
        return None
    post = next((i for i in range(civic, len(lines)) if POSTCODE.search(lines[i])), None)
    if post is None:
        return None
    name = lines[0] if civic > 0 and not any(ch.isdigit() for ch in lines[0]) else None
    address = tuple(line[:60] for line in lines[(1 if name else 0) : post + 1])
    if not 2 <= len(address) <= MAX_LINES:
        return None
    return SenderBlock(name[:200] if name else None, address)
