"""Read an evaluation and award policy (绩效评价奖励办法) from TOML.

Bad files are refused with every problem listed, each naming the file, the key (or row and column) and the value.
A policy that takes every award from given results (the province's 等次 and 名次 or 得分) computes nothing here:
its [[indicators]] and [grades] may be left out (ledgers/policy/awards-consolidation-example.toml).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from assetledger.domain.award_ranking import Gaps, Ties
from assetledger.domain.awards import (
    COMPUTATIONS,
    PARAMS,
    AwardPolicy,
    Band,
    Grade,
    GradeAward,
    GradeSource,
    IndicatorSpec,
    Missing,
    RankAward,
    Ranking,
    TieKey,
)
from assetledger.domain.money import (
    IN_DIGITS,
    MAX_AMOUNT,
    NOT_FINITE,
    ZERO,
    MoneyFormatError,
    parse_money,
    parse_number,
)
from assetledger.errors import Finding, InputError

LEVELS = ("county", "township", "village")
TOP_KEYS = {
    "code", "title", "edition", "level", "fund", "scope", "scoring", "grades", "awards", "asset_support", "indicators"
}  # fmt: skip
INDICATOR_KEYS = {"code", "compute", "label", "weight", "bands", "otherwise", "missing", "params"}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER_LIMIT = Decimal(1_000_000_000)  # the most any policy figure (weight, band bound, yield) may be, either sign
# Column names of the result and detail tables: an indicator code may not take one of them.
RESERVED = {"rank", "region_code", "region_name", "weight_share", "score", "grade", "external_grade", "grade_award",
            "rank_award", "award", "explanation", "indicator", "label", "compute", "weight", "value", "numerator",
            "denominator", "points", "scored", "points_lost", "reason"}  # fmt: skip


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.findings: list[Finding] = []

    def fail(self, key: str, value: object, reason: str) -> None:
        shown = None if value is None else (value if isinstance(value, str) else repr(value))
        self.findings.append(Finding(self.source, None, key, shown, reason))

    def table(self, data: Mapping[str, Any], key: str, name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, Mapping):
            self.fail(key, value, "应为一个表 (must be a table)")
            return {}
        return value

    def number(
        self, key: str, value: object, low: Decimal | None = None, high: Decimal | None = None
    ) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail(key, value, "不是数字 (not a number)")
            return None
        try:
            number = parse_number(value)  # plain digits: no exponent, NaN or infinity; huge ints refused
        except MoneyFormatError as exc:
            self.fail(key, value, str(exc) if str(exc) in (IN_DIGITS, NOT_FINITE) else "不是数字 (not a number)")
            return None
        # Unbounded ends are bounded anyway, so that every sum and product of policy figures stays exact.
        low = -NUMBER_LIMIT if low is None else low
        high = NUMBER_LIMIT if high is None else high
        if not low <= number <= high:
            self.fail(key, value, f"应为 {low} 至 {high} 之间的数 (must be a number from {low} to {high})")
            return None
        return number

    def money(self, key: str, value: object) -> Decimal | None:
        try:
            return parse_money(value)
        except MoneyFormatError as exc:
            self.fail(key, value, f"应为最多两位小数的金额（元） (an amount in yuan with at most two decimals: {exc})")
            return None

    def text(self, data: Mapping[str, Any], key: str, name: str, default: str | None = None) -> str | None:
        value = data.get(name, default)
        if value is None:
            self.fail(key, None, "缺少必填项 (required key is missing)")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, value, "不能为空 (must be non-empty text)")
            return None
        return value.strip()

    def choice(self, data: Mapping[str, Any], key: str, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = data.get(name, default)
        if value not in allowed:
            self.fail(key, value, f"应为以下之一：{', '.join(allowed)} (write one of {', '.join(allowed)})")
            return default
        return str(value)

    def unknown(self, data: Mapping[str, Any], prefix: str, known: set[str]) -> None:
        for name in data:
            if name not in known:
                self.fail(
                    f"{prefix}{name}",
                    data[name],
                    f"未知的键，可用的键：{', '.join(sorted(known))} (unknown key; known: {', '.join(sorted(known))})",
                )


def parse_policy(path: Path) -> AwardPolicy:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            [Finding(str(path), None, None, None, f"无法读取奖励办法文件 (cannot read policy file: {exc})")]
        ) from exc
    return parse_policy_text(raw, str(path), path.name)


def parse_policy_text(raw: bytes, source: str, name: str) -> AwardPolicy:
    """A policy from its TOML bytes; `source` names it in findings, `name` in the policy's source (with its
    sha256)."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            [Finding(source, None, None, None, f"无法读取奖励办法文件 (cannot read policy file: {exc})")]
        ) from exc
    r = _Reader(source)
    r.unknown(data, "", TOP_KEYS)
    code = r.text(data, "code", "code")
    title = r.text(data, "title", "title")
    edition = r.text(data, "edition", "edition") if "edition" in data else None  # e.g. "2025年版": beside the title
    level = r.choice(data, "level", "level", LEVELS, "county")
    fund = r.text(data, "fund", "fund", "奖励资金") or "奖励资金"

    scope = r.table(data, "scope", "scope")
    r.unknown(scope, "scope.", {"code_prefix", "exclude"})
    prefix = scope.get("code_prefix")
    if prefix is not None and (not isinstance(prefix, str) or not prefix.isdigit()):
        r.fail(
            "scope.code_prefix",
            prefix,
            "区划代码前缀，只写数字，如“3609”表示该市的各县 "
            "(a region code prefix: digits, e.g. '3609' for a city's counties)",
        )
        prefix = None
    exclude = scope.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(c, str) for c in exclude):
        r.fail("scope.exclude", exclude, "应为区划代码的列表（文本） (a list of region codes (text))")
        exclude = []

    scoring = r.table(data, "scoring", "scoring")
    r.unknown(scoring, "scoring.", {"missing", "min_weight_share", "tie_break"})
    default_missing = Missing(r.choice(scoring, "scoring.missing", "missing", tuple(Missing), "exclude"))
    min_share = r.number("scoring.min_weight_share", scoring.get("min_weight_share", 50), Decimal(0), Decimal(100))

    awards = r.table(data, "awards", "awards")
    r.unknown(awards, "awards.", {"combine", "grade", "rank"})
    combine = r.choice(awards, "awards.combine", "combine", ("sum", "higher"), "sum")
    grade_award = _grade_award(r, awards["grade"]) if "grade" in awards else None
    rank_award = _rank_award(r, awards["rank"]) if "rank" in awards else None
    if grade_award is None and rank_award is None:
        r.fail(
            "awards",
            None,
            "请给出 [awards.grade] 或 [awards.rank]（或两者） (give [awards.grade] or [awards.rank] (or both))",
        )
    if combine == "sum" and grade_award is not None and rank_award is not None:
        most = max(grade_award.amounts.values(), default=ZERO) + max(rank_award.amounts, default=ZERO)
        if most > MAX_AMOUNT:  # each amount is bounded when read; a unit's two awards together are one payment
            r.fail(
                "awards",
                f"{most:,.2f}",
                f"一个单位的等次奖励与名次奖励合计最多 {MAX_AMOUNT:,.2f} 元（10亿元） (a unit's grade and rank awards "
                f"together are at most {MAX_AMOUNT:,.2f} yuan, the bound of every amount)",
            )
    # Nothing computed here when every award reads given results: no indicators and no grade thresholds needed.
    all_given = (
        (grade_award is not None or rank_award is not None)
        and (grade_award is None or grade_award.source is GradeSource.EXTERNAL)
        and (
            rank_award is None
            or (rank_award.source is GradeSource.EXTERNAL and rank_award.ranking is not Ranking.COMPUTED)
        )
    )
    if all_given and "indicators" not in data:
        indicators: tuple[IndicatorSpec, ...] = ()
    else:
        indicators = _indicators(r, data.get("indicators"), default_missing, all_given)
    tie_break = _tie_break(r, scoring.get("tie_break", ["score", "region_code"]), {i.code for i in indicators})
    grading = indicators or not all_given or "grades" in data  # a score computed here needs its grade thresholds
    thresholds = _thresholds(r, r.table(data, "grades", "grades")) if grading else ()

    support = r.table(data, "asset_support", "asset_support")
    r.unknown(support, "asset_support.", {"min_yield"})
    min_yield = r.number("asset_support.min_yield", support.get("min_yield", 6), Decimal(0))
    if r.findings:
        raise InputError(r.findings)
    assert code and title and min_share is not None and min_yield is not None
    return AwardPolicy(
        code=code, title=title, edition=edition, level=level, fund=fund, indicators=indicators, thresholds=thresholds,
        grade_award=grade_award, rank_award=rank_award, combine=combine, tie_break=tie_break,
        min_weight_share=min_share, code_prefix=prefix, exclude=frozenset(exclude), asset_min_yield=min_yield,
        source=f"{name} sha256:{hashlib.sha256(raw).hexdigest()[:12]}",
    )  # fmt: off


def _indicators(r: _Reader, raw: object, default_missing: Missing, all_given: bool) -> tuple[IndicatorSpec, ...]:
    if not isinstance(raw, list) or not raw:
        if not all_given:
            shown = (
                "请至少给出一个 [[indicators]] 表，或全部奖励都按上级给出的结果 "
                "(give at least one [[indicators]] table, or take every award from given results)"
            )
            r.fail("indicators", None if raw is None else raw, shown)
        elif raw != []:
            r.fail("indicators", raw, "应为 [[indicators]] 表的列表 (a list of [[indicators]] tables)")
        return ()
    specs: list[IndicatorSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        key = f"indicators[{i}]"
        if not isinstance(item, Mapping):
            r.fail(key, item, "应为一个表 (must be a table)")
            continue
        before = len(r.findings)
        r.unknown(item, f"{key}.", INDICATOR_KEYS)
        compute = item.get("compute")
        if compute not in COMPUTATIONS:
            r.fail(
                f"{key}.compute",
                compute,
                f"未知的计算方法，可用的方法：{', '.join(COMPUTATIONS)} (unknown "
                f"computation; built in: {', '.join(COMPUTATIONS)})",
            )
            compute = None
        code = item.get("code", compute)
        if not isinstance(code, str) or not _CODE.match(code):
            r.fail(
                f"{key}.code",
                code,
                "只能用小写字母、数字和 _（并列规则中用它指代指标） "
                "(lower-case letters, digits and _ (it names the indicator in tie rules))",
            )
        elif code in seen:
            r.fail(f"{key}.code", code, "指标代码重复 (the same indicator code twice)")
        elif code in RESERVED:
            r.fail(
                f"{key}.code",
                code,
                "这是结果表的列名，请另选代码 (a column name of the result tables; choose another code)",
            )
        else:
            seen.add(code)
        label = item.get("label", compute)
        if not isinstance(label, str) or not label.strip():
            r.fail(f"{key}.label", label, "不能为空 (must be non-empty text)")
        weight = r.number(f"{key}.weight", item.get("weight"), Decimal(0))
        if weight is not None and weight <= 0:
            r.fail(f"{key}.weight", item.get("weight"), "权重须大于 0 (a weight must be greater than 0)")
        higher, bands = _bands(r, key, item.get("bands"))
        otherwise = r.number(f"{key}.otherwise", item.get("otherwise", 0), Decimal(0), Decimal(100))
        missing = Missing(r.choice(item, f"{key}.missing", "missing", tuple(Missing), default_missing.value))
        params = _params(r, key, item.get("params", {}), str(compute))
        if len(r.findings) == before:
            assert weight is not None and otherwise is not None and isinstance(code, str) and isinstance(label, str)
            specs.append(IndicatorSpec(code, str(compute), label.strip(), weight, higher, bands, otherwise, missing,
                                       params))  # fmt: skip
    return tuple(specs)


def _bands(r: _Reader, key: str, raw: object) -> tuple[bool, tuple[Band, ...]]:
    """Bands by minimum (higher is better) or by maximum (lower is better), never both in one indicator."""
    if not isinstance(raw, list) or not raw:
        r.fail(
            f"{key}.bands",
            raw,
            "请给出分档列表，如 {min = 0.9, points = 100} 或 {max = 0.05, points = 100} (give a "
            "list of bands: {min = 0.9, points = 100} or {max = 0.05, points = 100})",
        )
        return True, ()
    kinds: set[str] = set()
    bands: list[Band] = []
    for j, band in enumerate(raw):
        bkey = f"{key}.bands[{j}]"
        if (
            not isinstance(band, Mapping)
            or set(band) - {"min", "max", "points"}
            or len(set(band) & {"min", "max"}) != 1
        ):
            r.fail(
                bkey,
                band,
                "分档应写作 {min = X, points = P} 或 {max = X, points = P} (a "
                "band is {min = X, points = P} or {max = X, points = P})",
            )
            continue
        kind = "min" if "min" in band else "max"
        kinds.add(kind)
        bound = r.number(f"{bkey}.{kind}", band[kind])
        points = r.number(f"{bkey}.points", band.get("points"), Decimal(0), Decimal(100))
        if bound is not None and points is not None:
            bands.append(Band(bound, points))
    if len(kinds) > 1:
        r.fail(
            f"{key}.bands",
            raw,
            "各档须都用 min（越高越好）或都用 max（越低越好） "
            "(use min for every band (higher is better) or max for every band (lower is better))",
        )
        return True, ()
    higher = kinds != {"max"}
    bounds = [b.bound for b in bands]
    if len(set(bounds)) != len(bounds):
        r.fail(f"{key}.bands", raw, "两个分档的界限相同 (two bands with the same bound)")
    ordered = sorted(bands, key=lambda b: -b.bound if higher else b.bound)
    if any(a.points < b.points for a, b in pairwise(ordered)):
        r.fail(
            f"{key}.bands",
            raw,
            "较好的值得分不能低于较差的值 (a better value must never score fewer points than a worse one)",
        )
    return higher, tuple(ordered)


def _params(r: _Reader, key: str, raw: object, compute: str) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        r.fail(f"{key}.params", raw, "应为一个表 (must be a table)")
        return {}
    allowed = PARAMS.get(compute, ())
    out: dict[str, int] = {}
    for name, value in raw.items():
        if name not in allowed:
            r.fail(
                f"{key}.params.{name}",
                value,
                f"{compute} 没有这个参数，可用的参数：{', '.join(allowed) or '-'} (unknown "
                f"parameter of {compute}; known: {', '.join(allowed) or '-'})",
            )
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            r.fail(f"{key}.params.{name}", value, "应为至少 1 的整数月数 (a whole number of months, at least 1)")
        else:
            out[name] = value
    return out


def _tie_break(r: _Reader, raw: object, codes: set[str]) -> tuple[TieKey, ...]:
    key = "scoring.tie_break"
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw) or not raw:
        r.fail(
            key,
            raw,
            '应为列表，如 ["score", "indicator:operating_yield", "region_code"] (a '
            'list such as ["score", "indicator:operating_yield", "region_code"])',
        )
        return (TieKey("score"), TieKey("region_code"))
    keys: list[TieKey] = []
    for i, item in enumerate(raw):
        if item in ("score", "region_code"):
            keys.append(TieKey(item))
        elif item.startswith("indicator:") and item.split(":", 1)[1] in codes:
            keys.append(TieKey("indicator", item.split(":", 1)[1]))
        else:
            known = ", ".join(f"indicator:{c}" for c in sorted(codes))
            r.fail(
                f"{key}[{i}]",
                item,
                f"应为 score、region_code 或以下指标之一：{known} (write score, region_code or one of {known})",
            )
    if raw[0] != "score":
        r.fail(key, raw, "按得分排名：第一条规则须是 score (ranking is by score: the first rule must be score)")
    if raw[-1] != "region_code" or raw.count("region_code") != 1:
        r.fail(
            key,
            raw,
            "最后一条规则须是 region_code（且只能在最后），以便分出所有并列 "
            "(the last rule must be region_code (and only the last), so that every tie is resolved)",
        )
    if len(set(raw)) != len(raw):
        r.fail(key, raw, "规则重复 (a rule named twice)")
    return tuple(keys)


def _thresholds(r: _Reader, raw: Mapping[str, Any]) -> tuple[tuple[Grade, Decimal], ...]:
    r.unknown(raw, "grades.", {"A", "B", "C"})
    out: list[tuple[Grade, Decimal]] = []
    for grade in (Grade.A, Grade.B, Grade.C):
        if grade.value not in raw:
            r.fail(
                f"grades.{grade.value}",
                None,
                f"缺少必填项：{grade.label}的最低分 (required key is missing: the minimum score of {grade.label})",
            )
            continue
        value = r.number(f"grades.{grade.value}", raw[grade.value], Decimal(0), Decimal(100))
        if value is not None:
            out.append((grade, value))
    if len(out) == 3 and not out[0][1] > out[1][1] > out[2][1]:
        shown = ", ".join(f"{g}={v}" for g, v in out)
        r.fail("grades", shown, "最低分须从 A 到 B 到 C 严格递减 (minimum scores must fall strictly from A to B to C)")
    return tuple(out)


def _source(r: _Reader, raw: Mapping[str, Any], key: str) -> GradeSource:
    return GradeSource(r.choice(raw, f"{key}.source", "source", tuple(GradeSource), "computed"))


def _grade_award(r: _Reader, raw: object) -> GradeAward | None:
    if not isinstance(raw, Mapping):
        r.fail("awards.grade", raw, "应为一个表 (must be a table)")
        return None
    r.unknown(raw, "awards.grade.", {"source", "amounts"})
    amounts_raw = raw.get("amounts")
    if not isinstance(amounts_raw, Mapping) or not amounts_raw:
        r.fail(
            "awards.grade.amounts",
            amounts_raw,
            "应为 等次 = 元 的表，如 {A = 300000} (a table of grade = yuan, e.g. {A = 300000})",
        )
        return None
    amounts: dict[Grade, Decimal] = {}
    for name, value in amounts_raw.items():
        try:
            grade = Grade.parse(name)
        except ValueError as exc:
            r.fail(f"awards.grade.amounts.{name}", value, str(exc))
            continue
        amount = r.money(f"awards.grade.amounts.{name}", value)
        if amount is not None:
            amounts[grade] = amount
    return GradeAward(amounts, _source(r, raw, "awards.grade"))


def _rank_award(r: _Reader, raw: object) -> RankAward | None:
    if not isinstance(raw, Mapping):
        r.fail("awards.rank", raw, "应为一个表 (must be a table)")
        return None
    r.unknown(raw, "awards.rank.", {"source", "amounts", "eligible_grades", "positions", "ranking", "ties", "gaps"})
    amounts_raw = raw.get("amounts")
    if not isinstance(amounts_raw, list) or not amounts_raw:
        r.fail(
            "awards.rank.amounts",
            amounts_raw,
            "应为第 1、2、3… 名的金额（元）列表 (a list of yuan for rank 1, 2, 3, ...)",
        )
        amounts_raw = []
    amounts = [r.money(f"awards.rank.amounts[{i}]", v) for i, v in enumerate(amounts_raw)]
    eligible_raw = raw.get("eligible_grades", ["A", "B", "C", "D"])
    eligible: set[Grade] = set()
    if not isinstance(eligible_raw, list):
        r.fail("awards.rank.eligible_grades", eligible_raw, '应为等次列表，如 ["A"] (a list of grades, e.g. ["A"])')
        eligible_raw = []
    for i, g in enumerate(eligible_raw):
        try:
            eligible.add(Grade.parse(str(g)))
        except ValueError as exc:
            r.fail(f"awards.rank.eligible_grades[{i}]", g, str(exc))
    positions = r.choice(raw, "awards.rank.positions", "positions", ("overall", "eligible"), "overall")
    ranking = Ranking(r.choice(raw, "awards.rank.ranking", "ranking", tuple(Ranking), Ranking.COMPUTED.value))
    ties = Ties(r.choice(raw, "awards.rank.ties", "ties", tuple(Ties), Ties.SHARE)) if "ties" in raw else None
    gaps = Gaps(r.choice(raw, "awards.rank.gaps", "gaps", tuple(Gaps), Gaps.KEEP)) if "gaps" in raw else None
    if ranking is Ranking.COMPUTED and (ties or gaps):  # the policy's own ranking has neither
        shown = (
            'ties 和 gaps 只用于上级给出的排名：ranking = "given_rank" 或 "given_score" (ties and '
            'gaps are for a given ranking: ranking = "given_rank" or "given_score")'
        )
        r.fail("awards.rank.ranking", ranking.value, shown)
    return RankAward(
        tuple(a for a in amounts if a is not None), frozenset(eligible), _source(r, raw, "awards.rank"),
        positions == "eligible", ranking, ties, gaps,
    )  # fmt: off
