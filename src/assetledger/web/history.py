"""An asset's story (services/audit.asset_story) in the reader's words: areas, event and entry kinds by name, and
each event's facts as "字段：旧 → 新" with field labels, amounts with separators and codes as labels. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from assetledger.domain.documents import DocumentKind
from assetledger.domain.enums import AssetStatus, FundSource, LabelledEnum, OperatingMode, OwnerKind, Register
from assetledger.domain.inventory import CountResult
from assetledger.web.i18n import FIELDS_CN

AREAS = {"register": ("台账", "register"), "books": ("账簿", "books"), "governance": ("盘活处置", "governance"),
         "maintenance fund": ("维修资金", "maintenance fund"), "disposal": ("处置", "disposal"),
         "inventory": ("清查", "inventory"), "distribution": ("收益分配", "distribution")}  # fmt: skip

KINDS = {
    # register events
    "registered": ("登记入账", "registered"), "ownership_confirmed": ("确权", "ownership confirmed"),
    "handed_over": ("移交", "handed over"), "custodian_assigned": ("落实管护", "custodian assigned"),
    "status_changed": ("状态变更", "status changed"), "revitalised": ("盘活", "revitalised"),
    "reinvested": ("收益再投入", "reinvested"), "inventory_surplus": ("清查盘盈", "inventory surplus"),
    "disposed": ("处置", "disposed"), "document_attached": ("档案归档", "document attached"),
    "contract_recorded": ("合同登记", "contract recorded"), "contract_terminated": ("合同解除", "contract terminated"),
    "written_off": ("核销", "written off"), "corrected": ("更正", "corrected"),
    # entries of the books
    "opening": ("资产入账", "opening"), "transfer_out": ("移出本账", "transfer out"),
    "transfer_in": ("移入本账", "transfer in"), "revenue": ("收入", "revenue"), "expense": ("支出", "expense"),
    "distribution": ("收益分配", "distribution"), "payout": ("发放到户", "payout"),
    "reinvestment": ("收益再投入", "reinvestment"), "disposal": ("处置", "disposal"),
    "inventory": ("清查", "inventory"),
    "award": ("绩效奖励", "award"), "reversal": ("冲销", "reversal"), "imported": ("导入", "imported"),
    "general": ("其他", "general"),
    # decisions, applications, disposal methods
    "revitalise": ("决定盘活", "revitalise"), "dispose": ("决定处置", "dispose"), "applied": ("申请", "applied"),
    "approved": ("批准", "approved"), "refused": ("不批准", "refused"), "auction": ("拍卖", "auction"),
    "transfer": ("转让", "transfer"), "scrap": ("报废", "scrap"), "write-off": ("核销", "write-off"),
    "inventory_written_off": ("清查核销", "inventory written off"),
}  # fmt: skip

FIELDS = {
    "name": ("名称", "name"), "register": ("资产类别", "register"), "region": ("区划", "region"),
    "original_value": ("原值", "original value"), "funding": ("资金来源", "funding"), "status": ("状态", "status"),
    "batch": ("导入批次", "import batch"), "acquired": ("取得日期", "acquired"),
    "households": ("受益户数", "households"), "owner": ("确权主体", "owner"), "owner_kind": ("确权层级", "owner level"),
    "kind": ("类别", "kind"), "on": ("日期", "on"), "handover": ("移交日期", "handed over"),
    "custodian": ("管护主体", "custodian"), "duties": ("管护职责", "duties"),
    "previous": ("原管护主体", "previous custodian"), "doc": ("文件", "document"), "reason": ("原因", "reason"),
    "note": ("说明", "note"), "amount": ("金额", "amount"), "entry": ("分录", "entry"),
    "entity": ("核算主体", "entity"), "narration": ("摘要", "narration"), "proceeds": ("处置收入", "proceeds"),
    "book_value": ("账面价值", "book value"), "approval": ("批准文件", "approval"),
    "inventory": ("清查批次", "inventory"), "result": ("清查结果", "result"), "distribution": ("分配", "distribution"),
    "total": ("总额", "total"), "rule": ("分配方案", "rule"), "from": ("起始", "from"), "to": ("至", "to"),
    "value": ("金额", "value"), "contract": ("合同", "contract"), "operator": ("经营主体", "operator"),
    "sha256": ("校验值", "checksum"), "size": ("大小(字节)", "size (bytes)"), "title": ("文号/说明", "caption"),
    "method": ("方式", "method"), "date": ("日期", "date"), "plan": ("盘活方案", "plan"),
    # a contract recorded: its terms
    "mode": ("经营方式", "mode"), "start": ("起始日期", "start"), "end": ("截止日期", "end"),
    "annual": ("年租金/收益", "yearly rent"), "deposit": ("保证金", "deposit"), "renews": ("续签自", "renews"),
    # a disposal, a reinvestment
    "gain": ("处置损益", "gain"), "approved_by": ("批准机关", "approved by"), "source": ("资金来源", "paid from"),
    "value_before": ("原值（再投入前）", "value before"), "value_after": ("原值（再投入后）", "value after"),
}  # fmt: skip
# Facts kept for the record that say nothing to a reader: a document's checksum (its file name is shown) and media
# type; a distribution rule's code and edition (the page names the rule: web/bureau.py).
HIDDEN = {"document", "sha256", "media_type", "edition"}
SOURCES = {"reserve": ("扩大再生产储备", "reinvestment reserve"), "restricted": ("处置收入专户", "restricted proceeds")}

MONEY_KEYS = {"original_value", "amount", "proceeds", "book_value", "total", "value", "annual", "deposit",
              "current_value", "expected", "accrued", "gain", "value_before", "value_after"}  # fmt: skip
KEY_ENUMS: dict[str, type[LabelledEnum]] = {"register": Register, "status": AssetStatus, "owner_kind": OwnerKind,
                                             "mode": OperatingMode, "operating_mode": OperatingMode}  # fmt: skip
_CODE = re.compile(r"[a-z]+(?:[_-][a-z]+)+|[a-z]+")
_RESULTS = {r.value: (r.label, r.value.replace("_", " ")) for r in CountResult}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def area(code: str, lang: str) -> str:
    return _pick(AREAS.get(code, (code, code)), lang)


def what(item: Mapping[str, Any], lang: str) -> str:
    """The event or entry kind by name (an inventory count names its result; a distribution its period)."""
    facts = item.get("facts") or {}
    if item.get("area") == "inventory" and "result" in facts:
        counted = "盘点：" if lang == "zh" else "counted: "
        return counted + _pick(_RESULTS.get(str(facts["result"]), (str(facts["result"]),) * 2), lang)
    kind = str(item.get("kind") or item.get("what") or "")
    if kind in KINDS:
        return _pick(KINDS[kind], lang)
    return kind.replace("_", " ")


def label(key: str, lang: str) -> str:
    if key in FIELDS:
        return _pick(FIELDS[key], lang)
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
        return _pick(SOURCES[str(raw)], lang)
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
        return _pick(KINDS[code], lang)
    if lang == "zh":
        if code in _RESULTS:
            return _RESULTS[code][0]
        for enum in LabelledEnum.__subclasses__():
            if code in enum._value2member_map_:
                return enum(code).label
    return code.replace("_", " ")


def details(item: Mapping[str, Any], lang: str, names: Mapping[str, str]) -> str:
    """The facts of one line: "状态：在用 → 闲置；原因：…", each field by its label."""
    facts = dict(item.get("facts") or {})
    if not facts:
        return str(item.get("details") or "")
    sep, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
    parts: list[str] = []
    if "from" in facts and "to" in facts:
        changed = "status" if item.get("kind") == "status_changed" else "from"
        old, new = facts.pop("from"), facts.pop("to")
        heading = label(changed, lang) if changed == "status" else (
            "移交" if lang == "zh" else "handed over")  # fmt: skip
        parts.append(f"{heading}{colon}{value(changed, old, lang, names)} → {value(changed, new, lang, names)}")
    if item.get("kind") == "document_attached" and str(facts.get("kind")) in DocumentKind._value2member_map_:
        kind = DocumentKind(str(facts["kind"]))
        facts["kind"] = kind.label if lang == "zh" else kind.value
    if item.get("area") == "books" and "entry" in facts:
        entry = facts.pop("entry")
        parts.append(f"{label('entry', lang)} #{entry}")
    for key, raw in facts.items():
        if raw is None or raw == "" or raw == {} or key in HIDDEN:
            continue
        parts.append(f"{label(key, lang)}{colon}{value(key, raw, lang, names)}")
    return sep.join(parts)
