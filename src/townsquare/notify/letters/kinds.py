"""The states of a letter: a plain enum, no ORM, so pages can name them."""

from __future__ import annotations

from enum import StrEnum


class LetterStatus(StrEnum):
    accepted = "accepted"  # rendered and waiting for the next print batch
    printed = "printed"  # in a batch handed to the print supplier
    returned = "returned"  # the post brought it back undelivered
