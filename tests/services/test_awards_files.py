"""Which policy a given-results file is for (services/award_results.given_results, services/awards.evaluate_policies):
the rule `awards compute|post --results [CODE=]FILE` keeps, through the library API, whatever the entry point. A
file names its policy by code, or goes to the one policy that takes given results; a file no policy can take, a
second file for a policy and a file not found are refused together, each named as the caller gave it.

What the command prints of them, and its exit codes: tests/cli/test_awards_commands.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from assetledger.domain.awards import AwardPolicy
from assetledger.errors import Finding, InputError
from assetledger.rules.award_policy import parse_policy
from assetledger.services.award_results import GivenResults, ResultsFile, given_results
from assetledger.services.awards import evaluate_policies, result_rows
from assetledger.store.db import Database
from tests.builders import ACTOR
from tests.helpers import table_counts
from tests.services.test_awards import EXAMPLE, awards_county
from tests.services.test_awards_given import CONSOL, FUND, PROVINCE, _policy, _results, evaluations
from tests.services.test_awards_refusals import FUND_ROWS, _fund


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    """The province's fund-performance results as Excel saves them (openpyxl): a title row, then the table."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "评价结果"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _fund_xlsx(folder: Path) -> Path:
    rows: list[list[object]] = [["2025年度衔接资金绩效评价结果"], *([*r] for r in FUND_ROWS)]
    return _workbook(folder / "资金绩效评价结果.xlsx", rows)


def _policies(*paths: Path) -> list[AwardPolicy]:
    return [parse_policy(p) for p in paths]


def _refused(error: pytest.ExceptionInfo[InputError]) -> list[Finding]:
    assert error.value.exit_code == 2
    return error.value.findings


def _held(given: GivenResults) -> dict[str, tuple[str | None, int | None]]:
    """Each unit's given (等次, 名次), by region code."""
    return {r.code: (r.grade.value if r.grade else None, r.rank) for r in given.rows}


def test_a_file_alone_is_for_the_one_policy_that_takes_given_results(tmp_path: Path) -> None:
    consol = _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    # the city's own scoring takes no given results: the file is the consolidation evaluation's
    found = given_results(_policies(EXAMPLE, CONSOL), [str(consol)])
    assert list(found) == ["YC-CONSOL"]
    assert found["YC-CONSOL"].source == str(consol) and _held(found["YC-CONSOL"])["360923"] == ("A", 1)
    # typed, without a code: the same
    assert list(given_results(_policies(CONSOL, EXAMPLE), [ResultsFile(consol)])) == ["YC-CONSOL"]
    # one policy alone takes the file, whether or not it takes given results (match_units judges its columns)
    assert list(given_results(_policies(EXAMPLE), [str(consol)])) == ["YC-PERF"]
    # an "=" in a file's name that is not a policy's code is part of the name
    odd = _results(tmp_path, "考核=结果.csv", PROVINCE)
    assert given_results(_policies(CONSOL), [str(odd)])["YC-CONSOL"].source == str(odd)
    assert given_results(_policies(CONSOL), []) == {}


def test_several_files_name_their_policies_by_code_a_csv_and_a_workbook(tmp_path: Path) -> None:
    policies = _policies(FUND, CONSOL)
    fund, consol = _fund_xlsx(tmp_path), _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    written = given_results(policies, [f"YC-FUND={fund}", f"YC-CONSOL={consol}"], sheet="评价结果")
    typed = given_results(policies, [ResultsFile(consol, "YC-CONSOL"), ResultsFile(fund, "YC-FUND")])
    for found in (written, typed):
        assert set(found) == {"YC-FUND", "YC-CONSOL"}
        assert _held(found["YC-FUND"]) == {"360921": ("B", None), "360922": ("A", None), "360923": ("A", None)}
        fund_given = found["YC-FUND"]
        assert fund_given.source.startswith(str(fund)) and fund_given.digest.startswith("资金绩效评价结果.xlsx")
        assert _held(found["YC-CONSOL"])["360922"] == ("B", 2)
    assert "[评价结果]" in written["YC-FUND"].digest and "[" not in typed["YC-FUND"].digest  # the sheet read, named
    # a name given by the caller (an upload's own name) is what the findings and the digest say
    upload = ResultsFile(consol, "YC-CONSOL", name="省考核结果.csv")
    named = given_results(policies, [upload])["YC-CONSOL"]
    assert named.source == "省考核结果.csv" and named.digest.startswith("省考核结果.csv sha256:")


def test_what_no_policy_or_several_could_take_is_refused_all_together(tmp_path: Path) -> None:
    policies = _policies(FUND, CONSOL)
    fund, consol = _fund(tmp_path), _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    missing = tmp_path / "省考核结果.csv"
    with pytest.raises(InputError) as refused:
        given_results(
            policies,
            [str(fund), f"YC-CONSOL={consol}", f"YC-CONSOL={fund}", f"YC-FUND={missing}",
             ResultsFile(fund, "YC-OTHER"), ResultsFile(fund)],
        )  # fmt: skip
    codes = "YC-FUND, YC-CONSOL"
    unknown = f"没有代码为 YC-OTHER 的办法（{codes}） (no policy has the code YC-OTHER: {codes})"
    several = (
        "有多个办法（YC-FUND, YC-CONSOL），请写 CODE=FILE，如 YC-FUND=results.csv "
        "(several policies (YC-FUND, YC-CONSOL): write CODE=FILE, e.g. YC-FUND=results.csv)"
    )
    assert _refused(refused) == [
        Finding("results", None, None, str(fund), several),  # a file named as the caller gave it
        Finding("results", None, None, f"YC-CONSOL={fund}", "YC-CONSOL 已有结果文件 (a second file for YC-CONSOL)"),
        Finding("results", None, None, str(missing), "找不到文件 (file not found)"),
        Finding("results", None, None, "YC-OTHER", unknown),
        Finding("results", None, None, str(fund), several),
    ]
    # the CLI names its option as the source; with no policy at all, a file has nowhere to go
    with pytest.raises(InputError) as cli:
        given_results([], [str(fund)], source="--results")
    (finding,) = _refused(cli)
    assert (finding.source, finding.value) == ("--results", str(fund)) and "no policy is evaluated" in finding.reason


def test_every_files_own_problems_are_listed_after_each_is_matched(tmp_path: Path) -> None:
    headless = _workbook(
        tmp_path / "2025年度资金绩效评价结果.xlsx", [["序号", "单位名称", "评价等次"], [1, "示范县", "良好"]]
    )
    bad = [r[:] for r in PROVINCE]
    bad[1][1] = bad[0][1]  # 360923 twice
    consol = _results(tmp_path, "巩固衔接考核结果.csv", bad)
    with pytest.raises(InputError) as refused:
        given_results(_policies(FUND, CONSOL), [ResultsFile(headless, "YC-FUND"), ResultsFile(consol, "YC-CONSOL")])
    found = _refused(refused)
    assert [(f.source.split(" [")[0], f.row) for f in found] == [(str(headless), None), (str(consol), 4)]  # [its sheet]
    assert "区划代码/region_code" in found[0].reason and "the same region twice (row 3)" in found[1].reason


def test_evaluate_policies_matches_reads_and_evaluates_as_the_command_does(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    fund, consol = _fund_xlsx(tmp_path), _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    before = table_counts(db)
    both = evaluate_policies(db, 2025, _policies(FUND, CONSOL), ACTOR, [f"YC-CONSOL={consol}", f"YC-FUND={fund}"])
    assert [e.policy.code for e in both] == ["YC-FUND", "YC-CONSOL"]  # in the policies' order, not the files'
    expected = evaluations(db, (FUND, fund), (CONSOL, consol))
    assert [result_rows(e) for e in both] == [result_rows(e) for e in expected]
    assert [e.given.digest if e.given else None for e in both] == [e.given.digest if e.given else None
                                                                    for e in expected]  # fmt: skip
    own = evaluate_policies(db, 2025, _policies(EXAMPLE), ACTOR)  # no results: nothing to match
    assert own[0].given is None and len(own[0].results) == 6
    assert table_counts(db) == before  # evaluating only reads
    copy = _policy(tmp_path, FUND, "fund2.toml")  # the same code twice: refused before any file is read
    with pytest.raises(InputError) as twice:
        evaluate_policies(db, 2025, _policies(FUND, copy), ACTOR, [str(tmp_path / "nowhere.csv")])
    assert [f.column for f in _refused(twice)] == ["code"]
    with pytest.raises(InputError) as unnamed:
        evaluate_policies(db, 2025, _policies(FUND, CONSOL), ACTOR, [str(fund)], source="--results")
    assert [f.source for f in _refused(unnamed)] == ["--results"]
