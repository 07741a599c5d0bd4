"""An inventory's summary as the inventory page shows it: each figure under a label that says what it counts, in
the page's language, from the service's fields (not from its bilingual report lines, which carry codes such as
`county:360921` and `written_off`)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from assetledger.domain.enums import AssetStatus
from assetledger.domain.inventory import DueReason
from assetledger.services.inventory_reports import InventoryStatus
from assetledger.web.i18n import translate

ZERO = Decimal("0.00")


def _status(code: str, lang: str) -> str:
    if lang == "zh" and code in AssetStatus._value2member_map_:
        return AssetStatus(code).label
    return code.replace("_", " ")


def _reason(code: str, lang: str) -> str:
    if lang == "zh" and code in DueReason._value2member_map_:
        return DueReason(code).label
    return code.replace("_", " ")


def summary(s: InventoryStatus, lang: str, actor_name: str) -> list[tuple[str, Any]]:
    """(label, value) lines: a whole number is a count, a Decimal an amount, text is shown as it is."""

    def t(key: str, **values: Any) -> str:
        return translate(key, lang, **values)

    total = asdict(s.total) if s.total is not None else {}  # an inventory with no assets due has no total row
    if s.closed_on:
        state = t("inventory_closed_on", on=s.closed_on) + (f"（{s.approval}）" if s.approval else "")
    else:
        state = t("open")
    lines: list[tuple[str, Any]] = [
        (t("inventory_no"), str(s.inventory_id)),
        (t("year"), str(s.year)),
        (t("scope"), s.scope_name),
        *([(t("inventory_your_part"), s.part_name)] if s.part_name is not None else []),  # the figures are its part's
        (t("inventory_opened"), t("inventory_opened_by", on=s.opened_on, name=actor_name)),
        (t("state"), state),
        (t("items"), total.get("items", 0)),
        (t("counted"), total.get("counted", 0)),
        (t("completion_percent"), str(total.get("completion", "100.0"))),
        (t("inventory_in_use"), total.get("in_use", 0)),
        (t("shortages"), total.get("missing", 0)),
        (t("shortage_value"), total.get("missing_value", ZERO)),
        (t("surpluses"), total.get("surplus", 0)),
        (t("surplus_value"), total.get("surplus_value", ZERO)),
        (t("damaged"), total.get("damaged", 0)),
        (t("idle"), total.get("idle", 0)),
        (t("register_value_at_opening"), total.get("register_value", ZERO)),
        (t("book_value"), total.get("book_value", ZERO)),
        (t("mismatched"), total.get("mismatched", 0)),
    ]
    lines += [(t("selected_because", reason=_reason(reason, lang)), n) for reason, n in s.selected.items()]
    if s.close_summary:
        done = s.close_summary
        sep = "，" if lang == "zh" else ", "
        lines += [
            (t("written_off"), len(done.get("written_off", []))),
            (t("written_off_value"), Decimal(str(done.get("written_off_value", "0.00")))),
            (t("surplus_registered"), len(done.get("surplus_assets", []))),
            (t("status_changes"), sep.join(f"{_status(k, lang)} {v:,}" for k, v in s.status_changes.items())),
        ]
    return lines
