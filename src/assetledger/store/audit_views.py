"""The audit views: everything an auditor's SQL may read, each limited to the auditor's regions.

One definition serves both databases: the SQLite reader builds them as TEMP views on a connection of its own,
`assetledger db upgrade` builds them as views in the PostgreSQL auditor role's schema. Money is integer fen
(`*_fen` columns, exact everywhere). No view reaches a credential (user_passwords, web_sessions): v_user_grants shows
who was granted which role over which region, by whom and when, and nothing else. Households show only what a public
notice shows (head, category, persons) plus the dates that decide eligible months; free-text notes are left out.
Columns that are not register fields carry their Chinese and English labels (`labels`), kept as column comments
on PostgreSQL like the register's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assetledger.domain.inventory import INVENTORY_LOSS_ACCOUNT
from assetledger.domain.journal import EntryKind
from assetledger.domain.register_fields import by_column


@dataclass(frozen=True)
class AuditView:
    name: str
    columns: str  # the select list
    source: str  # FROM ... JOIN ..., base tables written as {table}
    scope: tuple[str, ...]  # region-code columns: a row is visible when any of them is one of the reader's regions
    labels: tuple[tuple[str, str], ...] = ()  # (column, "中文 English") for columns the register catalogue lacks


VIEWS: tuple[AuditView, ...] = (
    AuditView(
        "v_assets",
        "a.asset_id, a.name, a.register, a.category, a.county_code, a.township_code, a.village_code, a.build_year, "
        "a.original_value AS original_value_fen, a.current_value AS current_value_fen, a.status, a.owner_name, "
        "a.owner_kind, a.custodian, a.operator, a.project_name, a.operating_mode, a.contract_start, a.contract_end, "
        "a.confirmed_on, a.handed_over_on, a.disposed_on, a.household_id",
        "{assets} a",
        ("a.county_code", "a.township_code", "a.village_code"),
    ),
    AuditView(
        "v_postings",
        "e.id AS entry_id, e.entity_code, e.date, e.kind, e.asset_id, e.narration, a.name AS account, "
        "a.cn_name AS account_cn, p.amount AS amount_fen, e.ref, e.reverses_id, e.actor",
        "{postings} p JOIN {entries} e ON e.id = p.entry_id JOIN {accounts} a ON a.id = p.account_id "
        "JOIN {entities} n ON n.code = e.entity_code",
        ("n.region_code",),
    ),
    AuditView(
        "v_events",
        "ev.id, ev.asset_id, ev.kind, ev.event_date, ev.actor, ev.recorded_at",
        "{asset_events} ev JOIN {assets} s ON s.asset_id = ev.asset_id",
        ("s.county_code", "s.township_code", "s.village_code"),
    ),
    AuditView(
        "v_distributions",
        "d.id, d.village_code, d.period, d.rule_code, d.total AS total_fen, l.purpose, l.household_id, "
        "l.amount AS amount_fen",
        "{distributions} d JOIN {distribution_lines} l ON l.distribution_id = d.id",
        ("d.village_code",),
    ),
    AuditView(
        "v_payouts",
        "p.id, p.distribution_id, d.village_code, d.period, p.household_id, p.amount AS amount_fen, p.paid_on, "
        "p.entry_id",
        "{payouts} p JOIN {distributions} d ON d.id = p.distribution_id",
        ("d.village_code",),
    ),
    AuditView(
        "v_households",
        "h.household_id, h.village_code, h.head, h.category, h.persons, h.joined_on, h.left_on",
        "{households} h",
        ("h.village_code",),
    ),
    # Households attached to household-level assets (到户类) after registration: scoped by the asset's place (the
    # household is of the asset's village, services/asset_households.py), one row per attachment as recorded.
    AuditView(
        "v_asset_households",
        "ah.id, ah.asset_id, ah.household_id, h.head, h.village_code, ah.attached_on, ah.actor, ah.recorded_at",
        "{asset_households} ah JOIN {assets} a ON a.asset_id = ah.asset_id "
        "JOIN {households} h ON h.household_id = ah.household_id",
        ("a.county_code", "a.township_code", "a.village_code"),
        (
            ("id", "落实记录号 attachment number"),
            ("asset_id", "资产编号 asset id"),
            ("household_id", "户编号 household id"),
            ("head", "户主 head of household"),
            ("village_code", "村代码 village code"),
            ("attached_on", "落实到户日期 attached on"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Distribution notices published for villagers to read (公示上网): what the public pages show.
    AuditView(
        "v_notice_publications",
        "np.id, np.distribution_id, np.village_code, d.period, np.published_on, np.actor, np.recorded_at",
        "{notice_publications} np JOIN {distributions} d ON d.id = np.distribution_id",
        ("np.village_code",),
        (
            ("id", "公示记录号 publication number"),
            ("distribution_id", "收益分配号 distribution number"),
            ("village_code", "村代码 village code"),
            ("period", "分配期间 period"),
            ("published_on", "公示日期 published on"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Objections raised against a distribution's notice during its objection period (异议), and their decisions: the
    # objection's text and who raised it are personal data, read by auditors as the roster is (v_households).
    AuditView(
        "v_notice_objections",
        "o.id, o.distribution_id, o.village_code, d.period, o.raised_on, o.household_id, o.raised_by, o.text, "
        "o.actor, o.recorded_at",
        "{notice_objections} o JOIN {distributions} d ON d.id = o.distribution_id",
        ("o.village_code",),
        (
            ("id", "异议记录号 objection number"),
            ("distribution_id", "收益分配号 distribution number"),
            ("village_code", "村代码 village code"),
            ("period", "分配期间 period"),
            ("raised_on", "提出日期 raised on"),
            ("household_id", "户编号 household id"),
            ("raised_by", "异议人 raised by"),
            ("text", "异议内容 objection"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    AuditView(
        "v_notice_objection_decisions",
        "od.id, od.objection_id, o.distribution_id, o.village_code, od.decided_on, od.outcome, od.reason, od.actor, "
        "od.recorded_at",
        "{notice_objection_decisions} od JOIN {notice_objections} o ON o.id = od.objection_id",
        ("o.village_code",),
        (
            ("id", "处理记录号 decision number"),
            ("objection_id", "异议记录号 objection number"),
            ("distribution_id", "收益分配号 distribution number"),
            ("village_code", "村代码 village code"),
            ("decided_on", "处理日期 decided on"),
            ("outcome", "处理结果 outcome (upheld 成立 / dismissed 不成立)"),
            ("reason", "处理理由 reason"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Acceptances of built assets (竣工验收), on the register yet or not: a correction is a later row for the id.
    AuditView(
        "v_asset_acceptances",
        "c.id, c.asset_id, c.name, c.county_code, c.township_code, c.village_code, c.accepted_on, c.document, "
        "c.actor, c.recorded_at",
        "{asset_acceptances} c",
        ("c.county_code", "c.township_code", "c.village_code"),
        (
            ("id", "验收记录号 acceptance number"),
            ("asset_id", "资产编号 asset id"),
            ("name", "资产名称 asset name"),
            ("county_code", "县代码 county code"),
            ("township_code", "乡镇代码 township code"),
            ("village_code", "村代码 village code"),
            ("accepted_on", "验收日期 accepted on"),
            ("document", "验收文号 acceptance document"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Operating contracts (经营合同), one row per contract and asset it covers, scoped by the asset's place, with its
    # early termination (解除/终止) when there is one. The free-text note is left out (it may name people).
    AuditView(
        "v_contracts",
        "c.id, c.code, ca.asset_id, c.operator, c.mode, c.signed_on, c.start_on, c.end_on, c.amount AS amount_fen, "
        "c.frequency, c.timing, c.paid_through, c.deposit AS deposit_fen, c.renews_id, t.terminated_on, "
        "t.reason AS termination_reason, c.actor, c.recorded_at",
        "{contracts} c JOIN {contract_assets} ca ON ca.contract_id = c.id JOIN {assets} a ON a.asset_id = ca.asset_id "
        "LEFT JOIN {contract_terminations} t ON t.contract_id = c.id",
        ("a.county_code", "a.township_code", "a.village_code"),
        (
            ("id", "合同记录号 contract number"),
            ("code", "合同编号 contract code"),
            ("asset_id", "资产编号 asset id"),
            ("operator", "经营主体 operator"),
            ("mode", "经营方式 operating mode"),
            ("signed_on", "签订日期 signed on"),
            ("start_on", "合同起始日期 start"),
            ("end_on", "合同截止日期 end"),
            ("amount_fen", "每期金额，单位：分 (each payment, in fen)"),
            ("frequency", "支付周期 payment frequency"),
            ("timing", "先付/后付 paid in advance or arrears"),
            ("paid_through", "已缴至 paid through"),
            ("deposit_fen", "保证金，单位：分 (deposit, in fen)"),
            ("renews_id", "续签的合同记录号 renews contract number"),
            ("terminated_on", "解除日期 terminated on"),
            ("termination_reason", "解除原因 termination reason"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Disposals (处置) with their approval and what they booked, scoped by the asset's place.
    AuditView(
        "v_disposals",
        "d.id, d.asset_id, d.method, d.disposed_on, d.proceeds AS proceeds_fen, d.book_value AS book_value_fen, "
        "d.gain AS gain_fen, d.approval_doc, d.approval_level, d.entity_code, d.entry_id, d.actor, d.recorded_at",
        "{disposals} d JOIN {assets} a ON a.asset_id = d.asset_id",
        ("a.county_code", "a.township_code", "a.village_code"),
        (
            ("id", "处置记录号 disposal number"),
            ("asset_id", "资产编号 asset id"),
            ("method", "处置方式 method"),
            ("disposed_on", "处置日期 disposed on"),
            ("proceeds_fen", "处置收入，单位：分 (proceeds, in fen)"),
            ("book_value_fen", "账面价值，单位：分 (book value, in fen)"),
            ("gain_fen", "处置损益（负数为损失），单位：分 (gain, negative for a loss, in fen)"),
            ("approval_doc", "批复文号 approval document"),
            ("approval_level", "批准级别 approved by"),
            ("entity_code", "记账主体 books of"),
            ("entry_id", "凭证号 entry id"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Inventories (清查) with their approved close when closed, scoped by the region each covers.
    AuditView(
        "v_inventories",
        "i.id, i.year, i.scope_level, i.scope_code, i.opened_on, i.actor, i.recorded_at, x.closed_on, x.approval_doc, "
        "x.actor AS closed_by, x.recorded_at AS closed_at",
        "{inventories} i LEFT JOIN {inventory_closes} x ON x.inventory_id = i.id",
        ("i.scope_code",),
        (
            ("id", "清查编号 inventory number"),
            ("year", "清查年度 year"),
            ("scope_level", "清查范围级别 scope level"),
            ("scope_code", "清查范围区划代码 scope region code"),
            ("opened_on", "开始日期 opened on"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
            ("closed_on", "结束日期 closed on"),
            ("approval_doc", "核销批复文号 approval document"),
            ("closed_by", "结束记录人 closed by"),
            ("closed_at", "结束记录时间 closed at"),
        ),
    ),
    # Every counted row of the sheets (盘点结果: in use, shortage 盘亏, damaged, idle, or a surplus 盘盈 found beyond
    # the register), as recorded: a later count of the same asset or surplus supersedes it by id order. Scoped by the
    # place of the sheet. The free-text note is left out.
    AuditView(
        "v_inventory_counts",
        "k.id, k.inventory_id, k.asset_id, k.place_code, k.result, k.condition, k.counted_by, k.counted_on, k.name, "
        "k.register, k.category, k.location, k.quantity, k.unit, k.value AS value_fen, k.custodian, k.actor, "
        "k.recorded_at",
        "{inventory_counts} k",
        ("k.place_code",),
        (
            ("id", "盘点记录号 count number"),
            ("inventory_id", "清查编号 inventory number"),
            ("asset_id", "资产编号 asset id"),
            ("place_code", "清查地区划代码 place code"),
            ("result", "结果 result"),
            ("condition", "状况 condition"),
            ("counted_by", "清查人 counted by"),
            ("counted_on", "清查日期 counted on"),
            ("name", "盘盈资产名称 surplus name"),
            ("register", "盘盈资产类别 surplus register"),
            ("category", "盘盈资产分类 surplus category"),
            ("location", "盘盈资产位置 surplus location"),
            ("quantity", "数量 quantity"),
            ("unit", "单位 unit"),
            ("value_fen", "盘盈资产价值，单位：分 (surplus value, in fen)"),
            ("custodian", "管护主体 custodian"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Shortages written off when an inventory closed (盘亏核销): each posting of a written-off asset's book value to
    # the loss account, with the entry that reverses it if one does. Scoped by the books' region, as v_postings.
    AuditView(
        "v_inventory_write_offs",
        "e.id AS entry_id, e.entity_code, e.date AS written_off_on, e.asset_id, p.amount AS amount_fen, e.ref, "
        "e.narration, r.id AS reversed_by_entry_id, e.actor, e.recorded_at",
        f"{{postings}} p JOIN {{entries}} e ON e.id = p.entry_id AND e.kind = '{EntryKind.INVENTORY.value}' "
        f"JOIN {{accounts}} ac ON ac.id = p.account_id AND ac.name = '{INVENTORY_LOSS_ACCOUNT[0]}' "
        "JOIN {entities} n ON n.code = e.entity_code LEFT JOIN {entries} r ON r.reverses_id = e.id",
        ("n.region_code",),
        (
            ("entry_id", "凭证号 entry id"),
            ("entity_code", "记账主体 books of"),
            ("written_off_on", "核销日期 written off on"),
            ("asset_id", "资产编号 asset id"),
            ("amount_fen", "核销金额（盘亏损失），单位：分 (amount written off, in fen)"),
            ("ref", "凭证引用 reference (inventory:清查编号:write-off:资产编号:科目)"),
            ("narration", "摘要 narration"),
            ("reversed_by_entry_id", "冲销凭证号 reversed by entry"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Maintenance-fund records (运维基金维修): each application, its decision and each spending as the rows of record,
    # scoped by the asset's place.
    AuditView(
        "v_maintenance_applications",
        "m.id, m.asset_id, m.applied_on, m.amount AS amount_fen, m.reason, m.decision, m.decided_on, m.approves_id, "
        "m.entry_id, m.actor, m.recorded_at",
        "{maintenance_applications} m JOIN {assets} a ON a.asset_id = m.asset_id",
        ("a.county_code", "a.township_code", "a.village_code"),
        (
            ("id", "维修记录号 maintenance record number"),
            ("asset_id", "资产编号 asset id"),
            ("applied_on", "申请日期 applied on"),
            ("amount_fen", "金额（申请或支出），单位：分 (amount applied for or spent, in fen)"),
            ("reason", "申请原因 reason"),
            ("decision", "审批结果 decision (approved/refused/spent)"),
            ("decided_on", "审批或支出日期 decided or spent on"),
            ("approves_id", "所属申请记录号 application number"),
            ("entry_id", "凭证号 entry id"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Custodians (管护) of assets from a date, every assignment as recorded, scoped by the asset's place.
    AuditView(
        "v_custodian_assignments",
        "g.id, g.asset_id, g.custodian, g.duties, g.start_on, g.actor, g.recorded_at",
        "{custodian_assignments} g JOIN {assets} a ON a.asset_id = g.asset_id",
        ("a.county_code", "a.township_code", "a.village_code"),
        (
            ("id", "管护记录号 custody number"),
            ("asset_id", "资产编号 asset id"),
            ("custodian", "管护主体 custodian"),
            ("duties", "管护责任 duties"),
            ("start_on", "管护起始日期 from"),
            ("actor", "记录人 recorded by"),
            ("recorded_at", "记录时间 recorded at"),
        ),
    ),
    # Who was granted which role over which region, by whom and when (revocations are later rows): the grants whose
    # region lies within the reader's. Never a password or a web session. `revoked` is 1 or 0 on every database.
    AuditView(
        "v_user_grants",
        "u.id, u.name, u.role, u.scope, CASE WHEN u.revoked THEN 1 ELSE 0 END AS revoked, u.granted_by, u.granted_at",
        "{user_grants} u",
        ("u.scope",),
        (
            ("id", "授权记录号 grant number"),
            ("name", "用户名 user"),
            ("role", "角色 role"),
            ("scope", "授权范围区划代码 scope region code"),
            ("revoked", "已撤销（1 是，0 否） revoked (1 yes, 0 no)"),
            ("granted_by", "授权人 granted by"),
            ("granted_at", "授权时间 granted at"),
        ),
    ),
    AuditView(
        "v_entities",
        "n.code AS entity_code, n.name, n.kind, n.region_code, n.county_code, n.books_start",
        "{entities} n",
        ("n.region_code",),
    ),
    AuditView(
        "v_accounts",
        "a.id AS account_id, a.entity_code, a.name AS account, a.cn_name AS account_cn, a.opened_on, a.asset_id",
        "{accounts} a JOIN {entities} n ON n.code = a.entity_code",
        ("n.region_code",),
    ),
    AuditView(
        "v_regions",
        "r.code, r.name, r.level, r.parent_code, r.county_code",
        "{regions} r",
        ("r.code",),
    ),
)
VIEW_NAMES = tuple(view.name for view in VIEWS)


class _Tables(dict[str, str]):
    def __init__(self, table: Callable[[str], str]) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, name: str) -> str:
        return self._table(name)


def column_comments(view: AuditView) -> dict[str, str]:
    """What each register column of the view holds, as the catalogue names it (domain/register_fields.py): kept as
    column comments where the database has them (PostgreSQL), so an auditor's psql (\\d+) shows 确权主体 owner; the
    view's own `labels` for the columns of other tables."""
    comments = dict(view.labels)
    if not view.source.startswith("{assets} "):
        return comments
    for part in view.columns.split(","):
        expression, _, alias = part.strip().partition(" AS ")
        column = expression.rsplit(".", 1)[-1]
        found = by_column(column)
        if found is not None:
            money = "，单位：分 (in fen)" if alias.endswith("_fen") else ""
            comments[alias or column] = f"{found.zh} {found.en}{money}"
    return comments


def select_sql(view: AuditView, table: Callable[[str], str], scope: Callable[[tuple[str, ...]], str] | None) -> str:
    """The view's SELECT with base tables named by `table` and, unless `scope` is None, its scope filter."""
    sql = f"SELECT {view.columns} FROM {view.source.format_map(_Tables(table))}"
    return sql if scope is None else f"{sql} WHERE {scope(view.scope)}"
