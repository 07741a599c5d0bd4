"""The awards policy page (绩效奖励办法): finance stores its policies once, in the browser; each change is a new
sealed version with actor and time (nothing updated in place), shown with the version history. The awards page
evaluates the versions in force (`serve --awards-policy FILE` still overrides them for a run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, g, render_template, request

from assetledger.domain.access import Role
from assetledger.errors import Finding, InputError, PermissionDenied
from assetledger.services.award_policies import (
    MAX_POLICY_BYTES,
    StoredVersion,
    StoreOutcome,
    policies_in_force,
    policy_history,
    store_policy,
    withdraw_policy,
)
from assetledger.web.auth import database, role_label, roles, user
from assetledger.web.awards import EXAMPLES, policy_paths

bp = Blueprint("award_policies", __name__)
READERS = (Role.FINANCE, Role.AUDITOR)


def _examples() -> dict[str, Path]:
    from assetledger.ledger.chart import chart_template_path

    folder = chart_template_path().parent / "policy"
    return {name: folder / name for name in EXAMPLES}


@bp.route("/awards/policies", methods=["GET", "POST"])
@roles(*READERS)
def policies() -> tuple[str, int]:
    text = ""
    outcome: StoreOutcome | None = None
    withdrawn: StoredVersion | None = None
    example = request.args.get("example")
    if example:
        path = _examples().get(example)
        if path is None:
            raise InputError([Finding("awards", None, "example", example, "没有这个示例 (no such example)")])
        text = path.read_text(encoding="utf-8")
    if request.method == "POST":
        if user().role is not Role.FINANCE:
            raise PermissionDenied(
                f"{user().name}（{role_label(user())}）不能修改奖励办法 (may not change the policies)"
            )
        if request.form.get("action") == "withdraw":
            withdrawn = withdraw_policy(database(), (request.form.get("code") or "").strip(), user().name,
                                        request.form.get("note"))  # fmt: skip
        else:
            raw, source = _sent()
            text = raw.decode("utf-8", errors="replace")
            try:
                outcome = store_policy(database(), raw, source, user().name, request.form.get("note"))
            except InputError as exc:
                return _render(text, None, None, exc.findings), 422
            text = ""
    return _render(text, outcome, withdrawn, None), 200


def _sent() -> tuple[bytes, str]:
    sent = request.files.get("file")
    if sent is not None and sent.filename:
        data = sent.read(MAX_POLICY_BYTES + 1)
        return data, Path(sent.filename.replace("\\", "/")).name
    text = (request.form.get("text") or "").strip()
    if not text:
        reason = "请粘贴办法文本或选择文件 (paste a policy or choose a file)"
        raise InputError([Finding("奖励办法", None, "text", None, reason)])
    return text.encode("utf-8"), "奖励办法"


def _render(text: str, outcome: StoreOutcome | None, withdrawn: StoredVersion | None,
            findings: list[Finding] | None) -> str:  # fmt: skip
    reader = user().name
    in_force = policies_in_force(database(), reader)
    shown: list[dict[str, Any]] = []
    for v in in_force:
        p = v.policy()
        shown.append({"v": v, "title": p.title, "level": p.level, "given": bool(p.given_fields())})
    return render_template(
        "award_policies.html", in_force=shown, history=policy_history(database(), reader), text=text,
        outcome=outcome, withdrawn=withdrawn, findings=findings, examples=list(EXAMPLES),
        override=[p.name for p in policy_paths()], lang=getattr(g, "lang", "zh"),
    )  # fmt: skip
