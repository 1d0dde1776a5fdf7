"""The address register: one row per address point of the jurisdiction's master address repository.

Reports that give only an address (Open311 `address_string` or `address_id`, the portal without map tiles, an
agent typing what a caller said) are placed on the map through it, so nearby reports can be compared.
"""

from __future__ import annotations

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.db import Base, IdMixin


class Place(IdMixin, Base):
    """An address point: its id in the jurisdiction's register, how it is written, and where it is."""

    __tablename__ = "places"
    __table_args__ = (
        Index("ix_places_lat_long", "lat", "long"),
        # Pattern ops so PostgreSQL also uses it for the house-number prefix search (LIKE '120 %').
        Index("ix_places_normalised", "normalised", postgresql_ops={"normalised": "varchar_pattern_ops"}),
    )

    address_id: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(500))
    # The address lower-cased, accents and punctuation removed, abbreviations expanded: what lookups compare.
    normalised: Mapped[str] = mapped_column(String(500))
    lat: Mapped[float] = mapped_column(Float)
    long: Mapped[float] = mapped_column(Float)
    zipcode: Mapped[str] = mapped_column(String(16), default="")
