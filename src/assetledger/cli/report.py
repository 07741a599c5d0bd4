"""`assetledger report`: summaries people read."""

from __future__ import annotations

from pathlib import Path

import click

from assetledger.cli.common import App, EnumType, emit, format_option, out_option, pass_app
from assetledger.domain.enums import RegionLevel
from assetledger.services.register_summary import HEADERS_CN, register_summary


@click.group("report")
def command() -> None:
    """Reports: register summaries (and, as the books grow, books, households, governance)."""


@command.command("registers")
@click.option("--level", type=EnumType(RegionLevel), default="county", show_default=True, help="Group by this level.")
@click.option("--within", help="Only inside this region (code).")
@format_option
@out_option
@pass_app
def registers(app: App, level: RegionLevel, within: str | None, fmt: str, out: Path | None) -> None:
    """Register summary (三本台账汇总): counts and value by register and confirmation level, and the gaps.

    Gaps: assets without confirmed ownership (未确权), and public-benefit or operating assets handed over but
    without a custodian (已移交未落实管护).
    """
    rows = register_summary(app.db, level, within)
    headers = HEADERS_CN if fmt in ("table", "xlsx") else None
    emit(
        rows,
        fmt,
        out,
        headers=headers,
        sheet=f"{level.value} summary",
        title=f"三本台账汇总（{level.label}）",
    )
