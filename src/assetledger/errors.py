"""One exception root with specific subclasses that carry their context and build their message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class AssetLedgerError(Exception):
    """Root of every error assetledger raises on purpose. The CLI maps it to exit code 1..."""

    exit_code = 1


class ConfigError(AssetLedgerError):
    """The database URL or another setting is unusable."""


# What a NotFoundError's kind is called in Chinese (the web names it from its catalogs' kind_<kind>).
KIND_NAMES = {
    "asset": "资产", "award policy": "奖励办法", "contract": "合同", "count sheet": "盘点表",
    "distribution": "收益分配", "document": "档案", "entity": "核算主体", "entry": "分录", "household": "农户",
    "inventory": "清查", "maintenance application": "维修申请", "objection": "异议", "public page": "公示页",
    "region": "区划", "region with assets": "有资产的区划", "user": "用户", "village": "村",
    "open rectification case (整改中) on warning": "整改中的预警", "voucher": "凭证号",
}  # fmt: skip


class NotFoundError(AssetLedgerError):
    exit_code = 3

    def __init__(self, kind: str, key: str) -> None:
        self.kind, self.key = kind, key
        named = KIND_NAMES.get(kind)
        english = f"{kind} {key!r} not found"
        super().__init__(f"未找到{named}“{_printable(key)}” ({english})" if named else english)


class DuplicateError(AssetLedgerError):
    exit_code = 4

    def __init__(self, kind: str, key: str) -> None:
        self.kind, self.key = kind, key
        named = KIND_NAMES.get(kind, kind)
        shown = _printable(key)
        super().__init__(f"{named}“{shown}”已存在 ({kind} “{shown}” already exists)")


class RuleViolation(AssetLedgerError):
    """A business rule refuses the operation (e.g. a disposed asset cannot change custodian)."""

    exit_code = 5

    def __init__(self, message: str, *, asset_id: str | None = None) -> None:
        self.asset_id = asset_id
        super().__init__(f"asset {asset_id}: {message}" if asset_id else message)


class PermissionDenied(AssetLedgerError):
    """Refused for who the actor is. The message is "中文 (English)" for the CLI; `reason` and `facts` let a page
    word it again in its own language from its catalogs (web: denied_<reason>), naming roles and regions, never
    their codes. Facts: actor, role (a Role's value), action (an Action's value), and names (scope, region, ...)."""

    exit_code = 6

    def __init__(self, message: str, *, reason: str | None = None, **facts: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.facts = facts


class ScopeRefusal(PermissionDenied):
    """Rows of a file outside the actor's scope, each named (file, row, the place), listed with every other problem
    of the file (exit code 6: the scope is what refuses the file first)."""

    def __init__(self, findings: Sequence[Finding], *, limit: int = 50) -> None:
        self.findings = list(findings)
        title = f"无权操作 out of your scope, or wrong: {len(self.findings)} problem(s), nothing was changed"
        super().__init__(_listed(title, self.findings, limit))


class ServiceBusy(AssetLedgerError):
    """Too much is being done at once (e.g. password checks, which each hold 64 MiB); nothing was changed, and the
    same request a moment later will be served."""

    exit_code = 10


@dataclass(frozen=True)
class Finding:
    """One problem found in bulk input: where it is, what was there, and why it is wrong."""

    source: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        """ "file，第3行 (row 3)，列「金额」 (column)，值「12x」 (value)：reason" — Chinese first, English beside."""
        where = _printable(self.source)
        if self.row is not None:
            where += f"，第{self.row}行 (row {self.row})"
        if self.column is not None:
            where += f"，列「{_printable(self.column)}」 (column)"
        if self.value is not None:
            where += f"，值「{_printable(self.value)}」 (value)"
        return f"{where}：{self.reason}"


def _printable(text: str) -> str:
    """A value as typed, with each control or direction character escaped as Python writes it (\\x1b, \\n,
    \\u202e): a value never moves the cursor, clears the screen or turns the text around on the reader's terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def duplicate_of_row(first: int) -> str:
    """The reason of a row that repeats the key of an earlier row of the same file."""
    return f"与第 {first} 行重复 duplicate of row {first}"


def _listed(title: str, findings: Sequence[Finding], limit: int) -> str:
    shown = "\n".join(f"  {f}" for f in findings[:limit])
    more = len(findings) - limit
    tail = f"\n  …… 另有 {more} 处 (and {more} more)" if more > 0 else ""
    return f"{title}:\n{shown}{tail}"


class InputError(AssetLedgerError):
    """Bulk input was refused; carries every finding, not just the first."""

    exit_code = 2

    def __init__(self, findings: Sequence[Finding], *, limit: int = 50) -> None:
        self.findings = list(findings)
        count = len(self.findings)
        title = f"输入有 {count} 处问题，未做任何更改 ({count} problem(s) in input, nothing was changed)"
        super().__init__(_listed(title, self.findings, limit))


class ConflictError(DuplicateError):
    """A voucher (ref) already in the books with other content: the same ref of the same month cannot mean two
    entries. Every conflict is listed, naming the booked entry and the new one (exit code 4, as a duplicate)."""

    def __init__(self, findings: Sequence[Finding], *, limit: int = 50) -> None:
        self.findings = list(findings)
        self.kind, self.key = "voucher", ", ".join(sorted({f.value or "" for f in self.findings}))
        title = (
            f"凭证号冲突 {len(self.findings)} conflicting voucher(s) (ref already posted with other content), "
            "nothing was changed"
        )
        AssetLedgerError.__init__(self, _listed(title, self.findings, limit))


class RuleRefusal(RuleViolation):
    """Entries refused by a rule of the books (a closed period, a disposed asset), each with where it came from."""

    def __init__(self, findings: Sequence[Finding], *, limit: int = 50) -> None:
        self.findings = list(findings)
        self.asset_id = None
        title = f"规则不允许 refused by a rule: {len(self.findings)} problem(s), nothing was changed"
        AssetLedgerError.__init__(self, _listed(title, self.findings, limit))
