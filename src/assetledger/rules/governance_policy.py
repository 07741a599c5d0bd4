"""Read a county's governance policy (thresholds, approval levels, the inventory cycle) from TOML, naming the key
and value of any fault."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.contracts import ContractPolicy
from assetledger.domain.enums import OperatingMode
from assetledger.domain.governance import APPROVAL_ORDER, ApprovalBand, GovernancePolicy
from assetledger.domain.inventory import inventory_policy
from assetledger.domain.money import MoneyFormatError, parse_money, parse_number
from assetledger.errors import Finding, InputError

MAX_MONTHS = 1200  # a scan window of a hundred years: more is a typo, and would leave the calendar
MAX_DAYS = 3660  # ten years of days: the most an expiry warning or a grace period could sensibly be


POLICY_FILE = "policy/governance.toml"


def shipped_policy_path() -> Path:
    """The project's ledgers/policy/governance.toml: the wheel ships ledgers/ as assetledger/_ledgers; a source
    checkout has it at the top level. It governs a county that has stored no policy of its own."""
    package_root = Path(__file__).resolve().parent.parent
    shipped = package_root / "_ledgers" / POLICY_FILE
    return shipped if shipped.exists() else package_root.parent.parent / "ledgers" / POLICY_FILE


def load_policy(path: Path | None) -> GovernancePolicy:
    if path is None:
        return GovernancePolicy()
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Finding(source, None, None, None, f"无法读取政策文件 (cannot read policy: {exc})")]) from exc
    return parse_policy(text, source)


def parse_policy(text: str, source: str) -> GovernancePolicy:
    """The policy a TOML text sets; InputError with every finding (key and value) if any."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Finding(source, None, None, None, f"无法读取政策文件 (cannot read policy: {exc})")]) from exc
    findings = []
    scan = data.get("scan", {})
    scan = scan if isinstance(scan, Mapping) else {}
    values = {}
    for key in ("idle_months", "loss_months"):
        value = scan.get(key, getattr(GovernancePolicy, key))
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MONTHS:
            reason = f"应为 1 至 {MAX_MONTHS} 的整数月数 (a whole number of months, 1 to {MAX_MONTHS})"
            findings.append(Finding(source, None, f"scan.{key}", str(value), reason))
        values[key] = value
    bands = []
    approval = data.get("approval", [])
    for i, band in enumerate(approval if isinstance(approval, list) else [approval]):
        band = band if isinstance(band, Mapping) else {}
        level = band.get("level")
        if level not in APPROVAL_ORDER:
            findings.append(
                Finding(
                    source,
                    None,
                    f"approval[{i}].level",
                    str(level),
                    f"应为 village（村级）、township（乡镇）或 county（县级）之一 (one of {APPROVAL_ORDER})",
                )
            )
            continue
        limit = band.get("max_value")
        try:
            bands.append(ApprovalBand(None if limit is None else parse_money(limit), ApprovalLevel(level)))
        except MoneyFormatError as exc:
            findings.append(Finding(source, None, f"approval[{i}].max_value", str(limit), str(exc)))
    contracts = _contracts(source, data.get("contracts", {}), findings)
    inventory = inventory_policy(source, data.get("inventory", {}), findings)
    if findings:
        raise InputError(findings)
    return GovernancePolicy(
        values["idle_months"], values["loss_months"], tuple(bands) or GovernancePolicy.bands, contracts, inventory
    )


CONTRACT_KEYS = {"expiring_days", "grace_days", "max_years", "min_yield_pct", "renewal_floor_pct",
                 "arrears_tolerance"}  # fmt: skip


def _contracts(source: str, section: object, findings: list[Finding]) -> ContractPolicy:
    """`[contracts]`: thresholds of the contract findings (DOMAIN rule 20); each key optional."""
    default = ContractPolicy()
    if not isinstance(section, Mapping):
        findings.append(Finding(source, None, "contracts", str(section), "应为一个表 (must be a table)"))
        return default
    for key in section:
        if key not in CONTRACT_KEYS:
            findings.append(Finding(source, None, f"contracts.{key}", str(section[key]),
                                    f"未知的键，可用的键：{', '.join(sorted(CONTRACT_KEYS))} (unknown "
                                    f"key; known: {', '.join(sorted(CONTRACT_KEYS))})"))  # fmt: skip
    days = {}
    for key in ("expiring_days", "grace_days"):
        value = section.get(key, getattr(default, key))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
            findings.append(
                Finding(
                    source,
                    None,
                    f"contracts.{key}",
                    str(value),
                    f"应为 0 至 {MAX_DAYS} 的整数天数 (whole days, 0 to {MAX_DAYS})",
                )
            )
            value = getattr(default, key)
        days[key] = value
    years = section.get("max_years", default.max_years)
    limits: dict[str, int] = {}
    if not isinstance(years, Mapping):
        findings.append(
            Finding(source, None, "contracts.max_years", str(years), "应为表：经营方式 = 年数 (a table: mode = years)")
        )
    else:
        for mode, value in years.items():
            try:
                code = OperatingMode.parse(str(mode)).value
            except ValueError as exc:
                findings.append(Finding(source, None, f"contracts.max_years.{mode}", str(value), str(exc)))
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
                findings.append(
                    Finding(
                        source, None, f"contracts.max_years.{mode}", str(value), "应为 1 至 100 年 (1 to 100 years)"
                    )
                )
                continue
            limits[code] = value
    shares = {}
    for key, high in (("min_yield_pct", Decimal(100)), ("renewal_floor_pct", Decimal(100))):
        shares[key] = _number(source, f"contracts.{key}", section.get(key, getattr(default, key)), high, findings)
    tolerance = section.get("arrears_tolerance", default.arrears_tolerance)
    try:
        allowed = parse_money(tolerance)
    except MoneyFormatError as exc:
        findings.append(Finding(source, None, "contracts.arrears_tolerance", str(tolerance), str(exc)))
        allowed = default.arrears_tolerance
    return ContractPolicy(days["expiring_days"], days["grace_days"], limits, shares["min_yield_pct"],
                          shares["renewal_floor_pct"], allowed)  # fmt: skip


def _number(source: str, key: str, value: object, high: Decimal, findings: list[Finding]) -> Decimal:
    try:
        number = parse_number(value)
    except MoneyFormatError as exc:
        findings.append(Finding(source, None, key, str(value), str(exc)))
        return Decimal(0)
    if not 0 <= number <= high or number != number.quantize(Decimal("0.01")):
        findings.append(
            Finding(
                source,
                None,
                key,
                str(value),
                f"应为 0 至 {high} 的百分比，最多两位小数 (a percentage from 0 to {high}, two decimals)",
            )
        )
        return Decimal(0)
    return number
