"""Ownership certificates (确权证书, 颁证) and asset labels with a QR code, for one asset or a region's batch.

A certificate is printed for an asset whose ownership is confirmed; its number names the county, the year of the
confirmation and the id of the event that recorded it, so a printed certificate points at its sealed record. Labels
carry a QR code that opens the asset's page under a base URL (`--base-url`, the address the web app is served at),
for the inventory team in the field. Printing reads the record and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from assetledger.domain.certificates import Paper
from assetledger.domain.enums import OwnerKind, Register
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation
from assetledger.services.access import reads_households, require_read
from assetledger.services.asset_households import hide_household_data, owners_shown
from assetledger.services.assets import asset_region
from assetledger.services.contracts import reading_scope
from assetledger.store import certificate_repo, register_repo
from assetledger.store.db import Database
from assetledger.store.models import Asset

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Papers:
    papers: tuple[Paper, ...]
    skipped: tuple[str, ...] = ()  # assets left out (certificates: not confirmed)


def asset_url(base_url: str, asset_id: str) -> str:
    """The asset's page under the web app's address; the id is escaped, so any id makes one path segment."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        reason = "应为网站的 http(s) 地址，如 https://zichan.example.gov.cn (an http(s) address of the web app, e.g. https://zichan.example.gov.cn)"
        raise InputError([Finding("base-url", None, "base_url", base_url, reason)])
    return f"{base_url.strip().rstrip('/')}/assets/{quote(asset_id, safe='')}"


def certificates(
    db: Database, actor: str, *, asset_id: str | None = None, within: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> Papers:  # fmt: skip
    """Certificates of one confirmed asset (refused when it is not confirmed) or of every confirmed asset of a
    region (the unconfirmed ones are named as skipped)."""
    found = _papers(db, actor, asset_id, within, base_url)
    confirmed = tuple(p for p in found if p.number is not None)
    skipped = tuple(p.asset_id for p in found if p.number is None)
    if asset_id is not None and skipped:
        raise RuleViolation("未确权，不能颁证 ownership is not confirmed: no certificate (asset confirm first)",
                            asset_id=asset_id)  # fmt: skip
    return Papers(confirmed, skipped)


def labels(
    db: Database, actor: str, *, asset_id: str | None = None, within: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> Papers:  # fmt: skip
    """Labels of one asset or of every asset of a region not disposed of."""
    return Papers(tuple(_papers(db, actor, asset_id, within, base_url)))


def _papers(db: Database, actor: str, asset_id: str | None, within: str | None, base_url: str) -> list[Paper]:
    if (asset_id is None) == (within is None):
        raise InputError(
            [Finding("print", None, "asset/village", None, "请指定一项资产或一个区划 (give one asset or one region)")]
        )
    asset_url(base_url, "x")  # a bad address is refused before anything is read
    with db.reading() as session:
        if asset_id is not None:
            assets = certificate_repo.assets_in(session, asset_id=asset_id)
            if not assets:
                raise NotFoundError("asset", asset_id)
            require_read(session, actor, asset_region(assets[0]))
        else:
            assets = certificate_repo.assets_in(session, region=reading_scope(session, actor, within))
            if not assets:
                raise NotFoundError("region with assets", str(within))
        names = register_repo.region_names(session)
        events = certificate_repo.confirming_events(session, [a.asset_id for a in assets])
        owners = owners_shown(session, [a.asset_id for a in assets])  # a 到户类 asset's attached households
        if not reads_households(session, actor):  # a household owner is named by its head: personal data
            for a in assets:
                shown = {"register": a.register, "owner_kind": a.owner_kind,
                         "owner_name": owners.get(a.asset_id, a.owner_name)}  # fmt: skip
                hide_household_data(shown)
                owners[a.asset_id] = shown["owner_name"]
        return [_paper(a, names, events.get(a.asset_id), base_url, owners) for a in assets]


def _named(value: Register | OwnerKind | str) -> str:
    """A register or owner level in words; a stored text that is none of them (written around the product) as it is,
    as every list shows it (`audit verify` names the row)."""
    return value.label if isinstance(value, Register | OwnerKind) else value


def _paper(
    a: Asset, names: dict[str, str], event_id: int | None, base_url: str, owners: dict[str, str | None]
) -> Paper:
    place = "".join(names.get(code, code) for code in (a.county_code, a.township_code, a.village_code) if code)
    number = None
    if a.owner_kind is not None and a.confirmed_on is not None and event_id is not None:
        number = f"{a.county_code}-{a.confirmed_on.year}-{event_id:06d}"
    return Paper(
        a.asset_id, a.name, _named(a.register), a.category, place, a.location, a.quantity, a.unit,
        a.original_value, a.build_year, a.project_name, owners.get(a.asset_id, a.owner_name),
        _named(a.owner_kind) if a.owner_kind else None, a.confirmed_on, a.confirm_doc, a.handed_over_on,
        a.custodian, names.get(a.county_code, a.county_code), number, asset_url(base_url, a.asset_id),
    )  # fmt: skip
