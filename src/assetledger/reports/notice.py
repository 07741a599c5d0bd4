"""Public notices (公示) of a distribution plan and its payout list, as HTML and XLSX, in Chinese."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from assetledger.domain.publication import NoticeData, mask_number
from assetledger.io.output import write_xlsx

STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{text-align:center;font-size:1.5em}h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #999;padding:.3em .6em}
th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}.foot{margin-top:2em;text-align:right}
"""


def _money(value: Any) -> str:
    return f"{Decimal(value):,.2f}"


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{html.escape(str(c))}</td>' if i in numeric else f"<td>{html.escape(str(c))}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def notice_html(data: NoticeData) -> str:
    r = data.rule
    place = f"{data.county_name}{data.township_name}{data.village_name}"
    purposes = _table(
        ["用途", "比例(%)", "金额(元)"],
        [[p["purpose"], p["percent"], _money(p["amount"])] for p in data.purposes],
        {1, 2},
    )
    households = _table(
        ["序号", "户编号", "户主", "类别", "人口", "权重", "享受月数", "分配金额(元)", "说明", "发放日期"],
        [
            [
                i,
                mask_number(h["household_id"]),
                h["head"],
                h["category"],
                h["persons"],
                h["weight"],
                h["months"],
                _money(h["amount"]),
                h["note"] or "",
                h["paid_on"] or "未发放",
            ]
            for i, h in enumerate(data.households, 1)
        ],
        {0, 4, 5, 6, 7},
    )
    paid_total = sum((Decimal(h["amount"]) for h in data.households), Decimal("0.00"))
    noticed = data.noticed_on or data.distributed_on  # the objection period runs from the publication
    rule_named = f"{html.escape(data.village_name)}收益分配方案（第{r['version']}版"  # by name, not the rule's code
    if r["approval_document"]:
        rule_named += "，" + html.escape(str(r["approval_document"]))
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(place)} {data.period} 资产收益分配公示</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(place)}<br>{data.period} 扶贫项目资产收益分配公示</h1>
<p>根据经{html.escape(str(r["approval_body"]))}于{r["approval_date"]}审议通过的{rule_named}），
本村{data.period}项目资产收益{_money(data.revenue)}元，相关支出{_money(data.costs)}元，
可分配收益{_money(data.total)}元，分配如下：</p>
<h2>一、分配方案</h2>{purposes}
<h2>二、农户分配明细（共{len(data.households)}户，合计{_money(paid_total)}元）</h2>{households}
<p>各户分配金额按“权重 × 享受月数”占全部农户之和的比例计算；当期纳入、退出或去世的农户按实际月数计算，见“说明”。</p>
<p>公示期为{r["notice_days"]}天（自{noticed}起），公示期满无异议后，自{data.first_payout_day}起发放。
如有异议，请在公示期内向村务监督委员会或乡镇人民政府反映。</p>{_reversal(data)}
<p class="foot">{html.escape(data.village_name)}股份经济合作社<br>{data.distributed_on}</p>
</body></html>
"""


def _reversal(data: NoticeData) -> str:
    if data.reversed_on is None:
        return ""
    reason = html.escape(data.reversal_reason or "")
    said = f"本次分配已于{data.reversed_on}冲销，原因：{reason}。以更正后的公示为准。"
    return f'<p class="reversed"><strong>{said}</strong></p>'


def file_part(text: object) -> str:
    """`text` as part of a file name: letters (Chinese too), digits, "-" and "_"; anything else becomes "_", so a
    code recorded before codes were restricted (one with "/" or "..") cannot reach outside the folder."""
    return re.sub(r"[^\w-]", "_", str(text)) or "_"


def write_notice(data: NoticeData, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    parts = (data.village, data.period, data.rule["code"], *(["已冲销"] if data.reversed_on else []))
    stem = "-".join(["公示", *(file_part(part) for part in parts)])
    html_path = folder / f"{stem}.html"
    html_path.write_text(notice_html(data), encoding="utf-8")
    purposes = [
        {"用途": p["purpose"], "比例(%)": p["percent"], "金额(元)": Decimal(p["amount"])} for p in data.purposes
    ]
    households = [
        {
            "户编号": mask_number(h["household_id"]),
            "户主": h["head"],
            "类别": h["category"],
            "人口": h["persons"],
            "权重": h["weight"],
            "享受月数": h["months"],
            "分配金额(元)": Decimal(h["amount"]),
            "说明": h["note"],
            "发放日期": h["paid_on"],
        }
        for h in data.households
    ]
    title = f"{data.county_name}{data.township_name}{data.village_name} {data.period} 资产收益分配公示"
    xlsx_path = write_xlsx(folder / f"{stem}.xlsx", {"分配方案": purposes, "农户分配明细": households}, title=title)
    return html_path, xlsx_path
