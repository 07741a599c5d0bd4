"""An importer refuses a user who may not write the register before it looks at the file: a file imported before
gets no "already imported" (exit 0) for an auditor or an unknown name (tester's report)."""

from __future__ import annotations

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv


def test_a_register_file_imported_before_is_refused_to_who_may_not_import_it(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    path = write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("A-1")])
    run("asset", "import", str(path))
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921")
    run("user", "add", "wang", "--role", "auditor", "--scope", "360921", user="zhang")
    before = table_counts(db)
    for user in ("wang", "nobody"):
        refused = run("asset", "import", str(path), user=user, ok=False)
        assert refused.exit_code == 6 and "already" not in refused.output, (user, refused.output)
    assert "already imported" in run("asset", "import", str(path), user="zhang").output
    assert table_counts(db) == before
