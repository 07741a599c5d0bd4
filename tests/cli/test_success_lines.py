"""What a command says when it succeeds, and why it refuses usage, in Chinese first with the English beside it:
"中文 (English)", the English kept word for word inside the parentheses (STYLE.md; cli/common.say)."""

from __future__ import annotations

import json
import re

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, posted_entry, write_csv

CJK = re.compile(r"[\u3400-\u9fff]")


def said(output: str, english: str) -> str:
    """The one line that says `english` beside its Chinese, checked to be "中文 (english)"."""
    lines = [line for line in output.splitlines() if f"({english}" in line]
    assert len(lines) == 1, output
    line = lines[0]
    chinese, _, rest = line.partition(f" ({english}")
    assert CJK.search(chinese) and not chinese.startswith(english), line
    assert rest.endswith(")"), line
    return line


def test_the_daily_commands_say_what_they_did_in_chinese_with_english_beside(run: Cli, db: Database) -> None:
    said(run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS))).output, "added ")
    register = write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("A-1"), asset_row("A-2")])
    dry = run("asset", "import", str(register), "--dry-run").output
    assert said(dry, "dry run: 2 rows are valid").startswith("试运行：2 行均有效")
    line = said(run("asset", "import", str(register)).output, "imported 2 assets")
    assert line.startswith("已导入 2 项资产，第 1 批") and line.endswith("as batch 1)"), line
    again = run("asset", "import", str(register)).output
    assert "已作为第 1 批导入过" in said(again, f"{register} was already imported as batch 1; nothing to do")

    posted = run("ledger", "post", "--asset", "A-1", "--expense", "maintenance", "--amount", "5", "--date",
                 "2025-05-02").output  # fmt: skip
    entry = posted_entry(posted)
    assert said(posted, f"posted entry {entry}") == f"已记账，分录 {entry} (posted entry {entry})"
    reversed_ = run("ledger", "reverse", entry, "--reason", "录错", "--date", "2025-05-03").output
    assert said(reversed_, f"entry {entry} reversed by entry").startswith(f"分录 {entry} 已于 2025-05-03 由分录")
    entity = json.loads(run("ledger", "entities", "--format", "json").output)[0]["code"]
    closed = run("ledger", "close", "--entity", entity, "--through", "2025-04-30").output
    assert said(closed, f"{entity} closed through 2025-04-30") == (
        f"{entity} 已结账至 2025-04-30 ({entity} closed through 2025-04-30)"
    )

    assert said(run("asset", "custodian", "A-1", "--name", "张三", "--from", "2025-01-01").output, "A-1: custodian")
    unchanged = run("asset", "custodian", "A-1", "--name", "张三", "--from", "2025-01-01").output
    assert "；已登记，无变更 (A-1: custodian 张三 from 2025-01-01; already recorded, nothing changed)" in unchanged

    assert said(run("user", "add", "li", "--role", "finance", "--scope", "*").output, "user li: finance in *") == (
        "用户 li：县财政局，范围 全部地区 (user li: finance in *)"
    )
    assert said(run("user", "revoke", "li", user="li").output, "user li revoked") == "用户 li 已停用 (user li revoked)"


def test_machine_formats_stay_as_they_are(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("A-1")])))
    rows = json.loads(run("asset", "list", "--format", "json").output)
    assert [r["asset_id"] for r in rows] == ["A-1"]
    assert run("asset", "list", "--format", "csv").output.startswith("asset_id,")


def test_a_refused_usage_is_said_in_chinese_with_the_english_beside(run: Cli, db: Database) -> None:
    refused = run("ledger", "post", "--asset", "A-1", "--date", "2025-05-02", ok=False)
    assert refused.exit_code == 2
    assert "请给出 --asset、--amount" in refused.output, refused.output
    assert "(give --asset, --amount and one of --revenue TYPE / --expense TYPE (or --posting))" in refused.output
    balances = run("report", "books", "--balances", ok=False)
    assert balances.exit_code == 2 and "--balances 需要 --entity (--balances needs --entity)" in balances.output
