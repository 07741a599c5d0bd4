"""Idle and loss-making assets, and who must approve a disposal. Pure rules and the county's policy."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from assetledger.errors import Finding, InputError

APPROVAL_ORDER = ("village", "township", "county")
APPROVAL_LABELS = {"village": "村级", "township": "乡镇", "county": "县级"}


class DisposalMethod(StrEnum):
    AUCTION = "auction"  # 拍卖
    TRANSFER = "transfer"  # 转让
    SCRAP = "scrap"  # 报废
    WRITE_OFF = "write-off"  # 核销


@dataclass(frozen=True)
class ApprovalBand:
    max_value: Decimal | None
    level: str


@dataclass(frozen=True)
class GovernancePolicy:
    idle_months: int = 6
    loss_months: int = 12
    bands: tuple[ApprovalBand, ...] = (
        ApprovalBand(Decimal(50000), "village"),
        ApprovalBand(Decimal(500000), "township"),
        ApprovalBand(None, "county"),
    )

    def required_level(self, book_value: Decimal) -> str:
        for band in self.bands:
            if band.max_value is None or book_value <= band.max_value:
                return band.level
        return self.bands[-1].level


def approval_suffices(given: str, required: str) -> bool:
    return APPROVAL_ORDER.index(given) >= APPROVAL_ORDER.index(required)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (clamped to the month's end): the start of a trailing window."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = m + 1
    last = (dt.date(y + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, month, min(day.day, last))


def load_policy(path: Path | None) -> GovernancePolicy:
    if path is None:
        return GovernancePolicy()
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError([Finding(source, None, None, None, f"cannot read policy: {exc}")]) from exc
    findings = []
    scan = data.get("scan", {})
    values = {}
    for key in ("idle_months", "loss_months"):
        value = scan.get(key, getattr(GovernancePolicy, key))
        if not isinstance(value, int) or value < 1:
            findings.append(Finding(source, None, f"scan.{key}", str(value), "a whole number of months, at least 1"))
        values[key] = value
    bands = []
    for i, band in enumerate(data.get("approval", [])):
        level = band.get("level")
        if level not in APPROVAL_ORDER:
            findings.append(Finding(source, None, f"approval[{i}].level", str(level), f"one of {APPROVAL_ORDER}"))
            continue
        limit = band.get("max_value")
        bands.append(ApprovalBand(None if limit is None else Decimal(str(limit)), level))
    if findings:
        raise InputError(findings)
    return GovernancePolicy(values["idle_months"], values["loss_months"], tuple(bands) or GovernancePolicy.bands)
