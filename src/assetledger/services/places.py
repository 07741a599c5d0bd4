"""The reader's region and the places within it: what the supervision rules (services/supervision.py), the
rectification cases and the indicator page ask of a region code (its county, township and village; whether it lies
within the reader's region; the counties of a city)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.services.access import regions_within
from assetledger.store.models import Region
from assetledger.store.region_tree import asset_within


class Places:
    """The reader's region (None: everything) and the place (county, township, village) of a region code."""

    def __init__(self, session: Session, region: str | None) -> None:
        self.session, self.region = session, region
        self._levels: dict[str, tuple[str, str | None]] = {}
        self._below: set[str] | None = None
        self._parts: list[str | None] | None = None

    def parts(self) -> list[str | None]:
        """The regions to ask region-filtered readers (the scan, the contract alerts) for: the region itself, or
        the counties of a city (市/州/盟) — assets carry their county's code, never their city's."""
        if self.region is None:
            return [None]
        if self._parts is None:
            level = self.session.scalar(select(Region.level).where(Region.code == self.region))
            self._parts = [self.region]
            if level == "city":
                self._parts = list(self.session.scalars(
                    select(Region.code).where(Region.parent_code == self.region).order_by(Region.code)))  # fmt: skip
        return list(self._parts)

    def asset_filter(self) -> list[Any]:
        return [] if self.region is None else [asset_within(self.region)]

    def below(self) -> set[str] | None:
        """Every region code within the reader's region (itself included), or None for everything."""
        if self.region is None:
            return None
        if self._below is None:
            self._below = regions_within(self.session, self.region)
        return self._below

    def within(self, code: str) -> bool:
        below = self.below()
        return below is None or code in below

    def place(self, code: str) -> tuple[str, str | None, str | None]:
        """(county, township, village) of a region code, by walking up its parents."""
        found: dict[str, str] = {}
        current: str | None = code
        while current is not None and current not in found.values():
            if current not in self._levels:
                row = self.session.execute(select(Region.level, Region.parent_code).where(Region.code == current)).one()
                self._levels[current] = (row.level, row.parent_code)
            level, parent = self._levels[current]
            found.setdefault(level, current)
            current = parent
        return found.get("county", code), found.get("township"), found.get("village")

    def name(self, code: str) -> str:
        return self.session.scalar(select(Region.name).where(Region.code == code)) or code
