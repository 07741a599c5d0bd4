"""Turn the rows of a register spreadsheet (台账) into asset drafts, collecting every bad cell as a finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from assetledger.domain.assets import (
    FIELD_LABELS,
    UNNAMED_HOUSEHOLDS,
    AssetDraft,
    Custody,
    Handover,
    Ownership,
    custody_start_problem,
    register_problems,
    standard_owner,
)
from assetledger.domain.enums import AssetStatus, FundSource, OperatingMode, OwnerKind, Register
from assetledger.domain.regions import Place, RegionIndex
from assetledger.domain.register_fields import IMPORTED
from assetledger.domain.text import ONE_LINE_REFUSED, TextRule, shown, text_problem
from assetledger.errors import Finding
from assetledger.io import values
from assetledger.io.headers import Column, build_index, map_header
from assetledger.io.rows import EMPTY_CELL, ID_FIELDS, MISSING_COLUMN
from assetledger.io.tabular import Table
from assetledger.io.totals import total_findings

# The headers of each field of a register file, its label first: from the catalogue (domain/register_fields.py).
ALIASES: dict[str, tuple[str, ...]] = {f.code: f.headers for f in IMPORTED}
# One amount column per fund source: 中央衔接资金, fund_central, ...
for _source in FundSource:
    ALIASES[f"fund:{_source.value}"] = (f"fund_{_source.value}", _source.label)

INDEX = build_index(ALIASES)
T = TypeVar("T")
E = TypeVar("E", Register, OwnerKind, AssetStatus, OperatingMode, FundSource)
REQUIRED = ("asset_id", "name", "register", "original_value")
EMPTY_REGISTER = (
    "必填，此格为空：请填写公益性、经营性或到户类 (required: the cell is empty; write 公益性, 经营性 or 到户类)"
)


class ParsedAssets(NamedTuple):
    drafts: list[tuple[int, AssetDraft]]  # (row number, draft) of every valid row
    findings: list[Finding]
    ids: list[tuple[int, str]]  # (row number, asset id) of every row whose id reads, valid or not: for duplicates
    ignored: tuple[str, ...] = ()  # headers of the columns not used (列 X 未使用): reported, never dropped silently
    id_column: str = "资产编号 (asset id)"  # the asset id's column as the file names it, for findings on duplicates


def column_name(field: str, header: str | None = None) -> str:
    """A column as the user knows it: the file's own header with the English beside it ('确权层级 (ownership
    level)'), or, for a column the file lacks, its usual Chinese header and the English."""
    zh, en = FIELD_LABELS.get(field, (ALIASES.get(field, (field,))[0], ""))
    if field.startswith("fund:"):
        zh, en = ALIASES[field][1], f"fund source {field[5:]}"
    shown = header if header is not None else zh
    if not en or en.lower() == shown.lower():
        return shown
    if shown.isascii():
        return f"{shown} ({zh})" if zh.lower() != shown.lower() else shown
    return f"{shown} ({en})"


class Unresolved(NamedTuple):
    """Why a row's ownership cannot be read: the column to blame and the reason, in the user's words."""

    field: str
    reason: str


def resolve_ownership(
    kind: OwnerKind | None,
    owner: str | None,
    confirmed: dt.date | None,
    document: str | None,
    dates: tuple[dt.date | None, dt.date | None, int | None],
    place: Place,
    regions: RegionIndex,
    household: tuple[str | None, str | None],
) -> Ownership | Unresolved | None:
    """The ownership a row states (确权), shared by both readers so that they cannot disagree.

    确权层级 alone confirms to the standard owner of that level at the asset's place (the village's collective
    economic organisation, the township or county government; a household-level asset to its household, or to its
    households still to be attached); 确权主体 names another owner (a department, an enterprise). Without 确权日期
    the confirmation is dated by the row's own dates (移交日期, 取得日期, else 31 December of 建设年度), never by the
    machine's clock (DOMAIN rule 16)."""
    if kind is None:
        if owner is None and confirmed is None:
            return None
        return Unresolved(
            "owner_kind", "确权主体 / 确权日期 need 确权层级 (ownership level: 县/区, 乡镇, 村, 户, 部门, 企业)"
        )
    if owner is None:
        if kind is OwnerKind.HOUSEHOLD:
            head, household_id = household
            owner = head or household_id or UNNAMED_HOUSEHOLDS
        else:
            name = regions.by_code.__getitem__
            owner = standard_owner(
                kind,
                name(place.county_code).name,
                name(place.township_code).name if place.township_code else None,
                name(place.village_code).name if place.village_code else None,
            )
            if owner is None:
                if kind in (OwnerKind.VILLAGE, OwnerKind.TOWNSHIP):
                    where = "村" if kind is OwnerKind.VILLAGE else "乡镇"
                    return Unresolved(
                        "owner_kind", f"确权到{kind.label} needs the asset's {where}, or name the owner in 确权主体"
                    )
                return Unresolved(
                    "owner_name", f"a {kind.label} owner has no standard name: write it in 确权主体 (owner)"
                )
    if confirmed is None:
        handed, acquired, year = dates
        confirmed = handed or acquired or (dt.date(year, 12, 31) if year else None)
        if confirmed is None:
            return Unresolved("confirmed_on", "a confirmation needs its date: 确权日期, 移交日期, 取得日期 or 建设年度")
    return Ownership(owner, kind, confirmed, document)


def as_typed(value: object) -> str | None:
    """A cell's value as the user typed it: a spreadsheet's whole number without '.0', any other number as the
    spreadsheet shows it (300.305, never 305.30499999999995), a date without midnight."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float) and not value.is_integer():
        return values.text(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value)


class CellRow:
    """Cells of one row by field, with the findings gathered while reading them."""

    def __init__(self, source: str, number: int, cells: list[object], columns: dict[str, Column]) -> None:
        self.source, self.number, self.cells, self.columns = source, number, cells, columns
        self.findings: list[Finding] = []
        self.failed: set[str] = set()
        self.unreadable: set[str] = set()  # identifier cells refused (a number Excel has rounded), once each

    def raw(self, field: str) -> object:
        col = self.columns.get(field)
        if col is None or col.position >= len(self.cells):
            return None
        return self.cells[col.position]

    def fail(self, field: str, reason: str, value: object = None) -> None:
        self.failed.add(field)
        col = self.columns.get(field)
        header = column_name(field, col.header if col else None)
        self.findings.append(Finding(self.source, self.number, header, as_typed(value), reason))

    def get(self, field: str, parse: Callable[[object], T]) -> T | None:
        cell = self.raw(field)
        try:
            return parse(cell)
        except values.CellError as exc:
            self.fail(field, str(exc), cell)
            return None

    def written(self, field: str) -> str | None:
        """The cell as written, a placeholder (—, /, 无) kept: what a finding on an empty required cell quotes."""
        return values.written(self.raw(field))

    def text(self, field: str) -> str | None:
        if field not in ID_FIELDS:
            return values.text(self.raw(field))
        if field in self.unreadable:
            return None
        try:
            return values.identifier(self.raw(field))
        except values.CellError as exc:
            self.unreadable.add(field)
            self.fail(field, str(exc), self.raw(field))
            return None

    def enum(self, field: str, kind: type[E]) -> E | None:
        value = self.text(field)
        if value is None:
            return None
        try:
            return kind.parse(value)
        except ValueError as exc:
            self.fail(field, str(exc), value)
            return None

    def money(self, field: str) -> Decimal | None:
        col = self.columns.get(field)
        scale = col.scale if col else 1
        return self.get(field, lambda c: values.money(c, scale))


class _FastRows:
    """The common case at speed: a row whose every cell reads cleanly and whose draft breaks no register rule.

    `draft` declines (returns None) any other row, which is then read again by `_draft` — the one place that words
    findings — so the report on a bad file is the same whichever path a row takes, and so is the draft of a good
    row: every cell is read by the same parser from `values` (remembered per distinct value), and the rules below
    mirror `_draft`, `_place`, `_funding` and `_confirmation` step by step (the ownership of a row is read by one
    function, `_ownership`, for both). Keep them in step when changing those: tests/domain/test_asset_rows_agree.py
    draws rows with hypothesis and fails when the two readers disagree.
    """

    TEXT_FIELDS = (
        "asset_id", "name", "region_code", "county", "township", "village", "category", "location", "project_name",
        "implementer", "unit", "operator", "household_id", "household_head", "owner_name", "confirm_doc",
        "handed_over_by", "handover_doc", "custodian", "custodian_duties",
    )  # fmt: skip
    TYPED_FIELDS = (
        "register", "original_value", "fund_source", "status", "build_year", "quantity", "operating_mode",
        "contract_start", "contract_end", "contract_annual_income", "owner_kind", "confirmed_on", "handed_over_on",
        "custodian_since", "acquired_on", "beneficiary_households", "accepted_on",
    )  # fmt: skip

    def __init__(
        self,
        width: int,
        columns: dict[str, Column],
        regions: RegionIndex,
        rules: Mapping[str, TextRule],
        today: dt.date | None = None,
    ) -> None:
        self.width, self.regions, self.today = width, regions, today
        self.limits = [
            (i, limit)
            for i, f in enumerate(self.TEXT_FIELDS)
            if f in columns and (limit := rules[f].limit if f in rules else None) is not None
        ]
        self.pad: list[object] = [None] * width
        absent = width  # every row is padded to `width` cells plus one None, read for columns the file lacks

        def positions(fields: tuple[str, ...]) -> itemgetter[Any]:
            return itemgetter(*(columns[f].position if f in columns else absent for f in fields))

        self.pick_text, self.pick_typed = positions(self.TEXT_FIELDS), positions(self.TYPED_FIELDS)
        self.ids = [i for i, f in enumerate(self.TEXT_FIELDS) if f in ID_FIELDS]

        def money(field: str) -> Callable[[object], Decimal | None]:
            scale = columns[field].scale if field in columns else 1
            return values.remembered(lambda c: values.money(c, scale))

        self.value, self.income = money("original_value"), money("contract_annual_income")
        self.funds = [
            (source, columns[f"fund:{source.value}"].position, money(f"fund:{source.value}"))
            for source in FundSource
            if f"fund:{source.value}" in columns
        ]
        self.date = values.remembered(values.date)
        self.year = values.remembered(values.year)
        self.quantity = values.remembered(values.quantity)
        self.households = values.remembered(values.households)
        self.register = _enum_reader(Register)
        self.fund_source = _enum_reader(FundSource)
        self.status = _enum_reader(AssetStatus)
        self.mode = _enum_reader(OperatingMode)
        self.owner_kind = _enum_reader(OwnerKind)
        self.places: dict[tuple[str | None, ...], str] = {}  # (code, county, township, village) -> place

    def draft(self, cells: list[object]) -> AssetDraft | None:
        try:
            return self._draft(cells)
        except (ValueError, LookupError, ArithmeticError, TypeError):  # CellError is a ValueError
            return None

    def _draft(self, cells: list[object]) -> AssetDraft | None:
        if len(cells) != self.width:
            cells = (cells + self.pad)[: self.width]
        padded = [*cells, None]
        text = values.text  # each text cell as values.text reads it, the usual case (a str) inline: a placeholder
        words, marks, placeholder = values.PLACEHOLDER_WORDS, values.MARKS, values.placeholder  # (—, /, 无) is None
        picked = self.pick_text(padded)
        texts = [
            None if c is None
            else (None if not (s := c.strip()) or s in words or (s[0] in marks and placeholder(s)) else s)
            if c.__class__ is str
            else text(c)
            for c in picked
        ]  # fmt: skip
        for i in self.ids:  # identifiers folded as the careful reader folds them (a refused one raises: declined)
            texts[i] = values.identifier(picked[i])
        for i, limit in self.limits:  # over-long text: left to the careful reader to word
            long = texts[i]
            if long is not None and len(long) > limit:
                return None
        if ONE_LINE_REFUSED.search("".join(filter(None, texts))):  # control characters, or lines where the
            return None  # field allows them: the careful reader decides
        (
            asset_id, name, code, county, township, village, category, location, project, implementer, unit,
            operator, household, head, owner, confirm_doc, handed_by, handover_doc, custodian, duties,
        ) = texts  # fmt: skip
        (
            c_register, c_value, c_fund_source, c_status, c_year, c_quantity, c_mode, c_start, c_end, c_income,
            c_kind, c_confirmed, c_handed, c_since, c_acquired, c_households, c_accepted,
        ) = self.pick_typed(padded)  # fmt: skip
        register, value = self.register(c_register), self.value(c_value)
        if asset_id is None or name is None or register is None or value is None:
            return None
        place = self._place(code, county, township, village)
        parts = []
        for source, position, read in self.funds:
            cell = cells[position]
            if cell is not None and cell != "":  # what `read` gives None for without parsing
                amount = read(cell)
                if amount:
                    parts.append((source, amount))
        single = self.fund_source(c_fund_source)
        if single is not None and not parts:
            parts.append((single, value))
        date = self.date
        kind, confirmed = self.owner_kind(c_kind), date(c_confirmed)
        handed, acquired, year = date(c_handed), date(c_acquired), self.year(c_year)
        ownership = None
        if owner or kind or confirmed:
            found = resolve_ownership(
                kind, owner, confirmed, confirm_doc, (handed, acquired, year), self.regions.place_of(place),
                self.regions, (head, household),
            )  # fmt: skip
            if not isinstance(found, Ownership):
                return None
            ownership = found
        handover = Handover(handed, handed_by, handover_doc) if handed else None
        custody = None
        if custodian:
            since = date(c_since)
            start = since or handed or confirmed
            if start is None or (since is not None and custody_start_problem(since, acquired, year)):
                return None  # the careful reader words the finding
            custody = Custody(custodian, start, duties)
        draft = AssetDraft(
            asset_id=asset_id,
            name=name,
            register=register,
            region_code=place,
            original_value=value,
            funding=tuple(parts),
            status=self.status(c_status) or AssetStatus.IN_USE,
            ownership=ownership,
            handover=handover,
            custody=custody,
            category=category,
            location=location,
            project_name=project,
            build_year=year,
            acquired_on=acquired,
            accepted_on=date(c_accepted),
            implementer=implementer,
            quantity=self.quantity(c_quantity),
            unit=unit,
            operating_mode=self.mode(c_mode),
            operator=operator,
            contract_start=date(c_start),
            contract_end=date(c_end),
            contract_annual_income=self.income(c_income),
            household_id=household,
            household_head=head,
            beneficiary_households=self.households(c_households),
        )
        return None if register_problems(draft, self.today) else draft

    def _place(self, code: str | None, county: str | None, township: str | None, village: str | None) -> str:
        key = (code, county, township, village)
        found = self.places.get(key)
        if found is None:  # names that disagree with the code raise: the careful reader words it
            found = self.places[key] = self.regions.locate(*key).code
        return found


def _enum_reader(kind: type[E]) -> Callable[[object], E | None]:
    def parse(cell: object) -> E | None:
        text = values.text(cell)
        return None if text is None else kind.parse(text)

    return values.remembered(parse)


def parse_assets(table: Table, regions: RegionIndex, rules: Mapping[str, TextRule], *, today: dt.date) -> ParsedAssets:
    """Every row that is a valid asset becomes a draft; every bad cell becomes a finding (with its row).

    `rules`: what each text field may hold (the column that stores it: its length, one line or several), checked
    here so that a control character or an over-long cell is a finding naming its row and column, in a dry run too,
    never a failed INSERT. `today`: the service's date, for the register rules that need it (a build year after
    this one, domain/assets.register_problems)."""
    mapped = map_header(table.header, INDEX, table.unit)  # 单位：万元 above the header: said in the import's notes
    columns = {c.field: c for c in mapped}
    findings: list[Finding] = []
    seen_fields: dict[str, str] = {}
    for c in mapped:
        if c.field in seen_fields:
            shown = column_name(c.field, c.header)
            findings.append(Finding(table.source, 1, shown, None, f"same column as {seen_fields[c.field]!r}"))
        seen_fields[c.field] = c.header
    missing = [column_name(f) for f in REQUIRED if f not in columns]
    if "region_code" not in columns and "village" not in columns and "township" not in columns:
        missing.append("村 / 乡镇 / 行政区划代码 (village / township / region code)")
    for shown in missing:
        findings.append(Finding(table.source, None, shown, None, MISSING_COLUMN))
    used = {c.position for c in mapped}
    ignored = tuple(h.strip() for i, h in enumerate(table.header) if i not in used and h and h.strip())
    if findings:
        return ParsedAssets([], findings, [], ignored)
    value = columns["original_value"]
    findings += total_findings(table, value, column_name("original_value", value.header))  # 合计 against the rows
    rules = {f: r for f, r in rules.items() if f in _FastRows.TEXT_FIELDS}  # enum cells: their parser decides
    drafts = []
    ids = []
    fast = _FastRows(len(table.header), columns, regions, rules, today)
    for number, cells in table.rows:
        quick = fast.draft(cells)
        if quick is not None:
            drafts.append((number, quick))
            ids.append((number, quick.asset_id))
            continue
        row = CellRow(table.source, number, cells, columns)
        draft = _draft(row, regions, rules, today)
        findings.extend(row.findings)
        asset_id = row.text("asset_id")
        if asset_id is not None and "asset_id" not in row.failed:
            ids.append((number, asset_id))
        if draft is not None and not row.findings:
            drafts.append((number, draft))
    return ParsedAssets(drafts, findings, ids, ignored, column_name("asset_id", columns["asset_id"].header))


def _draft(
    row: CellRow, regions: RegionIndex, rules: Mapping[str, TextRule], today: dt.date | None = None
) -> AssetDraft | None:
    for field in _FastRows.TEXT_FIELDS:
        written = row.text(field)
        problem = None if written is None else text_problem(written, rules.get(field, TextRule()))
        if written is not None and problem is not None:
            row.fail(field, problem, shown(written))
    asset_id = row.text("asset_id")
    if asset_id is None and "asset_id" not in row.unreadable:
        row.fail("asset_id", EMPTY_CELL, row.written("asset_id"))  # a placeholder (—, /, 无) is shown
    name = row.text("name")
    if name is None:
        row.fail("name", EMPTY_CELL, row.written("name"))
    register = row.enum("register", Register)
    if register is None and row.text("register") is None:
        row.fail("register", EMPTY_REGISTER, row.written("register"))
    value = row.money("original_value")
    if value is None and "original_value" not in row.failed:  # (an unreadable amount is named by row.money)
        row.fail("original_value", EMPTY_CELL, row.written("original_value"))
    place = _place(row, regions)
    funding = _funding(row, value)
    status = row.enum("status", AssetStatus) or AssetStatus.IN_USE
    draft_fields = {
        "category": row.text("category"),
        "location": row.text("location"),
        "project_name": row.text("project_name"),
        "build_year": row.get("build_year", values.year),
        "acquired_on": row.get("acquired_on", values.date),
        "accepted_on": row.get("accepted_on", values.date),
        "implementer": row.text("implementer"),
        "quantity": row.get("quantity", values.quantity),
        "unit": row.text("unit"),
        "operating_mode": row.enum("operating_mode", OperatingMode),
        "operator": row.text("operator"),
        "contract_start": row.get("contract_start", values.date),
        "contract_end": row.get("contract_end", values.date),
        "contract_annual_income": row.money("contract_annual_income"),
        "household_id": row.text("household_id"),
        "household_head": row.text("household_head"),
        "beneficiary_households": row.get("beneficiary_households", values.households),
    }
    ownership, handover, custody = _confirmation(row, regions, place, draft_fields)
    if row.findings or asset_id is None or name is None or register is None or value is None or place is None:
        return None
    draft = AssetDraft(
        asset_id=asset_id,
        name=name,
        register=register,
        region_code=place,
        original_value=value,
        funding=funding,
        status=status,
        ownership=ownership,
        handover=handover,
        custody=custody,
        **draft_fields,  # type: ignore[arg-type]
    )
    for field, reason in register_problems(draft, today):
        if field == "funding":
            field = next((f for f in row.columns if f.startswith("fund")), "original_value")
        row.fail(field if field in row.columns else "register", reason, row.raw(field))
    return draft


# Cells an ownership is read from: when one of them is refused, that finding is enough.
_OWNERSHIP_FIELDS = frozenset({"owner_kind", "confirmed_on", "handed_over_on", "acquired_on", "build_year"})


def _place(row: CellRow, regions: RegionIndex) -> str | None:
    code = row.text("region_code")
    names = (row.text("county"), row.text("township"), row.text("village"))
    try:
        return regions.locate(code, *names).code
    except LookupError as exc:
        field = "region_code" if code is not None else _failed_level(regions, *names)
        row.fail(field, str(exc), row.text(field))
        return None


def _failed_level(regions: RegionIndex, county: str | None, township: str | None, village: str | None) -> str:
    """The column to blame when the names do not lead to a place: the first level that is unknown (or missing)."""
    try:
        regions.find(county, None, None)
    except LookupError:
        return "county"
    if township is None:
        return "township"  # a village needs its township
    try:
        regions.find(county, township, None)
    except LookupError:
        return "township"
    return "village"


def _funding(row: CellRow, value: Decimal | None) -> tuple[tuple[FundSource, Decimal], ...]:
    parts = []
    for source in FundSource:
        amount = row.money(f"fund:{source.value}")
        if amount:
            parts.append((source, amount))
    single = row.enum("fund_source", FundSource)
    if single is not None and not parts and value is not None:
        parts.append((single, value))
    return tuple(parts)


def _confirmation(
    row: CellRow, regions: RegionIndex, place: str | None, fields: Mapping[str, Any]
) -> tuple[Ownership | None, Handover | None, Custody | None]:
    owner = row.text("owner_name")
    kind = row.enum("owner_kind", OwnerKind)
    confirmed = row.get("confirmed_on", values.date)
    handed = row.get("handed_over_on", values.date)
    ownership = None
    if (owner or kind or confirmed) and place is not None and not row.failed & _OWNERSHIP_FIELDS:
        dates = (handed, fields["acquired_on"], fields["build_year"])
        household = (fields["household_head"], fields["household_id"])
        found = resolve_ownership(kind, owner, confirmed, row.text("confirm_doc"), dates, regions.place_of(place),
                                  regions, household)  # fmt: skip
        if isinstance(found, Unresolved):
            row.fail(found.field, found.reason, row.raw(found.field))
        else:
            ownership = found
    handover = Handover(handed, row.text("handed_over_by"), row.text("handover_doc")) if handed else None
    custodian = row.text("custodian")
    custody = None
    if custodian:
        since: dt.date | None = row.get("custodian_since", values.date)
        start = since or handed or confirmed
        early = since and custody_start_problem(since, fields["acquired_on"], fields["build_year"])
        if start is None:
            row.fail("custodian_since", "管护主体 custodian needs a start date: 管护起始日期, 移交日期 or 确权日期")
        elif early:
            row.fail("custodian_since", early)
        else:
            custody = Custody(custodian, start, row.text("custodian_duties"))
    return ownership, handover, custody
