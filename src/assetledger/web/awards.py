"""The awards page (绩效奖励): the year's evaluations side by side, with the province's results uploaded where a
policy takes them (its 等次, 名次, 得分), and the awards posted by the finance bureau from the paying entity.

The page keeps nothing between requests: an uploaded results file comes back in the page (base64 in a hidden
field) so that "post" after "compute" posts exactly what was shown; the services check it all again, and the
actor's rights, on every request.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flask import Blueprint, current_app, g, render_template, request

from assetledger.domain.access import Role
from assetledger.domain.award_lines import side_by_side
from assetledger.domain.award_reasons import GRADE_ZH, Reason, ReasonKind, cause
from assetledger.domain.awards import AwardPolicy
from assetledger.errors import Finding, InputError
from assetledger.reports.award_charts import AwardChart, award_chart
from assetledger.rules.award_policy import parse_policy
from assetledger.services.award_guards import decided_elsewhere
from assetledger.services.award_policies import policies_in_force
from assetledger.services.award_results import ResultsFile
from assetledger.services.awards import (
    Evaluation,
    PostOutcome,
    distinct_policies,
    evaluate_policies,
    evaluate_year,
    post_awards,
    result_columns,
)
from assetledger.web.auth import database, roles, user
from assetledger.web.cache import until_changed
from assetledger.web.charts import BarChart, Frame, colour
from assetledger.web.i18n import mark, translate
from assetledger.web.listing import year_arg

bp = Blueprint("awards", __name__)
READERS = (Role.FINANCE, Role.AUDITOR)
EXAMPLES = ("awards-city-example.toml", "awards-fund-performance-example.toml", "awards-consolidation-example.toml")
MAX_RESULTS_BYTES = 2 * 1024 * 1024  # a province's results for its counties are a few kilobytes


@dataclass(frozen=True)
class Kept:
    """An uploaded results file, carried in the page between compute and post."""

    name: str
    data: str  # base64


@dataclass(frozen=True)
class Slot:
    """One configured policy on the page: its evaluation, or why it has none yet."""

    index: int
    policy: AwardPolicy
    evaluation: Evaluation | None
    kept: Kept | None
    ticked: bool = True  # offered for posting by default: not the city's own scoring the province's results decide

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns that mean something for its evaluation, as the CLI shows them (services/awards.result_columns):
        a score and grade where the policy computes them, a given 等次, 名次 or 得分 where given or needed."""
        return result_columns(self.evaluation) if self.evaluation is not None else ()


@bp.app_template_global("why")
def why(reasons: tuple[Reason, ...]) -> str:
    """A unit's reasons in the page's language (the `why_*` words of web/i18n.py)."""
    lang = g.lang
    return translate("why_separator", lang).join(reason_text(r, lang) for r in reasons)


# The message ids reason_text picks by a reason's kind, field or place count (gettext's N_: marked for the catalogs).
WHY: dict[ReasonKind, str] = {
    ReasonKind.NOT_GRADED: mark("why_not_graded"),
    ReasonKind.SCORED: mark("why_scored"),
    ReasonKind.POINTS_LOST: mark("why_points_lost"),
    ReasonKind.SCORED_ZERO: mark("why_scored_zero"),
    ReasonKind.EXCLUDED: mark("why_excluded"),
    ReasonKind.GIVEN: mark("why_given"),
    ReasonKind.NOT_GIVEN: mark("why_not_given"),
    ReasonKind.GRADE_AWARD: mark("why_grade_award"),
    ReasonKind.RANK_AWARD: mark("why_rank_award"),
    ReasonKind.NOT_ELIGIBLE: mark("why_not_eligible"),
    ReasonKind.IN_ORDER: mark("why_in_order"),
    ReasonKind.TIED_EACH: mark("why_tied_each"),
    ReasonKind.TIED_SHARE: mark("why_tied_share"),
}
FIELD_WORDS = {"grade": mark("why_field_grade"), "rank": mark("why_field_rank"), "score": mark("why_field_score")}
GIVEN_WORDS = {"grade": mark("why_given_grade"), "rank": mark("why_given_rank"), "score": mark("why_given_score")}
PLACE_WORDS = (mark("why_place"), mark("why_places"))  # one place, several


def reason_text(reason: Reason, lang: str) -> str:
    """One reason in `lang`: its kind's words with its values (money with thousands separators, a cause that an
    indicator gives in the reader's language, the fields and places in words)."""
    values: dict[str, object] = {}
    for key, value in reason.values.items():
        if key in ("amount",) and isinstance(value, Decimal):
            values[key] = f"{value:,.2f}"
        elif key == "cause":
            why = cause(value)
            values[key] = why.pick(lang) if why else ""
        elif key == "grade" and value is None:
            values[key] = translate("why_no_grade", lang)
        elif key == "grade" and lang == "zh":
            values[key] = f"{value} {GRADE_ZH.get(str(value), '')}".strip()
        elif key == "fields" and isinstance(value, tuple):
            values[key] = ("、" if lang == "zh" else ", ").join(translate(FIELD_WORDS[f], lang) for f in value)
        else:
            values[key] = "" if value is None else value
    if reason.kind is ReasonKind.GIVEN:
        held = [translate(GIVEN_WORDS[f], lang, value=v) for f, v in reason.values.items() if v is not None]
        values["held"] = ("，" if lang == "zh" else ", ").join(held)
    if "first" in values and reason.kind in (ReasonKind.RANK_AWARD, ReasonKind.NOT_ELIGIBLE):
        one = values["first"] == values["last"]
        values["places"] = translate(PLACE_WORDS[0 if one else 1], lang, first=values["first"],
                                     last=values["last"])  # fmt: skip
        detail = reason.detail
        values["how"] = f"（{reason_text(detail, lang)}）" if detail and lang == "zh" else (
            f" ({reason_text(detail, lang)})" if detail else ""
        )  # fmt: skip
    return translate(WHY[reason.kind], lang, **values)


def policy_paths() -> list[Path]:
    """The policy files given to `serve --awards-policy` (an explicit override of the stored policies)."""
    configured = current_app.config.get("AWARDS_POLICIES") or (
        [current_app.config["AWARDS_POLICY"]] if current_app.config.get("AWARDS_POLICY") else []
    )
    return [Path(p) for p in configured]


def _policies() -> list[tuple[str, AwardPolicy]]:
    """(cache key, policy) of each policy the page evaluates: the files given to `serve`, else the versions in
    force that the finance bureau stored (/awards/policies)."""
    paths = policy_paths()
    if paths:
        policies = [(str(p), parse_policy(p)) for p in paths]
    else:
        policies = [(f"stored:{v.id}", v.policy()) for v in policies_in_force(database(), user().name)]
    distinct_policies([p for _, p in policies])
    return policies


@bp.route("/awards", methods=["GET", "POST"])
@roles(*READERS)
def awards() -> str:
    year = _year(request.values.get("year"))
    keyed = _policies()
    if not keyed:
        return render_template("awards_no_policy.html", year=year)
    policies = [p for _, p in keyed]
    reader = user().name
    slots: list[Slot] = []
    for i, (key, policy) in enumerate(keyed):
        kept = _uploaded(i) if request.method == "POST" else None
        if kept is not None:
            evaluation: Evaluation | None = _with_results(year, policy, kept, reader)
        elif not policy.given_fields():
            evaluation = _cached(year, policy, key, reader)
        else:
            evaluation = None  # waits for the given results
        ticked = not decided_elsewhere(policy, policies)
        slots.append(Slot(i, policy, evaluation, kept, ticked))
    evaluated = [s.evaluation for s in slots if s.evaluation is not None]
    outcomes: list[PostOutcome] = []
    if request.method == "POST" and request.form.get("action") == "post":
        chosen = [s.evaluation for s in slots if s.evaluation is not None and request.form.get(f"post-{s.index}")]
        if not chosen:
            raise InputError([Finding("awards", None, "post", None, "choose the evaluations to post")])
        on = _date(request.form.get("date"))
        payer = (request.form.get("payer") or "").strip()
        if not payer:
            raise InputError([Finding("awards", None, "payer", None, "name the paying entity, e.g. S360900")])
        outcomes = post_awards(database(), chosen, payer, on, reader)  # the service checks the actor
    chart = _drawn(award_chart(evaluated, year), getattr(g, "lang", "zh")) if evaluated else None
    return render_template("awards.html", year=year, slots=slots, summary=side_by_side(evaluated),
                           evaluated=evaluated, outcomes=outcomes, chart=chart,
                           names={p.code: p.name for p in policies},
                           payer=request.form.get("payer", ""), date=request.form.get("date", ""))  # fmt: skip


def _cached(year: int, policy: AwardPolicy, path: str, reader: str) -> Evaluation:
    """An evaluation that takes no given results, kept until the record changes (per reader: scopes differ)."""

    def run() -> Evaluation:
        return evaluate_year(database(), year, policy, reader)

    return until_changed(database(), ("awards", year, path, reader), run)


def _uploaded(index: int) -> Kept | None:
    """The results file sent for the policy at `index`: a new upload, or the one the page carried."""
    sent = request.files.get(f"results-{index}")
    if sent is not None and sent.filename:
        data = sent.read(MAX_RESULTS_BYTES + 1)
        name = sent.filename
    else:
        carried = request.form.get(f"kept-{index}")
        if not carried:
            return None
        try:
            data = base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError([Finding("awards", None, f"kept-{index}", None, "not a file: upload it again")]) from exc
        name = request.form.get(f"kept-name-{index}") or "results.csv"
    if len(data) > MAX_RESULTS_BYTES:
        raise InputError([Finding(name, None, None, None, "a results file is at most 2 MB")])
    return Kept(_safe_name(name), base64.b64encode(data).decode("ascii"))


def _with_results(year: int, policy: AwardPolicy, kept: Kept, reader: str) -> Evaluation:
    """The policy evaluated with the file uploaded for it, as the CLI's --results CODE=FILE: the service matches it
    to the policy by code and reads it under the upload's own name (never the temporary path)."""
    with tempfile.TemporaryDirectory(prefix="assetledger-results-") as folder:
        path = Path(folder) / kept.name
        path.write_bytes(base64.b64decode(kept.data))
        results = [ResultsFile(path, policy.code, kept.name)]
        (evaluation,) = evaluate_policies(database(), year, [policy], reader, results, source=kept.name)
    return evaluation


def _safe_name(filename: str) -> str:
    base = Path(filename.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-（）()\u4e00-\u9fff]", "_", base).lstrip(".")
    suffix = Path(cleaned).suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise InputError([Finding(base, None, "file", suffix or base, "results are an XLSX or CSV file")])
    return cleaned


@dataclass(frozen=True)
class Drawn:
    """The chart as the page draws it: inline SVG (web/charts.py, as the /indicators page draws its charts), in
    the page's language."""

    title: str
    axis: str
    svg: BarChart
    legend: tuple[tuple[str, str], ...]  # (series, colour), when there are several
    peak: str


def _drawn(chart: AwardChart, lang: str) -> Drawn | None:
    if not chart.units:
        return None
    frame = Frame(left=96, top=24, plot=180, series=len(chart.series))  # left: room for the first slanted name
    peak = max([v for _, values in chart.series for v in values] + [Decimal(1)])
    bars = []
    for j, (name, values) in enumerate(chart.series):
        for i, (unit, value) in enumerate(zip(chart.units, values, strict=True)):
            height = frame.plot * float(value / peak)  # not money: a drawing
            bars.append(frame.bar(i, j, height, f"{unit.pick(lang)} {name.pick(lang)}: {value:,.2f}"))
    svg = frame.chart(len(chart.units), 90, bars, [u.pick(lang) for u in chart.units])
    legend = tuple((n.pick(lang), colour(j)) for j, (n, _) in enumerate(chart.series))
    return Drawn(chart.title.pick(lang), chart.axis.pick(lang), svg, legend if len(legend) > 1 else (), f"{peak:,.2f}")


def _year(text: str | None) -> int:
    """The year asked for (last year when none): four digits of a plausible year, else a 400 in the page's
    language (year=0000 once reached the evaluation and failed there)."""
    if not text:
        return dt.date.today().year - 1
    year = year_arg({"year": text})
    assert year is not None
    return year


def _date(text: str | None) -> dt.date:
    if not text:
        raise InputError([Finding("awards", None, "date", None, "the date of the award entries (YYYY-MM-DD)")])
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError([Finding("awards", None, "date", text, "a date is YYYY-MM-DD")]) from exc
