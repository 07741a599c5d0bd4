"""The web governance list judges by the governance policy finance stored for the county, as the CLI does, and
says which policy and months judged it."""

from __future__ import annotations

import re

from flask import Flask

from tests.conftest import Cli
from tests.web.conftest import login


def _ids(client_page: str) -> set[str]:
    body = client_page.split('id="governance"', 1)[1].split("</tbody>", 1)[0]
    return set(re.findall(r'<tr><td><a href="/assets/([^"]+)"', body))


def test_the_governance_page_follows_the_stored_policy(app: Flask, county: Cli) -> None:
    county("asset", "status", "A-2", "idle", "--date", "2025-01-01", "--reason", "停用", user="zhang")
    client, _ = login(app, "wang")
    page = client.get("/governance?as_of=2026-10-31").get_data(as_text=True)
    assert _ids(page) == {"A-1", "A-2", "B-1"}
    assert "判定依据：项目默认治理政策 (shipped default)（闲置 6 个月，亏损 12 个月）" in page
    patient = county.cwd / "patient.toml"
    patient.write_text("[scan]\nidle_months = 1200\nloss_months = 1\n", encoding="utf-8")
    county("asset", "policy", "store", str(patient), user="zhang")
    page = client.get("/governance?as_of=2026-10-31").get_data(as_text=True)
    assert _ids(page) == {"A-2"}  # marked idle in the register whatever the months; no longer idle for want of revenue
    assert "判定依据：示范县 第1版 (v1)（闲置 1200 个月，亏损 1 个月）" in page, page
    english = client.get("/governance?as_of=2026-10-31&lang=en").get_data(as_text=True)
    assert "(idle 1200 months, loss-making 1 months)" in english
