"""`assetledger asset certificate` and `asset label`: ownership certificates and QR labels, HTML or PDF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from assetledger.cli.common import CODE, ID, App, pass_app, say
from assetledger.services.certificates import DEFAULT_BASE_URL, Papers, certificates, labels

BASE_URL_ENV = "ASSETLEDGER_BASE_URL"


F = TypeVar("F", bound=Callable[..., Any])


def _common(command: F) -> F:
    options = [
        click.argument("asset_id", type=ID, required=False),
        click.option(
            "--village", "within", type=CODE, help="Every asset of this village (or township, county) instead of one."
        ),
        click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            required=True,
            help="File to write: .html (to print from a browser) or .pdf.",
        ),
        click.option(
            "--base-url",
            envvar=BASE_URL_ENV,
            default=DEFAULT_BASE_URL,
            show_default=True,
            help=f"Address of the web app; the QR code opens <base-url>/assets/<id>. Env {BASE_URL_ENV}.",
        ),
        click.option(
            "--font",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="PDF only: a TrueType Chinese font to embed (.ttf/.ttc); env ASSETLEDGER_CJK_FONT. "
            "Default: a system font if found, else the built-in STSong-Light (not embedded).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _write(papers: Papers, out: Path, font: Path | None, kind: str) -> None:
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise click.BadParameter("应写作 .html 或 .pdf 文件 (write .html or .pdf)", param_hint="--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        from assetledger.reports.papers_pdf import certificates_pdf, cjk_font, labels_pdf

        chosen = cjk_font(font)
        (certificates_pdf if kind == "certificate" else labels_pdf)(papers.papers, out, chosen)
        say(
            f"已写入 {out}（{len(papers.papers)} {_PAPER[kind]}）",
            f"wrote {out} ({len(papers.papers)} {kind}s); {chosen.note()}",
        )
    else:
        from assetledger.reports.papers import certificates_html, labels_html

        text = (certificates_html if kind == "certificate" else labels_html)(papers.papers)
        out.write_text(text, encoding="utf-8")
        say(
            f"已写入 {out}（{len(papers.papers)} {_PAPER[kind]}）；请在浏览器中打开并用 A4 纸打印",
            f"wrote {out} ({len(papers.papers)} {kind}s); open it in a browser and print (A4)",
        )


_PAPER = {"certificate": "份证书", "label": "张标签"}


@click.command("certificate")
@_common
@pass_app
def certificate_cmd(app: App, asset_id: str | None, within: str | None, out: Path, base_url: str,
                    font: Path | None) -> None:  # fmt: skip
    """Print ownership certificates (确权证书) of confirmed assets: one asset or a village, HTML or PDF.

    \b
    Each certificate: the asset's facts, its owner, confirmation and handover, a number naming the sealed event
    that confirmed it, and a QR code that opens the asset's page. Unconfirmed assets get none (a village's batch
    names them).
    \b
    assetledger asset certificate A-1 --out 确权证书-A-1.pdf
    assetledger asset certificate --village 360921101201 --out 红旗村确权证书.html --base-url https://zc.example.cn
    """
    papers = certificates(app.db, app.actor, asset_id=asset_id, within=within, base_url=base_url)
    _write(papers, out, font, "certificate")
    if papers.skipped:
        shown = ", ".join(papers.skipped[:20]) + (" …" if len(papers.skipped) > 20 else "")
        say(
            f"{len(papers.skipped)} 项资产未确权，没有证书：{shown}",
            f"{len(papers.skipped)} asset(s) not confirmed, no certificate: {shown}",
        )


@click.command("label")
@_common
@pass_app
def label_cmd(app: App, asset_id: str | None, within: str | None, out: Path, base_url: str,
              font: Path | None) -> None:  # fmt: skip
    """Print asset labels with a QR code that opens the asset's page: one asset or a village, HTML or PDF.

    \b
    Ten labels to an A4 page (90 × 52 mm), for the inventory team to fix on the assets; scanning one opens
    <base-url>/assets/<id> (log-in needed).
    \b
    assetledger asset label --village 360921101201 --base-url https://zc.example.cn --out 红旗村标签.pdf
    """
    _write(labels(app.db, app.actor, asset_id=asset_id, within=within, base_url=base_url), out, font, "label")
