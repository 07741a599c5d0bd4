"""Read a county's governance policy (thresholds, approval levels) from TOML, naming the key and value of any fault."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from assetledger.domain.governance import APPROVAL_ORDER, ApprovalBand, GovernancePolicy
from assetledger.errors import Finding, InputError


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
