"""An asset's story (services/audit.asset_story) in the reader's words: areas, event and entry kinds by name, and
each event's facts as "字段：旧 → 新" with field labels, amounts with separators and codes as labels. Pure.

The words are in the web catalogs (web/translations, ids area_*, event_*, fact_*, source_*); the tables below map a
code of the record to its message id."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from assetledger.domain.documents import DocumentKind
from assetledger.domain.enums import AssetStatus, FundSource, LabelledEnum, OperatingMode, OwnerKind, Register
from assetledger.domain.inventory import CountResult
from assetledger.domain.journal import SYSTEM_REF_PREFIXES
from assetledger.services.entry_refs import RefWords
from assetledger.web.i18n import FIELDS_CN, field, mark, translate

AREAS = {
    "register": mark("area_register"), "books": mark("area_books"), "governance": mark("area_governance"),
    "maintenance fund": mark("area_maintenance_fund"), "disposal": mark("area_disposal"),
    "inventory": mark("area_inventory"), "distribution": mark("area_distribution"),
}  # fmt: skip

KINDS = {
    "registered": mark("event_registered"), "ownership_confirmed": mark("event_ownership_confirmed"),
    "handed_over": mark("event_handed_over"), "custodian_assigned": mark("event_custodian_assigned"),
    "status_changed": mark("event_status_changed"), "revitalised": mark("event_revitalised"),
    "reinvested": mark("event_reinvested"), "inventory_surplus": mark("event_inventory_surplus"),
    "disposed": mark("event_disposed"), "document_attached": mark("event_document_attached"),
    "contract_recorded": mark("event_contract_recorded"), "contract_terminated": mark("event_contract_terminated"),
    "written_off": mark("event_written_off"), "corrected": mark("event_corrected"),
    "opening": mark("event_opening"), "transfer_out": mark("event_transfer_out"),
    "transfer_in": mark("event_transfer_in"), "revenue": mark("event_revenue"), "expense": mark("event_expense"),
    "distribution": mark("event_distribution"), "payout": mark("event_payout"),
    "reinvestment": mark("event_reinvestment"), "disposal": mark("event_disposal"),
    "inventory": mark("event_inventory"), "award": mark("event_award"), "reversal": mark("event_reversal"),
    "imported": mark("event_imported"), "general": mark("event_general"), "revitalise": mark("event_revitalise"),
    "dispose": mark("event_dispose"), "applied": mark("event_applied"), "approved": mark("event_approved"),
    "refused": mark("event_refused"), "spent": mark("event_spent"), "auction": mark("event_auction"),
    "transfer": mark("event_transfer"), "scrap": mark("event_scrap"), "write-off": mark("event_write-off"),
    "inventory_written_off": mark("event_inventory_written_off"),
    "household_attached": mark("event_household_attached"),
}  # fmt: skip

FIELDS = {
    "name": mark("fact_name"), "register": mark("fact_register"), "region": mark("fact_region"),
    "original_value": mark("fact_original_value"), "funding": mark("fact_funding"), "status": mark("fact_status"),
    "batch": mark("fact_batch"), "acquired": mark("fact_acquired"), "households": mark("fact_households"),
    "owner": mark("fact_owner"), "owner_kind": mark("fact_owner_kind"), "kind": mark("fact_kind"),
    "on": mark("fact_on"), "handover": mark("fact_handover"), "custodian": mark("fact_custodian"),
    "duties": mark("fact_duties"), "previous": mark("fact_previous"), "doc": mark("fact_doc"),
    "reason": mark("fact_reason"), "note": mark("fact_note"), "amount": mark("fact_amount"),
    "entry": mark("fact_entry"), "entity": mark("fact_entity"), "narration": mark("fact_narration"),
    "proceeds": mark("fact_proceeds"), "book_value": mark("fact_book_value"), "approval": mark("fact_approval"),
    "inventory": mark("fact_inventory"), "result": mark("fact_result"), "distribution": mark("fact_distribution"),
    "total": mark("fact_total"), "rule": mark("fact_rule"), "from": mark("fact_from"), "to": mark("fact_to"),
    "value": mark("fact_value"), "contract": mark("fact_contract"), "operator": mark("fact_operator"),
    "sha256": mark("fact_sha256"), "size": mark("fact_size"), "title": mark("fact_title"),
    "method": mark("fact_method"), "date": mark("fact_date"), "plan": mark("fact_plan"), "mode": mark("fact_mode"),
    "start": mark("fact_start"), "end": mark("fact_end"), "annual": mark("fact_annual"),
    "deposit": mark("fact_deposit"), "renews": mark("fact_renews"), "gain": mark("fact_gain"),
    "approved_by": mark("fact_approved_by"), "source": mark("fact_source"),
    "value_before": mark("fact_value_before"), "value_after": mark("fact_value_after"),
}  # fmt: skip
# Facts kept for the record that say nothing to a reader: a document's checksum (its file name is shown) and media
# type; a distribution rule's code and edition (the page names the rule: web/bureau.py).
HIDDEN = {"document", "sha256", "media_type", "edition"}
SOURCES = {
    "reserve": mark("source_reserve"), "restricted": mark("source_restricted"),
}  # fmt: skip

MONEY_KEYS = {"original_value", "amount", "proceeds", "book_value", "total", "value", "annual", "deposit",
              "current_value", "expected", "accrued", "gain", "value_before", "value_after"}  # fmt: skip
KEY_ENUMS: dict[str, type[LabelledEnum]] = {"register": Register, "status": AssetStatus, "owner_kind": OwnerKind,
                                             "mode": OperatingMode, "operating_mode": OperatingMode}  # fmt: skip
_CODE = re.compile(r"[a-z]+(?:[_-][a-z]+)+|[a-z]+")
_RESULTS = {r.value: (r.label, r.value.replace("_", " ")) for r in CountResult}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def area(code: str, lang: str) -> str:
    return translate(AREAS[code], lang) if code in AREAS else code


def what(item: Mapping[str, Any], lang: str) -> str:
    """The event or entry kind by name (an inventory count names its result; a distribution its period)."""
    facts = item.get("facts") or {}
    if item.get("area") == "inventory" and "result" in facts:
        counted = "盘点：" if lang == "zh" else "counted: "
        return counted + _pick(_RESULTS.get(str(facts["result"]), (str(facts["result"]),) * 2), lang)
    kind = str(item.get("kind") or item.get("what") or "")
    if kind in KINDS:
        return translate(KINDS[kind], lang)
    return kind.replace("_", " ")


# Facts that name a register field by a shorter key (a household attached to an asset: its 户编号 and 户主).
FACT_FIELDS = {"household": "household_id", "head": "household_head"}


def label(key: str, lang: str) -> str:
    if key in FIELDS:
        return translate(FIELDS[key], lang)
    if key in FACT_FIELDS:
        return field(FACT_FIELDS[key], lang)
    return FIELDS_CN.get(key, key.replace("_", " ")) if lang == "zh" else key.replace("_", " ")


def value(key: str, raw: Any, lang: str, names: Mapping[str, str]) -> str:
    """One fact as a reader reads it: an amount with separators, a code by its label, a region by its name."""
    if raw is None or raw == "":
        return "—"
    if isinstance(raw, dict):
        comma = "，" if lang == "zh" else ", "
        if key == "funding":
            return comma.join(f"{_enum_label(FundSource, str(k), lang)} {value('amount', v, lang, names)}"
                              for k, v in raw.items())  # fmt: skip
        rest = {k: v for k, v in raw.items() if v not in (None, "")}
        head = str(rest.pop("name", "")) if key in ("owner", "custodian") else ""
        if key == "owner" and "kind" in rest:
            rest["owner_kind"] = rest.pop("kind")
        inner = comma.join(f"{label(k, lang)} {value(k, v, lang, names)}" for k, v in rest.items())
        opened, closed = ("（", "）") if lang == "zh" else (" (", ")")
        return f"{head}{opened}{inner}{closed}" if head and inner else head or inner
    if isinstance(raw, list):
        return "、".join(value(key, v, lang, names) for v in raw)
    if isinstance(raw, bool):
        return ("是" if raw else "否") if lang == "zh" else ("yes" if raw else "no")
    if key in KEY_ENUMS:
        return _enum_label(KEY_ENUMS[key], str(raw), lang)
    if key == "source" and str(raw) in SOURCES:
        return translate(SOURCES[str(raw)], lang)
    if key in MONEY_KEYS:
        try:
            return f"{Decimal(str(raw)):,.2f}"
        except InvalidOperation:
            return str(raw)
    text = str(raw)
    if key == "region" or text in names:
        return names.get(text, text)
    if _CODE.fullmatch(text):
        return code_label(text, lang)
    return text


def _enum_label(enum: type[LabelledEnum], code: str, lang: str) -> str:
    if lang == "zh" and code in enum._value2member_map_:
        return enum(code).label
    return code.replace("_", " ")


def code_label(code: str, lang: str) -> str:
    """A code of any labelled enum (register, status, owner level, fund source, ...) or kind by its name."""
    if code in KINDS:
        return translate(KINDS[code], lang)
    if lang == "zh":
        if code in _RESULTS:
            return _RESULTS[code][0]
        for enum in LabelledEnum.__subclasses__():
            if code in enum._value2member_map_:
                return enum(code).label
    return code.replace("_", " ")


def details(item: Mapping[str, Any], lang: str, names: Mapping[str, str]) -> str:
    """The facts of one line: "状态：在用 → 闲置；原因：…", each field by its label."""
    if not item.get("facts"):
        return str(item.get("details") or "")
    sep, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
    return sep.join(f"{name}{colon}{shown}" if name else shown for name, shown in facts(item, lang, names))


def facts(item: Mapping[str, Any], lang: str, names: Mapping[str, str]) -> list[tuple[str, str]]:
    """The facts of one line as (label, value) pairs in the reader's words — the page joins them on one line, the
    CLI prints one "字段：值" line each; a pair with no label is said whole (an entry's "分录 #12")."""
    found = dict(item.get("facts") or {})
    pairs: list[tuple[str, str]] = []
    if "from" in found and "to" in found:
        changed = "status" if item.get("kind") == "status_changed" else "from"
        old, new = found.pop("from"), found.pop("to")
        heading = label(changed, lang) if changed == "status" else (
            "移交" if lang == "zh" else "handed over")  # fmt: skip
        pairs.append((heading, f"{value(changed, old, lang, names)} → {value(changed, new, lang, names)}"))
    if item.get("kind") == "document_attached" and str(found.get("kind")) in DocumentKind._value2member_map_:
        kind = DocumentKind(str(found["kind"]))
        found["kind"] = kind.label if lang == "zh" else kind.value
    if item.get("area") == "books" and "entry" in found:
        entry = found.pop("entry")
        pairs.append(("", f"{label('entry', lang)} #{entry}"))
    for key, raw in found.items():
        if raw is None or raw == "" or raw == {} or key in HIDDEN:
            continue
        pairs.append((label(key, lang), value(key, raw, lang, names)))
    return pairs


def ref_shown(ref: str | None, words: RefWords | None, lang: str) -> str:
    """An entry's ref (凭证号) on a list: a system ref in words (services/entry_refs.py), never its identifiers; a
    voucher number people typed as it is."""
    if words is not None:
        return words.zh if lang == "zh" else words.en
    if ref is not None and ref.startswith(SYSTEM_REF_PREFIXES):  # not described: its identifiers stay off the page
        return "系统生成" if lang == "zh" else "made by the system"
    return ref or ""
