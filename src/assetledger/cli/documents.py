"""`assetledger asset attach`: documents of record (资产档案) for one asset, or a folder/ZIP matched by asset id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from assetledger.cli.common import DATE, ID, App, pass_app, say
from assetledger.domain.documents import DocumentKind
from assetledger.io.output import render_table
from assetledger.services.documents import AttachResult, attach_batch, attach_file


class KindType(click.ParamType[DocumentKind]):
    name = "|".join(k.value for k in DocumentKind)

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> DocumentKind:
        if isinstance(value, DocumentKind):
            return value
        try:
            return DocumentKind.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command("attach")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--asset", "asset_id", type=ID, help="Attach PATH (one file) to this asset. Without it, PATH is a file, "
              "folder or ZIP whose file names (or folder names) start with the asset id: A-1_验收报告.pdf, "
              "A-1/移交书.pdf.")  # fmt: skip
@click.option("--kind", type=KindType(), help="What the document is (default: from its name: 批复/立项 approval, "
              "验收 acceptance, 移交 handover, 确权 ownership, 合同 contract, 处置 disposal, 清查 inventory; "
              "an image that says nothing is a photo, else other).")  # fmt: skip
@click.option("--title", help="With --asset: the document's number or caption (e.g. 县验〔2023〕5号).")
@click.option("--date", "on", type=DATE, help="The document's own date (文件日期), recorded on its event.")
@click.option("--dry-run", is_flag=True, help="Check every file and match every asset; store nothing.")
@pass_app
def attach_cmd(
    app: App,
    path: Path,
    asset_id: str | None,
    kind: DocumentKind | None,
    title: str | None,
    on: dt.date | None,
    dry_run: bool,
) -> None:
    """Attach documents of record (资产档案) to assets: approval, acceptance, handover, ownership, photos,
    contracts, disposal, inventory evidence.

    \b
    PDF, JPG, PNG, DOCX, XLSX up to 20 MB each, recognised by content; kept once by sha256 (the same file again is
    a no-op), each attachment an event in the asset's history, sealed so `audit verify` finds a changed or
    missing file. A folder or ZIP is all or nothing: a bad file, an unsafe ZIP entry or a name without a
    registered asset id is listed (exit 2) and nothing is stored.
    \b
    assetledger asset attach 验收报告.pdf --asset A-1 --title 县验〔2023〕5号 --date 2023-11-20
    assetledger asset attach 红旗村档案.zip --dry-run
    """
    if title and not asset_id:
        raise click.UsageError(
            "--title 须与 --asset 一起给出（一个文件对一项资产）"
            " (--title is given with --asset (one file to one asset))"
        )
    if asset_id:
        if path.is_dir():
            raise click.UsageError(
                "用 --asset 时 PATH 须是一个文件；文件夹或 ZIP 按文件名匹配资产"
                " (with --asset, PATH is one file; a folder or ZIP is matched by file names)"
            )
        result = attach_file(app.db, app.place, asset_id, path, app.actor, kind=kind, title=title, on=on,
                             dry_run=dry_run)  # fmt: skip
    else:
        result = attach_batch(app.db, app.place, path, app.actor, kind=kind, on=on, dry_run=dry_run)
    _report(result, app)


def _report(result: AttachResult, app: App) -> None:
    rows = [{"资产编号": a.asset_id, "类别": a.kind.label, "文件": a.where, "大小": a.size,
             "sha256": a.sha256[:16] + "…", "结果": "新增" if a.new else "已有 (no-op)"}
            for a in result.attachments]  # fmt: skip
    click.echo(render_table(rows))
    verb = "would attach" if result.dry_run else "attached"
    where = "" if result.dry_run else f"; kept in {app.place.describe()}"
    kept = "" if result.dry_run else f"；保存在 {app.place.describe()}"
    say(
        f"{'试运行：将附加' if result.dry_run else '已附加'} {result.attached} 份文件到 {result.assets} 项资产；"
        f"{result.already} 份此前已附加{kept}",
        f"{verb} {result.attached} document(s) to {result.assets} asset(s); {result.already} already attached{where}",
    )
