"""Read a distribution rule (收益分配方案) from TOML or YAML, refusing bad files with the key and value named."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml

from assetledger.domain.distribution import (
    DEFAULT_FORBIDDEN,
    DEFAULT_PURPOSES,
    MAX_NOTICE_DAYS,
    MAX_WEIGHT,
    MIN_NOTICE_DAYS,
    PLACES,
    Approval,
    Basis,
    DistributionRule,
    JoinRule,
    Purpose,
)
from assetledger.domain.money import IN_DIGITS, NOT_FINITE, MoneyFormatError, parse_number
from assetledger.errors import Finding, InputError

# A rule code names files (its public notice) and entries: letters (Chinese too), digits, "-" and "_" only.
RULE_CODE = re.compile(r"[\w-]{1,64}")
MAX_VERSION = 9999


class _Reader:
    def __init__(self, source: str, data: Mapping[str, Any]) -> None:
        self.source, self.data = source, data
        self.findings: list[Finding] = []

    def fail(self, key: str, value: object, reason: str) -> None:
        self.findings.append(Finding(self.source, None, key, None if value is None else str(value), reason))

    def get(self, key: str, required: bool = True) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                if required:
                    self.fail(key, None, "缺少必填项 (required key is missing)")
                return None
            node = node[part]
        return node

    def date(self, key: str, required: bool = True) -> dt.date | None:
        value = self.get(key, required)
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(key, value, "不是日期，应写作 YYYY-MM-DD (not a date (YYYY-MM-DD))")
            return None

    def decimal(self, key: str, value: object) -> Decimal | None:
        """A percentage or weight: plain digits (no exponent, NaN or infinity), at most four decimal places."""
        try:
            number = parse_number(value)
        except MoneyFormatError as exc:
            self.fail(key, value, str(exc) if str(exc) in (IN_DIGITS, NOT_FINITE) else "不是数字 (not a number)")
            return None
        if abs(number) > 10**6 or number != number.quantize(PLACES):  # within 10**6 quantize cannot overflow
            self.fail(
                key,
                value,
                "小数最多四位 (at most four decimal places)" if abs(number) <= 10**6 else "超出范围 (out of range)",
            )
            return None
        return number

    def whole(self, key: str, value: object, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(key, value, f"应为 {low} 至 {high} 的整数 (a whole number from {low} to {high})")
            return None
        return value


def load_purposes(path: Path | None = None) -> tuple[dict[str, Purpose], dict[str, str]]:
    """Allowed purposes and forbidden uses: the defaults, or a county's own list from a TOML file."""
    if path is None:
        return {p.code: p for p in DEFAULT_PURPOSES}, dict(DEFAULT_FORBIDDEN)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    allowed = {
        code: Purpose(code, spec["label"], spec["account"], bool(spec.get("households", False)))
        for code, spec in data.get("purposes", {}).items()
    }
    return allowed, dict(data.get("forbidden", {}))


def parse_rule(path: Path, purposes_file: Path | None = None) -> DistributionRule:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise InputError(
            [Finding(source, None, None, None, f"无法读取收益分配方案文件 (cannot read rule file: {exc})")]
        ) from exc
    if not isinstance(data, Mapping):
        raise InputError(
            [Finding(source, None, None, None, "收益分配方案文件应为键值表 (a rule file is a table of keys)")]
        )
    allowed, forbidden = load_purposes(purposes_file)
    r = _Reader(source, data)
    shares: list[tuple[str, Decimal]] = []
    raw_shares = r.get("purposes")
    if raw_shares is not None and not isinstance(raw_shares, Mapping):
        r.fail("purposes", raw_shares, "用途应写成表：用途 = 百分比 (write purposes as a table: purpose = percent)")
        raw_shares = None
    for code, pct_raw in (raw_shares or {}).items():
        key = f"purposes.{code}"
        if code in forbidden:
            r.fail(
                key,
                pct_raw,
                f"项目资产收益不得用于{forbidden[code]} (forbidden use of project-asset revenue: {forbidden[code]})",
            )
            continue
        if code not in allowed:
            r.fail(
                key,
                pct_raw,
                f"未知的用途，可用的用途：{', '.join(allowed)} (unknown purpose; allowed: {', '.join(allowed)})",
            )
            continue
        pct = r.decimal(key, pct_raw)
        if pct is None:
            continue
        if pct <= 0 or pct > 100:
            r.fail(key, pct_raw, "百分比须大于 0 且不超过 100 (a percentage must be above 0 and at most 100)")
            continue
        shares.append((code, pct))
    if raw_shares and shares and len(shares) == len(raw_shares):
        total = sum((p for _, p in shares), Decimal(0))
        if total != 100:
            r.fail(
                "purposes",
                total,
                f"各用途百分比之和须为 100，现为 {total} (percentages must sum to 100, they sum to {total})",
            )
    weights: dict[str, dict[str, Decimal]] = {"category_weights": {}, "factor_weights": {}}
    for table in weights:
        for name, raw in (r.get(f"households.{table}", required=False) or {}).items():
            value = r.decimal(f"households.{table}.{name}", raw)
            if value is not None and not 0 < value <= MAX_WEIGHT:
                r.fail(
                    f"households.{table}.{name}",
                    raw,
                    f"权重须大于 0 且不超过 {MAX_WEIGHT} (weights must be greater than 0 and at most {MAX_WEIGHT})",
                )
            elif value is not None:
                weights[table][name] = value
    basis = _choice(r, "households.basis", Basis, Basis.PER_HOUSEHOLD)
    join_rule = _choice(r, "households.join_counts_from", JoinRule, JoinRule.JOIN_MONTH)
    base = r.get("base", required=False) or "net"
    if base not in ("net", "revenue"):
        r.fail("base", base, "应为 net（净收益）或 revenue（收入） (write net or revenue)")
    notice_days = r.get("notice.days", required=False)
    notice_days = (
        7 if notice_days is None else r.whole("notice.days", notice_days, MIN_NOTICE_DAYS, MAX_NOTICE_DAYS) or 0
    )
    payout_notice_days = r.get("payout.notice_days", required=False)
    if payout_notice_days is not None:
        payout_notice_days = r.whole("payout.notice_days", payout_notice_days, MIN_NOTICE_DAYS, MAX_NOTICE_DAYS)
    code, village, version = r.get("code"), r.get("village"), r.get("version")
    if version is not None:
        r.whole("version", version, 1, MAX_VERSION)
    if code is not None and not (isinstance(code, str) and RULE_CODE.fullmatch(code)):
        r.fail("code", code, "规则编号只用字母、数字、- 和 _ a rule code has letters, digits, - and _ only (1-64)")
    if village is not None and not (isinstance(village, (str, int)) and str(village).isascii() and
                                    str(village).isdigit() and len(str(village)) <= 32):  # fmt: skip
        r.fail("village", village, "应为村的区划代码（数字） (a village's region code (digits))")
    effective = r.date("effective_from")
    approved_on = r.date("approval.date")
    notice_start = r.date("notice.start")
    body = r.get("approval.body")
    document = r.get("approval.document")  # the minutes' number (文号): the plan stands on a recorded decision
    if document is not None and not str(document).strip():
        r.fail("approval.document", document, "须写明会议纪要或决议的文号 (the number of the approving decision)")
    if approved_on and notice_start and notice_start < approved_on:
        r.fail("notice.start", notice_start, f"方案须在 {approved_on} 通过后才能公示 (a plan is noticed after its "
               f"approval on {approved_on}, not before)")  # fmt: skip
    assets = r.get("assets", required=False) or []
    if not isinstance(assets, list):
        r.fail(
            "assets",
            assets,
            "应为资产编号列表（不填则分配全村合并的收益） "
            "(a list of asset ids (or leave out for the village's pooled revenue))",
        )
        assets = []
    if r.findings:
        raise InputError(r.findings)
    assert effective and approved_on and notice_start
    return DistributionRule(
        code=str(code),
        village=str(village),
        version=int(version),
        effective_from=effective,
        shares=tuple(shares),
        approval=Approval(str(body), approved_on, str(document).strip()),
        notice_start=notice_start,
        notice_days=notice_days,
        payout_notice_days=payout_notice_days,
        assets=tuple(str(a) for a in assets),
        basis=basis,
        category_weights=weights["category_weights"],
        factor_weights=weights["factor_weights"],
        join_rule=join_rule,
        base=base,
    )


C = TypeVar("C", Basis, JoinRule)


def _choice(r: _Reader, key: str, kind: type[C], default: C) -> C:
    value = r.get(key, required=False)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        r.fail(
            key,
            value,
            f"应为以下之一：{', '.join(m.value for m in kind)} (write one of {', '.join(m.value for m in kind)})",
        )
        return default
