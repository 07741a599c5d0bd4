"""The words counties use for the closed vocabularies, kept as data (DOMAIN rule 17). Pure.

The shipped table (vocabulary.toml beside this module) holds the names seen across provinces and years; a county
adds its own in a file of the same shape (`--vocabulary FILE` or ASSETLEDGER_VOCABULARY), so a new name needs no
release. A county's name wins over a shipped one. Every `LabelledEnum.parse` reads through the vocabulary in use.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from assetledger.domain.register_fields import BY_CODE
from assetledger.errors import Finding, InputError

if TYPE_CHECKING:
    from assetledger.domain.enums import LabelledEnum

E = TypeVar("E", bound="LabelledEnum")


@dataclass(frozen=True)
class Kind:
    code: str  # the table's name in a vocabulary file
    enum: str  # the LabelledEnum it names
    zh: str
    en: str


def _named(code: str, enum: str) -> Kind:
    """A vocabulary named as its register field (the catalogue, domain/register_fields.py)."""
    field = BY_CODE[code]
    return Kind(code, enum, field.zh, field.en)


KINDS = (
    _named("register", "Register"),
    Kind("region_level", "RegionLevel", "区划级别", "region level"),
    _named("owner_kind", "OwnerKind"),
    _named("status", "AssetStatus"),
    _named("fund_source", "FundSource"),
    _named("operating_mode", "OperatingMode"),
)
BY_ENUM = {k.enum: k for k in KINDS}
_BY_NAME = {name: k for k in KINDS for name in (k.code, k.zh, k.enum)}
# No value is proposed for the unknown name: the first one listed (or any guess) may mean the opposite (报废 is not
# 在用), so the clerk picks the value it means, from the accepted ones named beside this.
HOW_TO_ADD = (
    '如确是其中某一项的别名，请在本县词表文件的 ["{zh}"] 下写 <取值> = ["{text}"]，<取值> 为它所指的那一项 '
    "(if it means one of them, add it to your vocabulary file — assetledger --vocabulary FILE, or "
    'ASSETLEDGER_VOCABULARY — under ["{zh}"] as <value> = ["{text}"], where <value> is the one it means: '
    "{codes}); `assetledger vocabulary` lists every accepted name"
)
_SPACES = re.compile(r"\s+")


def spelling(text: str) -> str:
    """The form names are compared in: no spaces, half-width brackets, Latin letters in lower case."""
    return _SPACES.sub("", text).replace("（", "(").replace("）", ")").replace("-", "_").lower()


@dataclass(frozen=True)
class Vocabulary:
    """For each vocabulary (by enum name): every accepted spelling -> the member's code, and the names as written."""

    words: Mapping[str, Mapping[str, str]]
    names: Mapping[str, Mapping[str, tuple[str, ...]]]  # enum -> code -> the names listed for it, in order

    def parse(self, kind: type[E], text: str) -> E:
        code = self.words.get(kind.__name__, {}).get(spelling(text))
        if code is None:
            code = spelling(text)  # the code itself, or its label, is always accepted
            for member in kind:
                if code in (member.value, spelling(member.label)):
                    return member
            raise ValueError(unknown(kind, text))
        return kind(code)

    def spellings(self, kind: type[LabelledEnum], code: str) -> tuple[str, ...]:
        return self.names.get(kind.__name__, {}).get(code, ())


def unknown(kind: type[LabelledEnum], text: str) -> str:
    """The finding's reason for a name nobody listed: the accepted values and how to add one."""
    k = BY_ENUM[kind.__name__]
    accepted = ", ".join(f"{m.label} {m.value}" for m in kind)
    codes = " / ".join(m.value for m in kind)
    how = HOW_TO_ADD.format(zh=k.zh, codes=codes, text=text.strip())
    return (
        f"未知{k.zh} (unknown {k.en}) {text.strip()!r}；可用 (accepted): {accepted}（及其他名称 and their other "
        f"names）；{how}"
    )


def read(data: Mapping[str, Any], source: str, base: Vocabulary | None = None) -> Vocabulary:
    """A vocabulary from the tables of a file, on top of `base`; every bad entry is a finding (all or nothing)."""
    from assetledger.domain import enums  # the enums read through this module: imported when first needed

    findings: list[Finding] = []
    words = {k.enum: dict(base.words.get(k.enum, {})) if base else {} for k in KINDS}
    names = {k.enum: {c: list(n) for c, n in base.names.get(k.enum, {}).items()} if base else {} for k in KINDS}
    mine: dict[tuple[str, str], str] = {}
    for table, entries in data.items():
        kind = _BY_NAME.get(table)
        if kind is None:
            tables = ", ".join(f"{k.zh} / {k.code}" for k in KINDS)
            findings.append(
                Finding(source, None, table, None, f"不是词表 (not a vocabulary)；请写 (write one of): {tables}")
            )
            continue
        enum: type[LabelledEnum] = getattr(enums, kind.enum)
        if not isinstance(entries, dict):
            findings.append(
                Finding(source, None, table, None, '请写成表 (write a table): [资金来源] central = ["..."]')
            )
            continue
        for key, listed in entries.items():
            member = next((m for m in enum if spelling(key) in (m.value, spelling(m.label))), None)
            if member is None:
                accepted = ", ".join(f"{m.label} {m.value}" for m in enum)
                findings.append(
                    Finding(
                        source,
                        None,
                        f"[{table}] {key}",
                        None,
                        f"不是{kind.zh} (not a {kind.en})；可用 (accepted): {accepted}",
                    )
                )
                continue
            items = [listed] if isinstance(listed, str) else listed
            if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                findings.append(
                    Finding(
                        source,
                        None,
                        f"[{table}] {key}",
                        None,
                        "请写成加引号的名称列表 (write a list of names in quotes)",
                    )
                )
                continue
            for name in items:
                key_of = (kind.enum, spelling(name))
                if mine.get(key_of, member.value) != member.value:
                    other = enum(mine[key_of]).label
                    reason = f"已列在{other}下，一个名称只指一样 (also listed for {other}; a name means one thing)"
                    findings.append(Finding(source, None, f"[{table}] {key}", name, reason))
                    continue
                mine[key_of] = member.value
                words[kind.enum][spelling(name)] = member.value
                for code, listed_names in names[kind.enum].items():  # a county's name wins over a shipped one
                    if code != member.value:
                        listed_names[:] = [n for n in listed_names if spelling(n) != spelling(name)]
                names[kind.enum].setdefault(member.value, [])
                if name.strip() not in names[kind.enum][member.value]:
                    names[kind.enum][member.value].append(name.strip())
    if findings:
        raise InputError(findings)
    frozen = {e: {c: tuple(n) for c, n in by_code.items()} for e, by_code in names.items()}
    return Vocabulary(words, frozen)


def load(path: Path, base: Vocabulary) -> Vocabulary:
    """A county's file on top of `base`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(
            [Finding(str(path), None, None, None, f"读不了词表文件 (cannot read the vocabulary file): {exc}")]
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        hint = (
            '；中文名称要加引号 (write Chinese names in quotes): ["资金来源"] and "中央衔接资金" = ["..."]'
            if "statement" in str(exc)
            else ""
        )
        raise InputError(
            [Finding(str(path), None, None, None, f"不是 TOML 文件 (not a TOML file): {exc}{hint}")]
        ) from exc
    return read(data, str(path), base)


_shipped: Vocabulary | None = None
_current: Vocabulary | None = None


def shipped() -> Vocabulary:
    global _shipped
    if _shipped is None:
        text = resources.files("assetledger.rules").joinpath("vocabulary.toml").read_text(encoding="utf-8")
        _shipped = read(tomllib.loads(text), "vocabulary.toml (shipped)")
    return _shipped


def current() -> Vocabulary:
    """The vocabulary in use: the shipped one, with the county's file when one was given."""
    return _current or shipped()


def use(path: Path | None) -> Vocabulary:
    """Read names through the shipped table plus the county's file at `path` (None: the shipped table only)."""
    global _current
    _current = None if path is None else load(path, shipped())
    return current()
