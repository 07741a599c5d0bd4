"""What an ownership certificate (确权证书) or an asset label shows: read by services/certificates.py, printed by
reports/papers.py and reports/papers_pdf.py. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Paper:
    """What a certificate or a label of one asset shows."""

    asset_id: str
    name: str
    register: str  # Chinese label
    category: str | None
    place: str  # county township village, by name
    location: str | None
    quantity: Decimal | None
    unit: str | None
    original_value: Decimal
    build_year: int | None
    project_name: str | None
    owner_name: str | None
    owner_kind: str | None  # Chinese label
    confirmed_on: dt.date | None
    confirm_doc: str | None
    handed_over_on: dt.date | None
    custodian: str | None
    county: str
    number: str | None  # the certificate number, for a confirmed asset
    url: str
