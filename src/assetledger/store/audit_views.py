"""The audit views: everything an auditor's SQL may read, each limited to the auditor's regions.

One definition serves both databases: the SQLite reader builds them as TEMP views on a connection of its own,
`assetledger db upgrade` builds them as views in the PostgreSQL auditor role's schema. Money is integer fen
(`*_fen` columns, exact everywhere). No view reaches a credential (user_grants, user_passwords), and households
show only what a public notice shows (head, category, persons) plus the dates that decide eligible months.
Columns that are not register fields carry their Chinese and English labels (`labels`), kept as column comments
on PostgreSQL like the register's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
