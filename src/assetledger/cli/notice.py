"""`assetledger notice`: a village's published notices as one self-contained page, for the notice board or a
WeChat group (村务公开)."""

from __future__ import annotations

from pathlib import Path

import click

from assetledger.cli.common import App, pass_app, say, village_option
from assetledger.reports.public_page import export_page
from assetledger.services.public_notices import public_village


@click.group("notice")
def command() -> None:
    """Notices villagers can read without an account (村务公开): a village's published notices, its assets and what
    they earned.

    \b
    assetledger distribute publish --village 360921101201 --period 2025Q2
    assetledger notice export --village 360921101201 --out 公示/
    """


@command.command("export")
@village_option
@click.option(
    "--out",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("public"),
    show_default=True,
    help="Folder for the page (村务公开-VILLAGE.html).",
)
@pass_app
def export(app: App, village: str, folder: Path) -> None:
    """Write the village's public page as one HTML file (styles inside, no script, no link out): the same page as
    /public/VILLAGE of `assetledger serve`, showing published notices only (names masked, no household numbers),
    the village's assets and what they earned through the last published period. Exit 3 when nothing is published.
    """
    path = export_page(public_village(app.db, village), folder)
    say(f"已写入 {path}", f"wrote {path}")
