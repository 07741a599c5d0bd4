"""A stored text that is none of its vocabulary: refused by name where a rule would decide from it.

store/types.EnumText reads a closed vocabulary's text that is no member (written around the product, or by a later
version) back as the text itself, so that `audit verify` can report the row instead of failing to read it. Where
such a value is only shown, it is shown as it was stored; where a rule would decide something from it (an asset's
status, a user's role, an entry's kind), the rule refuses with `unknown_stored`: the record and the text named,
Chinese first and English beside, exit 5 (a user's role: PermissionDenied, exit 6, from the same words).
"""

from __future__ import annotations

from assetledger.domain.unknown import WHAT, unknown_words
from assetledger.errors import RuleViolation

__all__ = ["WHAT", "unknown_asset_value", "unknown_stored", "unknown_words"]


def unknown_stored(
    record: tuple[str, str], what: str, text: object, *, where: str = "在台账中", asset_id: str | None = None
) -> RuleViolation:
    """The refusal (exit 5) of a rule that would decide from a stored text that is none of its vocabulary."""
    return RuleViolation(unknown_words(record, what, text, where=where), asset_id=asset_id)


def unknown_asset_value(asset_id: str, what: str, text: object) -> RuleViolation:
    """`unknown_stored` of an asset's register value (its status, register, owner kind, operating mode), which
    carries the asset's id (the message names it once in each language)."""
    refusal = unknown_stored((f"资产 {asset_id}", f"asset {asset_id}"), what, text)
    refusal.asset_id = asset_id
    return refusal
