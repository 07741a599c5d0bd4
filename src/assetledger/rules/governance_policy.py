"""Read a county's governance policy (thresholds, approval levels) from TOML, naming the key and value of any fault."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from assetledger.domain.governance import APPROVAL_ORDER, ApprovalBand, GovernancePolicy
from assetledger.domain.money import MoneyFormatError, parse_money
from assetledger.errors import Finding, InputError

MAX_MONTHS = 1200  # a scan window of a hundred years: more is a typo, and would leave the calendar


def load_policy(path: Path | None) -> GovernancePolicy:
    if path is None:
        return GovernancePolicy()
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError([Finding(source, None, None, None, f"cannot read policy: {exc}")]) from exc
    findings = []
    scan = data.get("scan", {})
    scan = scan if isinstance(scan, Mapping) else {}
    values = {}
    for key in ("idle_months", "loss_months"):
        value = scan.get(key, getattr(GovernancePolicy, key))
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MONTHS:
            reason = f"a whole number of months, 1 to {MAX_MONTHS}"
            findings.append(Finding(source, None, f"scan.{key}", str(value), reason))
        values[key] = value
    bands = []
    approval = data.get("approval", [])
    for i, band in enumerate(approval if isinstance(approval, list) else [approval]):
        band = band if isinstance(band, Mapping) else {}
        level = band.get("level")
        if level not in APPROVAL_ORDER:
            findings.append(Finding(source, None, f"approval[{i}].level", str(level), f"one of {APPROVAL_ORDER}"))
            continue
        limit = band.get("max_value")
        try:
            bands.append(ApprovalBand(None if limit is None else parse_money(limit), level))
        except MoneyFormatError as exc:
            findings.append(Finding(source, None, f"approval[{i}].max_value", str(limit), str(exc)))
    if findings:
        raise InputError(findings)
    return GovernancePolicy(values["idle_months"], values["loss_months"], tuple(bands) or GovernancePolicy.bands)
