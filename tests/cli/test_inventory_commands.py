"""The commands of the registers' yearly work over their services (tests/services/test_inventory.py,
test_documents.py, test_acceptance.py, test_regions.py and test_region_codes.py hold what the services do):
`inventory`; `asset attach`, `asset show`'s documents, `asset certificate/label` and `audit verify` of the documents;
`asset accept` and `supervise close` of an acceptance's case; `region import/list` and `asset list` by region. The
words each command prints, its options, and the exit code of each refusal (1 findings, 2 bad input, 3 not found,
4 already there, 5 refused by a rule, 6 out of the user's scope: cli/main.py maps the services' errors)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

from click.testing import Result

from assetledger.services.rectification import open_case
from assetledger.store.db import Database
from tests.builders import user
from tests.builders.yearly_work import counts
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv, write_xlsx
from tests.services.test_acceptance import ACCEPTED, KEY, LIST_HEADER, POLICY, TODAY, VILLAGE, county_with_users
from tests.services.test_documents import county, pdf_bytes, png_bytes
from tests.services.test_inventory import HONGQI, LAMP, QINGSHAN, XIANGYANG, fill, opened, registers, sheet_of
from tests.services.test_region_codes import BY_CODE, COUNTY, FLAT_HEADER, NESTED_HEADER, REGISTER
from tests.services.test_regions import FLAT


def test_open_says_how_many_assets_are_due_and_why(run: Cli, db: Database) -> None:
    registers(db)
    out = run("inventory", "open", "--year", "2025", "--scope", "county:360921").output
    assert "6 assets due" in out
    lines = {line.split()[0]: int(line.split()[-1]) for line in out.splitlines()[3:]}
    assert lines == {"collective": 4, "household_not_counted": 1, "state_never_counted": 2}
    again = run("inventory", "open", "--year", "2025", "--scope", "county:360921", ok=False)
    assert again.exit_code == 4
    wrong = run("inventory", "open", "--year", "2025", "--scope", "township:360921", ok=False)
    assert wrong.exit_code == 2 and "is a county" in wrong.output
    policy = run.cwd / "count-households.toml"
    policy.write_text("[inventory]\ncount_household = true\n", encoding="utf-8")
    given = run(
        "inventory", "open", "--year", "2025", "--scope", f"village:{HONGQI}", "--policy", str(policy), ok=False
    )
    assert given.exit_code == 2 and "--policy" in given.output  # the cycle is the stored policy's, not a file's
    run("asset", "policy", "store", str(policy))
    other = run("inventory", "open", "--year", "2025", "--scope", f"village:{HONGQI}").output
    assert "1 assets due" in other and "already_in_inventory" in other
    listed = run("inventory", "list").output
    assert "360921" in listed and HONGQI in listed


def test_record_status_close_and_report_say_what_they_did(run: Cli, db: Database, tmp_path: Path) -> None:
    folder = opened(db, tmp_path / "sheets")
    first = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("盘亏", "2025-12-10", "找不到")}
    filled = fill(sheet_of(folder, HONGQI), tmp_path / "hongqi-1.xlsx", first, [LAMP])
    out = run("inventory", "record", str(filled)).output
    assert "recorded 3 counts" in out and "1 surpluses" in out
    assert "already recorded" in run("inventory", "record", str(filled)).output
    later = {"A-2": ("闲置", "2025-12-12", "停产")}
    refilled = fill(sheet_of(folder, HONGQI), tmp_path / "hongqi-2.xlsx", later, [LAMP | {"资产原值（元）": 9000}])
    assert "1 supersede earlier counts" in run("inventory", "record", str(refilled)).output
    status = run("inventory", "status", "1", "--level", "village").output
    assert "待核销 pending approval" in status and "A-3" in status
    refused = run("inventory", "close", "1", "--approval", "示政〔2026〕3号", ok=False)
    assert refused.exit_code == 5 and "3 of 6 assets are not counted" in refused.output

    counts(db, fill(sheet_of(folder, XIANGYANG), tmp_path / "x.xlsx", {"A-4": ("毁损", "2025-12-15")}, []))
    rest = [["清查编号", "区划代码", "资产编号", "结果", "清查日期"], ["1", QINGSHAN, "A-5", "在用", "2025-12-16"],
            ["1", "360921101", "A-6", "在用", "2025-12-16"]]  # fmt: skip
    counts(db, write_csv(tmp_path / "counts.csv", rest))
    closed = run("inventory", "close", "1", "--approval", "示政〔2026〕3号", "--date", "2026-01-10").output
    assert "1 shortages written off (100000.00 元), 1 surpluses registered (9000.00 元)" in closed
    # the write-off is a status change too, not "none"; `inventory status` lists them in the same order
    assert "status changes: 1 → damaged (毁损), 1 → idle (闲置), 1 → written_off (已核销);" in closed
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check").output

    before = table_counts(db)
    late_post = run("ledger", "post", "--asset", "A-3", "--expense", "maintenance", "--amount", "10",
                    "--date", "2026-02-01", ok=False)  # fmt: skip
    assert late_post.exit_code == 5 and "was written off (已核销) on 2026-01-10" in late_post.output
    again = run("asset", "dispose", "A-3", "--method", "scrap", "--date", "2026-02-01", "--proceeds", "0",
                "--approval", "x", "--approved-by", "county", ok=False)  # fmt: skip
    assert again.exit_code == 5 and "已核销（2026-01-10） (already written off on 2026-01-10)" in again.output
    by_hand = run("asset", "status", "A-1", "written_off", "--date", "2026-02-01", ok=False)
    assert by_hand.exit_code == 5 and "inventory close" in by_hand.output
    assert "already closed" in run("inventory", "close", "1", "--approval", "another").output
    late = run("inventory", "record", str(filled), ok=False)
    assert late.exit_code == 5 and "closed" in late.output
    assert table_counts(db) == before

    status = run("inventory", "status", "1").output
    assert "已关闭 closed 2026-01-10" in status and "已核销 written off" in status
    assert "毁损 damaged 1, 闲置 idle 1, 已核销 written_off 1" in status  # every status change of the close
    out = run("inventory", "report", "1", "--out", "report.xlsx").output
    assert "6 of 6 counted (100.0%), 1 shortages, 1 surpluses" in out
    assert (run.cwd / "report.xlsx").is_file()


def test_refused_sheets_exit_with_their_codes(run: Cli, db: Database, tmp_path: Path) -> None:
    folder = opened(db, tmp_path / "sheets")
    before = table_counts(db)
    bad = fill(sheet_of(folder, HONGQI), tmp_path / "bad.xlsx", {"A-1": ("找到了吧", "2025-12-10")}, [])
    result = run("inventory", "record", str(bad), ok=False)
    assert result.exit_code == 2, result.output
    assert "nothing was changed" in result.output and "(row 3)" in result.output and "unknown result" in result.output
    empty = run("inventory", "record", str(sheet_of(folder, HONGQI)), ok=False)
    assert empty.exit_code == 2 and "no row of the sheet is counted yet" in empty.output
    other = run("inventory", "record", str(sheet_of(folder, HONGQI)), "--inventory", "2", ok=False)
    assert other.exit_code == 2 and "this sheet is for inventory 1, not 2" in other.output
    csv = write_csv(
        tmp_path / "c.csv", [["清查编号", "资产编号", "结果", "清查日期"], ["9", "A-1", "在用", "2025-12-10"]]
    )
    missing = run("inventory", "record", str(csv), ok=False)
    assert missing.exit_code == 3 and "inventory '9' not found" in missing.output
    zhang = user(db, "zhang", "finance", "360921", actor="setup")
    zhao = user(db, "zhao", "inventory", "360921101", actor=zhang)
    done = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("在用", "2025-12-10")}
    counts(db, fill(sheet_of(folder, HONGQI), tmp_path / "h.xlsx", done, []), actor=zhao)
    before = table_counts(db)
    elsewhere = fill(sheet_of(folder, QINGSHAN), tmp_path / "q.xlsx", {"A-5": ("在用", "2025-12-10")}, [])
    for args in (["record", str(elsewhere)], ["close", "1", "--approval", "x", "--allow-uncounted"],
                 ["open", "--year", "2026", "--scope", "county:360921"]):  # fmt: skip
        refused = run("inventory", *args, user=zhao, ok=False)
        assert refused.exit_code == 6, refused.output
    assert table_counts(db) == before
    out = run("inventory", "close", "1", "--approval", "x", "--allow-uncounted", "--date", "2026-01-05",
              user=zhang).output  # fmt: skip
    assert "3 assets left uncounted" in out


def test_attach_says_what_it_kept_and_show_lists_the_documents(run: Cli, db: Database) -> None:
    county(db)
    report = run.cwd / "验收报告.pdf"
    report.write_bytes(pdf_bytes())
    out = run("asset", "attach", str(report), "--asset", "A-1", "--title", "县验〔2023〕5号", "--date",
              "2023-11-20").output  # fmt: skip
    assert "attached 1 document(s) to 1 asset(s)" in out
    again = run("asset", "attach", str(report), "--asset", "A-1", "--kind", "photo").output
    assert "attached 0 document(s)" in again and "1 already attached" in again
    shown = json.loads(run("asset", "show", "A-1", "--format", "json").output)
    (document,) = shown["documents"]
    assert (document["kind"], document["name"], document["title"], document["document_date"]) == (
        "acceptance", "验收报告.pdf", "县验〔2023〕5号", "2023-11-20")  # fmt: skip
    event = shown["events"][-1]
    assert event["kind"] == "document_attached" and event["actor"] == "tester" and event["date"] == "2023-11-20"
    assert event["details"]["document"] == document["sha256"]
    assert "档案 documents" in run("asset", "show", "A-1").output

    folder = run.cwd / "档案"
    folder.mkdir()
    (folder / "A-2_现场.png").write_bytes(png_bytes())
    (folder / "A-10-移交书.pdf").write_bytes(pdf_bytes("handover"))
    (folder / "说明.pdf").write_bytes(pdf_bytes("no asset"))
    before = table_counts(db)
    refused = run("asset", "attach", str(folder), ok=False)
    assert refused.exit_code == 2 and "说明.pdf" in refused.output and "registered asset id" in refused.output
    assert table_counts(db) == before
    (folder / "说明.pdf").unlink()
    dry = run("asset", "attach", str(folder), "--dry-run").output
    assert "would attach 2 document(s) to 2 asset(s)" in dry and table_counts(db) == before
    archive = run.cwd / "batch.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("A-1_验收报告.pdf", pdf_bytes())  # already attached: a no-op
        z.writestr("A-2/验收/合影.png", png_bytes(7))
    out = run("asset", "attach", str(archive)).output
    assert "attached 1 document(s) to 2 asset(s); 1 already attached" in out


def test_verify_exits_1_naming_a_changed_file_and_a_documents_folder(run: Cli, db: Database) -> None:
    county(db)
    store = run.cwd / "archive-store"
    photo = run.cwd / "A-1.png"
    photo.write_bytes(png_bytes())
    run("--documents", str(store), "asset", "attach", str(photo))
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1
    assert run("--documents", str(store), "audit", "verify", "--skip-bean-check").exit_code == 0
    elsewhere = run("--documents", str(run.cwd / "nowhere"), "audit", "verify", "--skip-bean-check", ok=False)
    assert elsewhere.exit_code == 1 and "does not exist" in elsewhere.output and "--documents" in elsewhere.output
    [kept] = [p for p in store.rglob("*") if p.is_file()]
    kept.chmod(0o644)
    kept.write_bytes(pdf_bytes("forged"))
    result = run("--documents", str(store), "audit", "verify", "--skip-bean-check", ok=False)
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("[documents]")]
    assert "A-1.png" in line and "of A-1" in line and "changed" in line
    assert "A-1.png" in run("--documents", str(store), "asset", "show", "A-1").output  # listing still works


def test_attach_out_of_scope_exits_6(run: Cli, db: Database) -> None:
    county(db)
    photo = run.cwd / "QS-1_清查照片.png"
    photo.write_bytes(png_bytes())
    zhang = user(db, "zhang", "finance", "360921")
    user(db, "wang", "auditor", "360921", actor=zhang)
    user(db, "zhao", "inventory", "360921101", actor=zhang)
    before = table_counts(db)
    assert run("asset", "attach", str(photo), user="wang", ok=False).exit_code == 6  # auditors write nothing
    assert run("asset", "attach", str(photo), user="zhao", ok=False).exit_code == 6  # QS-1: not zhao's township
    assert run("asset", "attach", str(photo), "--asset", "NO-SUCH", user="nobody", ok=False).exit_code == 6
    assert table_counts(db) == before


def test_certificate_and_label_say_what_they_wrote(run: Cli, db: Database) -> None:
    county(db)
    run("asset", "certificate", "A-1", "--out", str(run.cwd / "c.html"), "--base-url", "https://zc.example.cn/")
    assert "扶贫项目资产确权证书" in (run.cwd / "c.html").read_text(encoding="utf-8")
    out = run("asset", "certificate", "A-1", "--out", str(run.cwd / "c.pdf")).output
    assert "wrote" in out and ("not embedded" in out or "(embedded)" in out)
    assert (run.cwd / "c.pdf").read_bytes().startswith(b"%PDF")
    run("asset", "label", "A-2", "--out", str(run.cwd / "l.html"), "--base-url", "https://zc.example.cn/app")
    assert "<svg" in (run.cwd / "l.html").read_text(encoding="utf-8")
    bad = run("asset", "label", "A-1", "--out", str(run.cwd / "x.html"), "--base-url", "javascript:alert(1)",
              ok=False)  # fmt: skip
    assert bad.exit_code == 2 and "http(s) address" in bad.output
    unconfirmed: list[list[object]] = [
        list(ASSET_HEADER),
        asset_row("U-1", 确权主体=None, 确权级别=None, 确权日期=None),
    ]
    run("asset", "import", str(write_csv(run.cwd / "u.csv", unconfirmed)))
    refused = run("asset", "certificate", "U-1", "--out", str(run.cwd / "u.pdf"), ok=False)
    assert refused.exit_code == 5 and "未确权" in refused.output
    batch = run("asset", "certificate", "--village", "360921101201", "--out", str(run.cwd / "v.html")).output
    assert "1 asset(s) not confirmed, no certificate: U-1" in batch


def _accept(run: Cli, *extra: str, user: str = "zhang", ok: bool = True, on: dt.date = ACCEPTED) -> Result:
    return run("asset", "accept", "A-9", "--name", "冷库", "--region", VILLAGE, "--date", on.isoformat(), *extra,
               user=user, ok=ok)  # fmt: skip


def test_accept_says_what_it_recorded_and_exits_with_the_refusals_code(run: Cli, db: Database) -> None:
    county_with_users(db)
    before = table_counts(db)
    assert _accept(run, on=TODAY + dt.timedelta(days=1), ok=False).exit_code == 5
    outside = run("asset", "accept", "A-9", "--name", "冷库", "--region", "999999", "--date", ACCEPTED.isoformat(),
                  user="zhang", ok=False)  # fmt: skip
    assert outside.exit_code == 2 and "999999" in outside.output
    assert _accept(run, user="li", ok=False).exit_code == 6  # an accountant
    assert _accept(run, "--doc", "县验\x1b[2J", ok=False).exit_code == 2
    assert table_counts(db) == before
    assert f"acceptance 1: A-9 accepted on {ACCEPTED}" in _accept(run, "--doc", "县验〔2026〕5号").output

    late = ACCEPTED + dt.timedelta(days=45)
    open_case(db, "zhang", KEY, "东风镇人民政府", TODAY, policy=POLICY, on=late)
    policy = str(Path(__file__).parents[2] / "ledgers" / "policy" / "supervision.toml")
    refused = run("supervise", "close", "1", "--date", TODAY.isoformat(), "--policy", policy, user="zhang", ok=False)
    assert refused.exit_code == 5 and "still fires" in refused.output
    run("asset", "register", "--id", "A-9", "--name", "冷库", "--register", "operating", "--region", VILLAGE,
        "--year", str(ACCEPTED.year), "--acquired-on", ACCEPTED.isoformat(), "--value", "500000", "--fund",
        "central=500000", "--operating-mode", "lease", "--operator", "冷链公司", user="zhang")  # fmt: skip
    closed = run("supervise", "close", "1", "--date", TODAY.isoformat(), "--policy", policy, user="zhang")
    assert "case 1 closed" in closed.output
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check", user="wang").output


def test_an_acceptance_list_says_what_it_recorded(run: Cli, db: Database) -> None:
    county_with_users(db)
    day = ACCEPTED.isoformat()
    bad = [LIST_HEADER, ["A-10", "", "示范县", "东风镇", "无此村", "2026-13-01", ""]]
    refused = run("asset", "accept", "--file", str(write_csv(run.cwd / "bad.csv", bad)), user="zhang", ok=False)
    assert refused.exit_code == 2
    assert "第2行 (row 2)，列「资产名称」 (column)" in refused.output and "2026-13-01" in refused.output
    good = [[*LIST_HEADER, "备注"], ["A-9", "冷库", "示范县", "东风镇", "红旗村", day, "县验〔2026〕5号", ""],
            ["A-10", "水池", "示范县", "东风镇", "红旗村", day, "", ""]]  # fmt: skip
    path = write_csv(run.cwd / "验收清单.csv", good)
    dry = run("asset", "accept", "--file", str(path), "--dry-run", user="zhang")
    assert "2 row(s); would record 2" in dry.output
    assert "列 备注 未使用 (column 备注 is not used)" in dry.output  # reported, never dropped silently
    assert "recorded 2" in run("asset", "accept", "--file", str(path), user="zhang").output
    assert "recorded 0" in run("asset", "accept", "--file", str(path), user="zhang").output
    assert run("asset", "accept", "--file", str(path), user="li", ok=False).exit_code == 6


def test_a_register_files_acceptance_dates_are_used_or_refused(run: Cli, db: Database) -> None:
    county_with_users(db)
    header: list[object] = [*ASSET_HEADER, "验收日期"]
    rows: list[list[object]] = [
        header,
        [*asset_row("A-9", 资产名称="冷库", 村="红旗村"), ACCEPTED.isoformat()],
        [*asset_row("A-8"), ""],
    ]
    imported = run("asset", "import", str(write_csv(run.cwd / "台账.csv", rows)), user="zhang")
    assert "验收日期" not in imported.output  # used, not reported as an unused column
    before = table_counts(db)
    later: list[list[object]] = [header, [*asset_row("A-7"), (TODAY + dt.timedelta(days=1)).isoformat()]]
    refused = run("asset", "import", str(write_csv(run.cwd / "台账2.csv", later)), user="zhang", ok=False)
    assert refused.exit_code == 2 and "验收日期" in refused.output and "after today" in refused.output
    assert table_counts(db) == before


def test_region_import_says_what_it_added_and_placed(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))  # the county alone, as before cities
    out = run("region", "import", str(write_csv(run.cwd / "city.csv", FLAT))).output
    assert "added 1 市, 0 县, 0 乡镇, 0 村; 1 县 placed under their 市; 2 already present" in out
    nested = [["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
              ["宜春市", "360900", "东山县", "360922", "东山镇", "360922101", "东山村", "360922101201"]]  # fmt: skip
    out = run("region", "import", str(write_csv(run.cwd / "nested.csv", nested))).output
    assert "added 0 县" not in out and "1 县, 1 乡镇, 1 村; 1 already present" in out
    cities = json.loads(run("region", "list", "--level", "city", "--format", "json").output)
    assert [c["code"] for c in cities] == ["360900"]
    summary = run("report", "registers", "--level", "city", ok=False)  # a city holds no assets of its own
    assert summary.exit_code == 2 and "write county, township or village" in summary.output
    other_city = [["区划代码", "名称", "级别", "上级代码"], ["361000", "抚州市", "市", ""],
                  ["360921", "示范县", "县", "361000"]]  # fmt: skip
    moved = run("region", "import", str(write_csv(run.cwd / "other.csv", other_city)), ok=False)
    assert moved.exit_code == 2 and "值「360921」 (value)：与已有的县示范县冲突 (conflicts with 示范县" in moved.output
    outside = [["区划代码", "名称", "级别", "上级代码"], ["361002", "外县", "县", ""]]
    run("region", "import", str(write_csv(run.cwd / "outside.csv", outside)))
    run("user", "add", "chen", "--role", "finance", "--scope", "360900")  # 市财政局
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921", user="chen")
    refused = run("user", "add", "wu", "--role", "auditor", "--scope", "361002", user="chen", ok=False)
    assert refused.exit_code == 6  # another city's county
    city_region = [["区划代码", "名称", "级别", "上级代码"], ["360900", "宜春市", "市", ""],
                   ["360923", "西山县", "县", "360900"]]  # fmt: skip
    by_county = run("region", "import", str(write_csv(run.cwd / "more.csv", city_region)), user="zhang", ok=False)
    assert by_county.exit_code == 6  # a county's bureau may not add a county to its city
    assert "1 县" in run("region", "import", str(write_csv(run.cwd / "more.csv", city_region)), user="chen").output


def test_region_import_of_12_digit_codes_and_asset_list_by_region(run: Cli, db: Database) -> None:
    rows = [
        NESTED_HEADER,
        ["宜春市", "360900", "丰和县", "360921", "城青镇", "360921101000", "大万村", "360921101201"],
        ["宜春市", "360900", "丰和县", "360921000000", "城青镇", "360921101", "小万村", "360921101202"],
    ]
    out = run("region", "import", str(write_xlsx(run.cwd / "regions.xlsx", rows))).output
    assert "added 1 市, 1 县, 1 乡镇, 2 村; 0 already present" in out
    flat = [FLAT_HEADER, ["360921101204", "后田村", "村", "360921101000"], ["360921000000", "丰和县", "县", "360900"]]
    assert "added 0 县, 0 乡镇, 1 村; 1 already present" in run("region", "import", str(write_csv(
        run.cwd / "flat.csv", flat))).output  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "台账.csv", REGISTER)))
    run("asset", "import", str(write_csv(run.cwd / "台账2.csv", BY_CODE)))
    village = json.loads(run("asset", "list", "--region", "360921101201", "--format", "json").output)
    township = json.loads(run("asset", "list", "--region", "360921101", "--format", "json").output)
    assert {a["asset_id"] for a in village} == {"A-1", "A-3"}
    assert {a["asset_id"] for a in township} == {"A-1", "A-2", "A-3"}


def test_a_refused_region_file_exits_2_naming_the_files_own_header(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "county.csv", [
        FLAT_HEADER, *COUNTY, ["360921102", "中庆镇", "镇", "360921"], ["360921101201", "大万村", "村", "360921101"],
    ])))  # fmt: skip
    before = table_counts(db)
    r3 = [FLAT_HEADER, ["360921103201", "孤村", "村", "360921103"], ["360921101201", "大万村", "村", "360921102"]]
    refused = run("region", "import", str(write_csv(run.cwd / "r3.csv", r3)), ok=False)
    assert refused.exit_code == 2 and table_counts(db) == before
    assert "r3.csv，第2行 (row 2)，列「上级代码」 (column)，值「360921103」 (value)" in refused.output
    assert "r3.csv，第3行 (row 3)，列「区划代码」 (column)，值「360921101201」 (value)" in refused.output
    assert "parent_code" not in refused.output and "「code」" not in refused.output
