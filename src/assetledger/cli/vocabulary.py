"""`assetledger vocabulary`: the names accepted for each closed vocabulary, shipped and the county's own."""

from __future__ import annotations

from pathlib import Path

import click

from assetledger.cli.common import emit, format_option, out_option
from assetledger.domain import enums
from assetledger.rules.vocabulary import KINDS, current

HEADERS = {"vocabulary": "词表", "code": "代码", "label": "名称", "names": "其他名称"}


@click.command("vocabulary")
@click.option(
    "--kind",
    type=click.Choice([k.code for k in KINDS]),
    help="Only this vocabulary: fund_source 资金来源, register 资产类别, region_level 区划级别, owner_kind 确权层级, "
    "status 资产状态, operating_mode 经营方式.",
)
@format_option
@out_option
def command(kind: str | None, fmt: str, out: Path | None) -> None:
    """The names accepted for fund sources, levels, registers, statuses and operating modes (词表), shipped and
    the county's own.

    Each with its code, its label and its other names; the county's file counts when given
    (`assetledger --vocabulary FILE vocabulary`).

    \b
    To add a name, put it in a TOML file and give it with --vocabulary (or ASSETLEDGER_VOCABULARY), e.g.
        ["资金来源"]
        central = ["扶贫发展资金"]
    A county's name wins over a shipped one. Example: ledgers/vocabulary.toml.
    """
    words = current()
    rows = []
    for k in KINDS:
        if kind is not None and k.code != kind:
            continue
        enum: type[enums.LabelledEnum] = getattr(enums, k.enum)
        for member in enum:
            rows.append(
                {
                    "vocabulary": f"{k.zh} {k.en}",
                    "code": member.value,
                    "label": member.label,
                    "names": "、".join(words.spellings(enum, member.value)),
                }
            )
    emit(rows, fmt, out, headers=HEADERS if fmt in ("table", "xlsx") else None, sheet="vocabulary", title="词表")
