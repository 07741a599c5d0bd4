"""The system's own refs (凭证号) of journal entries in words, for the lists that show entries.

The books write a ref of their own on the entries they make: `distribution:2025Q2:HQ-2025`, `payout:33:<household
id>`, `reversal:12`, `award:<policy>:<year>:<unit>:<kind>`, `disposal:<asset>`, `inventory:<id>:write-off:...`. They
keep each entry once (a voucher's identity, services/books.py) and are the record; on a page they are identifiers,
and a payout's names a household's id. A list shows `RefWords` instead: what the entry is (2025年第2季度收益分配发放),
with the household's head only for a reader who may read households. A voucher number people typed is no system ref
and is shown as it is (None here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.distribution import period_words
from assetledger.services.access import reads_households
from assetledger.store.distribution_models import Distribution, Household
from assetledger.store.models import Region

AWARD_KINDS = {"grade": ("等次奖励", "grade award"), "rank": ("名次奖励", "rank award")}


@dataclass(frozen=True)
class RefWords:
    """A system ref in words, in Chinese and in English."""

    zh: str
    en: str


@dataclass(frozen=True)
class _Known:
    periods: dict[int, str]  # distribution id -> its period
    heads: dict[str, str]  # household id -> its head, for a reader who may read households (else empty)
    names: dict[str, str]  # region code -> name


def describe_refs(session: Session, refs: Iterable[str | None], actor: str) -> dict[str, RefWords]:
    """ref -> its words, for each system ref among `refs` (a voucher number people typed is left out)."""
    parts = {ref: _parts(ref) for ref in set(refs) if ref and ref.split(":", 1)[0] in _WORDS and ":" in ref}
    payouts = [p for p in parts.values() if p[0] == "payout" and len(p) == 3 and p[1].isdigit()]
    periods: dict[int, str] = {}
    if payouts:
        ids = sorted({int(p[1]) for p in payouts})
        found = session.execute(select(Distribution.id, Distribution.period).where(Distribution.id.in_(ids)))
        periods = {key: period for key, period in found}
    heads: dict[str, str] = {}
    if payouts and reads_households(session, actor):
        wanted = sorted({p[2] for p in payouts})
        rows = session.execute(select(Household.household_id, Household.head).where(Household.household_id.in_(wanted)))
        heads = {key: head for key, head in rows}
    units = sorted({p[3] for p in parts.values() if p[0] == "award" and len(p) == 5})
    names: dict[str, str] = {}
    if units:
        names = {
            code: name for code, name in session.execute(select(Region.code, Region.name).where(Region.code.in_(units)))
        }
    known = _Known(periods, heads, names)
    out: dict[str, RefWords] = {}
    for ref, p in parts.items():
        words = _WORDS[p[0]](p, known)
        if words is not None:
            out[ref] = words
    return out


def _parts(ref: str) -> list[str]:
    """A payout's household id is the roster's own text and may hold a colon itself: it is everything after the
    distribution id."""
    return ref.split(":", 2) if ref.startswith("payout:") else ref.split(":")


def _distribution(p: list[str], known: _Known) -> RefWords | None:
    if len(p) < 3:
        return None
    again = p[3] if len(p) > 3 and p[3].isdigit() else None
    zh = f"{period_words(p[1])}收益分配" + (f"（第{again}次）" if again else "")
    return RefWords(zh, f"{p[1]} distribution" + (f" (time {again})" if again else ""))


def _payout(p: list[str], known: _Known) -> RefWords | None:
    if len(p) != 3 or not p[1].isdigit():
        return None
    period = known.periods.get(int(p[1]))
    zh = f"{period_words(period)}收益分配发放" if period else f"第{p[1]}号收益分配发放"
    en = f"payout of the {period} distribution" if period else f"payout of distribution {p[1]}"
    head = known.heads.get(p[2])  # only for a reader who may read households; never the household's id
    return RefWords(f"{zh}（户主 {head}）", f"{en} (head of household {head})") if head else RefWords(zh, en)


def _reversal(p: list[str], known: _Known) -> RefWords | None:
    if len(p) != 2 or not p[1].isdigit():
        return None
    return RefWords(f"冲销第{p[1]}号分录", f"reverses entry {p[1]}")


def _award(p: list[str], known: _Known) -> RefWords | None:
    if len(p) != 5 or not p[2].isdigit():
        return None
    zh_kind, en_kind = AWARD_KINDS.get(p[4], ("绩效奖励", "award"))
    unit = known.names.get(p[3])
    zh = f"{p[2]}年度{unit or ''}{zh_kind}"
    return RefWords(zh, f"{p[2]} {en_kind}" + (f", {unit}" if unit else ""))


def _disposal(p: list[str], known: _Known) -> RefWords | None:
    return RefWords("资产处置", "asset disposal") if len(p) == 2 else None


def _inventory(p: list[str], known: _Known) -> RefWords | None:
    return RefWords("清查盘亏核销", "inventory write-off") if len(p) >= 3 and p[2] == "write-off" else None


Describe = Callable[[list[str], _Known], RefWords | None]
_WORDS: dict[str, Describe] = {
    "distribution": _distribution, "payout": _payout, "reversal": _reversal, "award": _award,
    "disposal": _disposal, "inventory": _inventory,
}  # fmt: skip
