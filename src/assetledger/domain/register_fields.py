"""The one catalogue of register fields (issue 20 item 6). Pure.

Each field of a register (台账) is described once: its code, its Chinese and English label, the other headers
counties write for it, how its cells are read, the register column that stores it, and whether `asset list` and its
export show it. The importer's header mapping (io/asset_rows.ALIASES), the labels every finding names
(domain/assets.FIELD_LABELS), the bulk change files (io/change_rows.py), the columns and headers of `asset list`
(services/asset_queries.LIST_COLUMNS, cli/asset.LIST_HEADERS) and the register's header in the inventory sheets and
reports are read from here, so a label is written once and cannot disagree with itself. The web can read the same
catalogue (`label(code, lang)`, `LIST_FIELDS`) for its column headers in Chinese and English.

Labels settled here: 资产类别 is the register (公益性/经营性/到户类; the name published registers and the vocabulary
use; 台账类别 is an alias), 资产分类 the kind of asset (道路, 冷库...; 资产小类 an alias), 确权层级 the level an asset
is confirmed to (确权级别 an alias), 资产状态 the status.

Parsers are named by kind (the readers live in io/values.py, which the domain does not import): text, region (a
name or code of the hierarchy), enum:<LabelledEnum>, date, year, money, quantity, households.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegisterField:
    code: str  # the field's name in drafts, findings and files' English headers
    zh: str  # the label users read and the header the system writes
    en: str
    aliases: tuple[str, ...] = ()  # other headers counties write for it (Chinese or English)
    parser: str = "text"
    column: str | None = None  # the assets column that stores it (None: stored elsewhere, or not stored)
    listed: bool = False  # shown by `asset list` and its export, in catalogue order
    imported: bool = True  # a column of a register file (`asset import`)

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header that names the field: its label first, then the aliases."""
        return (self.zh, *self.aliases)


def _f(code: str, zh: str, en: str, *aliases: str, parser: str = "text", column: str | None = "", listed: bool = False,
       imported: bool = True) -> RegisterField:  # fmt: skip
    return RegisterField(code, zh, en, aliases, parser, code if column == "" else column, listed, imported)


FIELDS: tuple[RegisterField, ...] = (
    _f("asset_id", "资产编号", "asset id", "资产编码", "资产代码", "编号", "asset id", listed=True),
    _f("name", "资产名称", "asset name", "名称", "asset_name", listed=True),
    _f("register", "资产类别", "register", "台账类别", "资产性质", "register_type", parser="enum:Register",
       listed=True),
    _f("category", "资产分类", "kind of asset", "资产种类", "资产小类", "资产类型", "kind", listed=True),
    _f("county", "县", "county", "县(区)", "县区", "所属县", "县(市、区)", parser="region", column="county_code",
       listed=True),
    _f("township", "乡镇", "township", "乡(镇)", "所属乡镇", "乡镇(街道)", parser="region", column="township_code",
       listed=True),
    _f("village", "村", "village", "行政村", "所属村", "村(社区)", parser="region", column="village_code", listed=True),
    _f("region_code", "行政区划代码", "region code", "区划代码", "所在地代码", parser="region", column=None),
    _f("location", "坐落位置", "location", "位置", "地点", "坐落"),
    _f("project_name", "项目名称", "project", "project"),
    _f("build_year", "建设年度", "build year", "项目年度", "年度", "year", parser="year", listed=True),
    _f("acquired_on", "取得日期", "acquisition date", "入账日期", "购置日期", "acquired", parser="date"),
    # 竣工验收: kept as an acceptance (asset_acceptances), the clock of the supervision rule 验收后未登记.
    _f("accepted_on", "验收日期", "acceptance date", "竣工验收日期", "验收时间", "accepted", parser="date",
       column=None),
    _f("implementer", "实施单位", "implementer", "项目实施单位", "建设单位"),
    _f("original_value", "资产原值", "original value", "原值", "账面原值", "资产价值", "value", parser="money",
       listed=True),
    _f("quantity", "数量", "quantity", "qty", parser="quantity"),
    _f("unit", "单位", "unit", "计量单位"),
    _f("status", "资产状态", "status", "使用状态", "状态", parser="enum:AssetStatus", listed=True),
    _f("fund_source", "资金来源", "fund source", "source", parser="enum:FundSource", column=None),
    _f("owner_name", "确权主体", "owner", "产权归属", "所有权人", "权属单位", "资产所有人", "owner", listed=True),
    _f("owner_kind", "确权层级", "ownership level", "确权级别", "确权级次", "确权到", "产权级别", "权属类型",
       "确权类型", parser="enum:OwnerKind", listed=True),
    _f("confirmed_on", "确权日期", "confirmation date", "确权时间", "confirmed", parser="date"),
    _f("confirm_doc", "确权文件", "confirmation document", "确权文号", "确权依据"),
    _f("handed_over_on", "移交日期", "handover date", "移交时间", "handover_date", parser="date"),
    _f("handed_over_by", "移交单位", "handed over by", "移交方"),
    _f("handover_doc", "移交文件", "handover document", "移交文号"),
    _f("custodian", "管护主体", "custodian", "管护责任人", "管护单位", listed=True),
    _f("custodian_duties", "管护责任", "custodian's duties", "管护职责", "duties"),
    _f("custodian_since", "管护起始日期", "custody start", "管护开始日期", parser="date"),
    _f("operating_mode", "经营方式", "operating mode", "经营模式", "mode", parser="enum:OperatingMode"),
    _f("operator", "经营主体", "operator", "承租方", "承包方"),
    _f("contract_start", "合同起始日期", "contract start", "合同开始日期", "合同起始日", parser="date"),
    _f("contract_end", "合同截止日期", "contract end", "合同到期日期", "合同结束日期", "合同到期日", parser="date"),
    _f("contract_annual_income", "年收益", "yearly income", "合同年租金", "年租金", "合同年收益", parser="money"),
    _f("household_id", "户编号", "household id", "农户编号", "户码"),
    _f("household_head", "户主姓名", "head of household", "户主", "受益农户"),
    _f("beneficiary_households", "受益户数", "beneficiary households", "受益农户数", "受益农户户数", "带动户数",
       "覆盖户数", "受益户", parser="households", column=None),
    # Register columns the system keeps (not read from a file): named on `asset show` and in exports.
    _f("current_value", "账面价值", "book value", parser="money", imported=False),
    _f("disposed_on", "处置日期", "disposal date", parser="date", imported=False),
    _f("registered_at", "登记时间", "registered at", imported=False),
    _f("registered_by", "登记人", "registered by", imported=False),
    _f("batch_id", "导入批次", "import batch", imported=False),
    # Not columns of a register file: the funding as a whole (findings on the sum of the fund columns), and the
    # columns of a status change file (`asset bulk status`).
    _f("funding", "资金来源", "funding", column=None, imported=False),
    _f("status_on", "变更日期", "date of the change", "状态变更日期", "生效日期", "日期", "date", parser="date",
       column=None, imported=False),
    _f("status_reason", "变更原因", "reason", "原因", "说明", "reason", column=None, imported=False),
)  # fmt: skip
BY_CODE = {f.code: f for f in FIELDS}
IMPORTED = tuple(f for f in FIELDS if f.imported)
LIST_FIELDS = tuple(f for f in FIELDS if f.listed)


def label(code: str, lang: str = "zh") -> str:
    """A field's label in a language ("zh" or "en"); the code itself for a field the catalogue does not know."""
    found = BY_CODE.get(code)
    if found is None:
        return code
    return found.en if lang == "en" else found.zh


def by_column(column: str) -> RegisterField | None:
    """The field a register column stores (county_code -> 县)."""
    return _BY_COLUMN.get(column)


def column_label(column: str) -> str:
    """A register column as users read it, Chinese with the English beside: '确权主体 owner'."""
    found = _BY_COLUMN.get(column)
    return column if found is None else f"{found.zh} {found.en}"


_BY_COLUMN = {f.column: f for f in FIELDS if f.column}
