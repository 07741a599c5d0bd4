"""Read the supervision policy (which warning rules run, their days of grace) from TOML. Pure.

`parse_policy(text, source)` returns (policy, findings); `load_policy(path)` raises InputError with every finding.
The file names its edition (`version = "2026-1"`), kept with every case opened under it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from assetledger.domain.supervision import DEFAULT_DAYS, NOT_AVAILABLE, RuleKind, RuleSetting, SupervisionPolicy
from assetledger.errors import Finding, InputError

MAX_DAYS = 3660  # ten years of grace: more is a typo
VERSION_LIMIT = 64


def parse_policy(text: str, source: str) -> tuple[SupervisionPolicy, list[Finding]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return SupervisionPolicy(), [Finding(source, None, None, None, f"无法读取政策文件 (cannot read policy: {exc})")]
    findings: list[Finding] = []
    version = data.get("version", "default")
    if not isinstance(version, str) or not version.strip() or len(version) > VERSION_LIMIT or not version.isprintable():
        findings.append(
            Finding(
                source,
                None,
                "version",
                str(version),
                f"应为一行文字，1 至 {VERSION_LIMIT} 个字 (one line of text, 1 to {VERSION_LIMIT} characters)",
            )
        )
        version = "default"
    for key in data:
        if key not in ("version", "rules"):
            findings.append(
                Finding(
                    source,
                    None,
                    key,
                    str(data[key]),
                    "未知的键，可用的键：version、rules (unknown key; known: version, rules)",
                )
            )
    section = data.get("rules", {})
    if not isinstance(section, Mapping):
        findings.append(Finding(source, None, "rules", str(section), "应为规则表 (must be a table of rules)"))
        section = {}
    rules: dict[RuleKind, RuleSetting] = {}
    for name, body in section.items():
        where = f"rules.{name}"
        if name in NOT_AVAILABLE:
            findings.append(
                Finding(source, None, where, str(body), f"此规则不可用 (not available: {NOT_AVAILABLE[name]})")
            )
            continue
        try:
            kind = RuleKind(name)
        except ValueError:
            known = ", ".join(k.value for k in RuleKind)
            findings.append(
                Finding(
                    source, None, where, str(body), f"未知的规则，可用的规则：{known} (unknown rule; known: {known})"
                )
            )
            continue
        rules[kind] = _setting(source, where, kind, body, findings)
    merged = {k: rules.get(k, RuleSetting(True, DEFAULT_DAYS[k])) for k in RuleKind}
    return SupervisionPolicy(version.strip(), merged), findings


def _setting(source: str, where: str, kind: RuleKind, body: object, findings: list[Finding]) -> RuleSetting:
    if not isinstance(body, Mapping):
        findings.append(
            Finding(
                source, None, where, str(body), "应为表：enabled = true, days = N (a table: enabled = true, days = N)"
            )
        )
        return RuleSetting(True, DEFAULT_DAYS[kind])
    for key in body:
        if key not in ("enabled", "days"):
            findings.append(
                Finding(
                    source,
                    None,
                    f"{where}.{key}",
                    str(body[key]),
                    "未知的键，可用的键：days、enabled (unknown key; known: days, enabled)",
                )
            )
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        findings.append(Finding(source, None, f"{where}.enabled", str(enabled), "应为 true 或 false (true or false)"))
        enabled = True
    days = body.get("days", DEFAULT_DAYS[kind])
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        findings.append(
            Finding(
                source,
                None,
                f"{where}.days",
                str(days),
                f"应为 0 至 {MAX_DAYS} 的整数天数 (whole days, 0 to {MAX_DAYS})",
            )
        )
        days = DEFAULT_DAYS[kind]
    return RuleSetting(enabled, days)


def load_policy(path: Path | None) -> SupervisionPolicy:
    if path is None:
        return SupervisionPolicy()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            [Finding(str(path), None, None, None, f"无法读取政策文件 (cannot read policy: {exc})")]
        ) from exc
    policy, findings = parse_policy(text, str(path))
    if findings:
        raise InputError(findings)
    return policy
