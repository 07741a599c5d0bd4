"""What the web benchmark (benchmarks/web.py) and the README's screenshots (docs/screenshots.py) set up on a copy of
the demo: the database to work on, users with a password, and the county bureau's stored awards policy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from assetledger.domain.access import Role
from assetledger.ledger.chart import chart_template_path
from assetledger.services import users
from assetledger.services.award_policies import store_policy
from assetledger.store.db import Database


def demo_copy(given: Path | None, folder: Path, name: str) -> Path:
    """A copy named `name` in `folder` of the demo database `given` (never changed), or of a demo built in `folder`
    (`assetledger demo`, about a minute) when none is given."""
    if given is None:
        subprocess.run([sys.executable, "-m", "assetledger.cli.main", "demo", "--dir", str(folder / "demo")],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        given = folder / "demo" / "assetledger.db"
    copy = folder / name
    shutil.copyfile(given, copy)
    return copy


def add_users(db: Database, grants: Sequence[tuple[str, Role, str]], password: str, actor: str) -> None:
    """Each (name, role, region) granted by `actor` (the first may grant itself, as on a new database), then each
    given the password."""
    for name, role, region in grants:
        users.grant(db, name, role, region, actor)
    for name, _, _ in grants:
        users.set_password(db, name, password, actor)


def store_county_policy(db: Database, county: str, actor: str) -> None:
    """The county bureau's stored awards policy: the city example, evaluating the county's townships."""
    example = (chart_template_path().parent / "policy" / "awards-city-example.toml").read_text(encoding="utf-8")
    own = example.replace('level = "county"', 'level = "township"').replace('"3609"', f'"{county}"')
    store_policy(db, own.encode("utf-8"), "awards-county-policy.toml", actor)
