"""Given results of an evaluation (e.g. the province's 巩固衔接考核 or 资金绩效评价), as a higher level sends them:
one row per unit with 区划代码 and any of 等次, 名次, 得分 (DOMAIN rule 18).

Headers in Chinese or English; title rows above the header, 序号 and 名称 are read knowingly (a name that differs
from the region's is noted). Nothing is dropped silently:
- a column this reader does not know is reported with the results as a note ("列 备注 未使用 (column 备注 is not
  used)") and does not stop the evaluation — a province's file carries remarks and columns of its own;
- a column it knows that the policy would not read (a 名次 when the policy ranks by its own score, a 等次 when its
  awards follow its own grades) is refused: that is how a county ranked first by the province got nothing;
- a column the policy needs and the file lacks, an unknown region, a region twice, an unreadable grade, rank or
  score are refused, every one listed with its row and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice, pairwise
from pathlib import Path
from typing import cast

from assetledger.domain.awards import AwardPolicy, Grade, Ranking
from assetledger.domain.money import MoneyFormatError, parse_number
from assetledger.domain.regions import short_code
from assetledger.errors import Finding, InputError
from assetledger.io import values
from assetledger.io.headers import build_index, map_header, normalise
from assetledger.io.tabular import CSV_ENCODINGS, read_table

GIVEN_HEADERS = build_index(
    {
        "region_code": ("区划代码", "行政区划代码", "代码", "县代码", "单位代码", "code"),
        "grade": ("等次", "评价等次", "考核等次", "等级", "评价结果", "考核结果"),
        "rank": ("名次", "排名", "考核名次", "排序", "名次排序"),
        "score": ("得分", "总分", "综合得分", "考核得分", "评价得分", "分数"),
        "name": ("名称", "单位名称", "县名称", "县(市、区)", "县(市区)", "县", "地区", "单位", "county"),
        "seq": ("序号", "编号", "no", "seq"),
        "year": ("年度", "年份", "考核年度", "评价年度", "year"),
    }
)
FIELD_LABELS = {"grade": "等次/grade", "rank": "名次/rank", "score": "得分/score"}
MAX_RANK = 100_000
MAX_SCORE = Decimal(1000)
_RANK = re.compile(r"^第?\s*(\d+)\s*名?$")
# A year as a title or a file name states it: 2025年度…, 2025年… — not a date (2026年1月5日, 2026-01-05).
_STATED_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年(?!\s*\d)")
_YEAR_CELL = re.compile(r"^(\d{4})\s*(?:年度?)?$")


@dataclass(frozen=True)
class GivenRow:
    row: int
    code: str
    name: str | None
    grade: Grade | None
    rank: int | None
    score: Decimal | None
    year: int | None = None  # the row's 年度, where the file has that column


@dataclass(frozen=True)
class StatedYear:
    """A year the file states: in its title (row above the header), its name (row None) or a 年度 cell."""

    year: int
    row: int | None
    column: str | None
    text: str


@dataclass(frozen=True)
class GivenResults:
    source: str  # the file, as the user named it
    digest: str  # file name and sha256: recorded with the awards it decided
    columns: Mapping[str, str]  # field (grade, rank, score, name) -> the header the file gives it
    rows: tuple[GivenRow, ...]
    notes: tuple[Finding, ...]  # columns not used: reported, never silently dropped
    years: tuple[StatedYear, ...] = ()  # every year the title, the file name and a 年度 column state

    def has(self, field: str) -> bool:
        return field in self.columns


def read_given(path: Path, source: str | None = None, sheet: str | None = None) -> GivenResults:
    """Read a given-results file (CSV or XLSX); `source` names it in findings (the upload's own name on the web).
    `sheet`: the workbook's sheet to read (else its one visible sheet with data); the digest names it."""
    table = read_table(path, sheet=sheet)
    shown = source or table.source
    columns = {c.field: c for c in map_header(table.header, GIVEN_HEADERS)}
    known = {normalise(c.header) for c in columns.values()}
    notes = tuple(
        Finding(shown, None, h.strip(), None, f"列 {h.strip()} 未使用 (column {h.strip()} is not used)")
        for h in table.header
        if h.strip() and normalise(h) not in known
    )
    findings = list(table.empty_findings())
    if "region_code" not in columns:
        findings.append(Finding(shown, None, None, ", ".join(table.header), "columns needed: 区划代码/region_code"))
    if not {"grade", "rank", "score"} & columns.keys():
        findings.append(Finding(shown, None, None, ", ".join(table.header), "give 等次, 名次 or 得分 (any of them)"))
    if findings:
        raise InputError(findings)
    rows: list[GivenRow] = []
    stated: list[StatedYear] = []
    seen: dict[str, int] = {}

    def cell(cells: list[object], field: str) -> object:
        col = columns.get(field)
        return cells[col.position] if col is not None and col.position < len(cells) else None

    for number, cells in table.rows:
        header = columns["region_code"].header
        code = values.text(cell(cells, "region_code"))
        if not code:
            findings.append(Finding(shown, number, header, None, "区划代码为空 (empty region code)"))
            continue
        if code in seen:
            findings.append(
                Finding(
                    shown,
                    number,
                    header,
                    code,
                    f"与第 {seen[code]} 行的区划重复 (the same region twice (row {seen[code]}))",
                )
            )
            continue
        seen[code] = number
        grade, rank, score = None, None, None
        text = values.text(cell(cells, "grade"))
        if text:
            try:
                grade = Grade.parse(text)
            except ValueError as exc:
                findings.append(Finding(shown, number, columns["grade"].header, text, str(exc)))
        raw = cell(cells, "rank")
        if not values.blank(raw):  # a dash (—) is no rank, as an empty cell
            rank = _rank(raw)
            if rank is None:
                reason = (
                    f"名次应为 1 至 {MAX_RANK} 的整数，如 1 或 第1名 "
                    f"(a rank is a whole number from 1 to {MAX_RANK}: 1, 第1名)"
                )
                findings.append(Finding(shown, number, columns["rank"].header, values.text(raw), reason))
        raw = cell(cells, "score")
        if not values.blank(raw):
            score = _score(raw)
            if score is None:
                reason = (
                    f"得分应为 0 至 {MAX_SCORE} 的数，最多四位小数 "
                    f"(a score is a number from 0 to {MAX_SCORE} with at most four decimals)"
                )
                findings.append(Finding(shown, number, columns["score"].header, values.text(raw), reason))
        year = None
        raw = values.text(cell(cells, "year"))
        if raw:
            match = _YEAR_CELL.match(raw)
            if match is None:
                reason = "年度应为四位数字，如 2025 或 2025年度 (a year is four digits: 2025, 2025年度)"
                findings.append(Finding(shown, number, columns["year"].header, raw, reason))
            else:
                year = int(match.group(1))
                stated.append(StatedYear(year, number, columns["year"].header, raw))
        rows.append(GivenRow(number, code, values.text(cell(cells, "name")), grade, rank, score, year))
    if findings:
        raise InputError(findings)
    name = path.name if source is None else Path(source).name
    stated += [StatedYear(int(y), row, None, text) for row, text in _above_header(path, table.header, sheet)
               for y in _STATED_YEAR.findall(text)]  # fmt: skip
    stated += [StatedYear(int(y), None, None, name) for y in _STATED_YEAR.findall(Path(name).stem)]
    digest = f"{name}{'' if sheet is None else f' [{sheet}]'} sha256:{_sha256(path)[:12]}"
    headers = {f: c.header for f, c in columns.items() if f in ("grade", "rank", "score", "name")}
    return GivenResults(shown, digest, headers, tuple(rows), notes, tuple(stated))


@dataclass(frozen=True)
class ResultsFile:
    """A given-results file and the policy it is for."""

    path: Path
    policy: str | None = None  # the code of the policy it is for; None: the one policy that takes given results
    name: str | None = None  # the file as findings name it (an upload's own name on the web); default: the path

    @property
    def shown(self) -> str:
        return self.name or str(self.path)


def given_results(
    policies: Sequence[AwardPolicy],
    files: Sequence[ResultsFile | str],
    *,
    sheet: str | None = None,
    source: str = "results",
) -> dict[str, GivenResults]:
    """Each results file matched to the policy it is for, read and checked (read_given): by policy code.

    A file names its policy by its code: `ResultsFile.policy`, or `CODE=FILE` written as text where CODE is one of
    the policies' codes (any other text is a file name alone, "=" and all). A file that names none is for the one
    policy that takes given results (the one policy, when none takes them) and refused when several could take it.
    Refused too, all listed together: a code no policy has, a second file for a policy, a file not found; then
    every problem of every file read. `source` is what the findings call the files as the caller took them (the
    CLI: its option, --results); `sheet`: the sheet read in each of them that is a workbook."""
    by_code = {p.code: p for p in policies}
    takers = [p.code for p in policies if p.given_fields()] or list(by_code)
    chosen: dict[str, ResultsFile] = {}
    findings: list[Finding] = []
    for item in files:
        file = _written(item, by_code) if isinstance(item, str) else item
        given = item if isinstance(item, str) else file.shown
        if file.policy is not None and file.policy not in by_code:
            reason = (
                f"没有代码为 {file.policy} 的办法（{', '.join(by_code)}） "
                f"(no policy has the code {file.policy}: {', '.join(by_code)})"
            )
            findings.append(Finding(source, None, None, file.policy, reason))
            continue
        target = file.policy if file.policy is not None else takers[0] if len(takers) == 1 else None
        if target is None:
            findings.append(Finding(source, None, None, given, _unnamed(takers, list(by_code))))
        elif target in chosen:
            findings.append(Finding(source, None, None, given, f"{target} 已有结果文件 (a second file for {target})"))
        elif not file.path.is_file():
            findings.append(Finding(source, None, None, file.shown, "找不到文件 (file not found)"))
        else:
            chosen[target] = file
    if findings:
        raise InputError(findings)
    given_by_code: dict[str, GivenResults] = {}
    for code, file in chosen.items():
        try:
            given_by_code[code] = read_given(file.path, source=file.name, sheet=sheet)
        except InputError as exc:
            findings += exc.findings
    if findings:
        raise InputError(findings)
    return given_by_code


def _written(text: str, by_code: Collection[str]) -> ResultsFile:
    """`CODE=FILE` as a user writes it, where CODE is one of the policies' codes; else FILE alone."""
    code, sep, file = text.partition("=")
    return ResultsFile(Path(file), code) if sep and code in by_code else ResultsFile(Path(text))


def _unnamed(takers: Sequence[str], codes: Sequence[str]) -> str:
    """Why a file that names no policy is refused: several policies could take it, or there is none."""
    if not takers:
        return "没有要评价的办法，结果文件无处可用 (no policy is evaluated to take the results)"
    return (
        f"有多个办法（{', '.join(codes)}），请写 CODE=FILE，如 {takers[0]}=results.csv "
        f"(several policies ({', '.join(codes)}): write CODE=FILE, e.g. {takers[0]}=results.csv)"
    )


def check_year(given: GivenResults, year: int) -> tuple[Finding, ...]:
    """Refuse results of another year than the one evaluated, naming the file and the row (the title row, a 年度
    cell, or the file's name) that states it; a file that states no year at all is noted, to be checked."""
    wrong = [
        Finding(given.source, s.row, s.column or ("文件名 (file name)" if s.row is None else "标题 (title)"), s.text,
                f"文件所列年度为 {s.year} 年，与评价年度 {year} 年不符 (the file is of {s.year}, the year evaluated is "
                f"{year})")
        for s in given.years if s.year != year
    ]  # fmt: skip
    if wrong:
        raise InputError(wrong)
    if given.years:
        return ()
    reason = (
        f"文件的标题、文件名和各行都未注明年度，请核对它是 {year} 年度的结果 (the file states no year in its title, "
        f"name or rows: check that it holds the results of {year})"
    )
    return (Finding(given.source, None, None, None, reason),)


def _above_header(path: Path, header: list[str], sheet: str | None) -> list[tuple[int, str]]:
    """The rows above the header (a title such as 2025年度…考核结果, a subtitle), as text with their row numbers:
    read_table skips them, and they say which year the results are of."""
    out: list[tuple[int, str]] = []
    for number, cells in enumerate(_first_rows(path, sheet), start=1):
        texts = [str(c).strip() if c is not None else "" for c in cells]
        if texts == header:
            break
        if any(texts):
            out.append((number, " ".join(t for t in texts if t)))
    return out


def _first_rows(path: Path, sheet: str | None, limit: int = 20) -> list[list[object]]:
    """The first rows of the file as read_table reads it (it has read the file already: it is readable): the
    named sheet, else the one visible sheet with data."""
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in CSV_ENCODINGS:
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [list(row) for row in islice(csv.reader(io.StringIO(text, newline="")), limit)]
        return []
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    book = CalamineWorkbook.from_path(str(path))
    for meta in book.sheets_metadata:  # the one visible sheet with data (read_table refused several)
        if meta.name == sheet or (sheet is None and meta.visible == SheetVisibleEnum.Visible):
            cells = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            rows = cast("list[list[object]]", cells)[:limit]
            if any(c not in (None, "") for row in rows for c in row):
                return rows
    return []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rank(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    match = _RANK.match(str(raw).strip())
    if match is None:
        return None
    rank = int(match.group(1))
    return rank if 1 <= rank <= MAX_RANK else None


def _score(raw: object) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    try:
        score = parse_number(raw if isinstance(raw, (int, float, str)) else str(raw))  # a float as Excel shows it
    except MoneyFormatError:
        return None
    if not 0 <= score <= MAX_SCORE or score != score.quantize(Decimal("0.0001")):
        return None
    return score


@dataclass(frozen=True)
class Matched:
    """Given results matched to the units of one evaluation."""

    by_unit: Mapping[str, GivenRow]
    notes: tuple[Finding, ...]


def match_units(policy: AwardPolicy, given: GivenResults, units: Sequence[tuple[str, str]]) -> Matched:
    """Check the given results against the policy and the units it evaluates; refuse what cannot be right."""
    src = given.source
    findings: list[Finding] = []
    notes = list(given.notes)
    needed = policy.given_fields()
    for field in sorted(needed - given.columns.keys()):
        findings.append(Finding(src, None, FIELD_LABELS[field], None, _needs(policy, field)))
    for field in sorted(given.columns.keys() - needed - {"name"}):
        unused = _unused(policy, field)
        header = given.columns[field]
        if unused is None:
            continue
        if unused.startswith("!"):
            findings.append(Finding(src, None, header, None, unused[1:]))
        else:
            notes.append(Finding(src, None, header, None, unused))
    names = dict(units)
    by_unit: dict[str, GivenRow] = {}
    for row in given.rows:
        short = short_code(row.code)  # the province writes 360921 as 360921000000
        code = short if short in names else None
        if code is None or code in by_unit:
            reason = (
                f"不是本次评价的单位 (not a {policy.level} in this evaluation)"
                if code is None
                else "区划重复 (the same region twice)"
            )
            findings.append(Finding(src, row.row, "区划代码/region_code", row.code, reason))
            continue
        by_unit[code] = row
        if row.name and row.name != names[code] and row.name not in names[code]:
            reason = f"名称与区划 {code} {names[code]} 不符 (the name differs from the region's)"
            notes.append(Finding(src, row.row, given.columns.get("name", "名称"), row.name, reason))
    if findings:
        raise InputError(findings)
    for code, name in units:
        if code not in by_unit and needed:
            notes.append(Finding(src, None, None, code, f"无给定结果 (no given result for {code} {name})"))
    notes += _disagreements(policy, given, by_unit)
    return Matched(by_unit, tuple(notes))


def _needs(policy: AwardPolicy, field: str) -> str:
    why = {
        "grade": 'its awards take the given 等次 (source = "external")',
        "rank": 'it ranks by the given 名次 (ranking = "given_rank")',
        "score": 'it ranks by the given 得分 (ranking = "given_score")',
    }[field]
    return (
        f"文件中没有“{FIELD_LABELS[field]}”列，而{policy.name}需要它 "
        f"(the file has no {FIELD_LABELS[field]} column, and the policy {policy.code} needs it: {why})"
    )


def _unused(policy: AwardPolicy, field: str) -> str | None:
    """Why a given column is not read: '!' + reason when that is refused, a note when it could change nothing."""
    ranking = policy.ranking
    if field == "grade":
        return (
            f"!文件给出了等次，但{policy.name}的奖励按本系统计算的等次：如要采用给出的等次，请在 [awards.grade] / "
            '[awards.rank] 中设 source = "external"，否则删去该列 '
            f"(等次 is given, but the awards of {policy.code} follow the grades it computes: set source = "
            '"external" in [awards.grade] / [awards.rank] to use the given ones, or leave the column out)'
        )
    label = {"rank": "名次", "score": "得分"}[field]
    if ranking is None:
        return f"{label} 仅供参考 ({label} is shown: no award of {policy.code} is by rank)"
    if ranking is Ranking.COMPUTED:
        return (
            f"!文件给出了{label}，但{policy.name}按本系统计算的得分排名：如要按给出的{label}排名，请在 "
            "[awards.rank] 中设 "
            f'ranking = "given_{field}"，否则删去该列 '
            f"({label} is given, but {policy.code} ranks by the score it computes: set ranking = "
            f'"given_{field}" in [awards.rank] to rank by the given {label}, or leave the column out)'
        )
    return None  # the other of 名次 / 得分 beside a given ranking: shown, and checked against it


def _disagreements(policy: AwardPolicy, given: GivenResults, by_unit: Mapping[str, GivenRow]) -> list[Finding]:
    """Given 名次 and 得分 side by side must agree (a better rank never has a lower score); a note if not."""
    if policy.ranking not in (Ranking.GIVEN_RANK, Ranking.GIVEN_SCORE) or not (
        given.has("rank") and given.has("score")
    ):
        return []
    pairs = sorted(
        (r.rank, -r.score, code) for code, r in by_unit.items() if r.rank is not None and r.score is not None
    )
    out = []
    for (rank_a, score_a, a), (rank_b, score_b, b) in pairwise(pairs):  # sorted by rank: neighbours suffice
        if rank_a < rank_b and score_a > score_b:
            reason = f"名次与得分不一致 ({a} ranked {rank_a} scores {-score_a}, {b} ranked {rank_b} scores {-score_b})"
            out.append(Finding(given.source, by_unit[b].row, given.columns["rank"], str(rank_b), reason))
    return out
