"""The CLI's file commands hold back the cyclic garbage collector while they work (cli/common.collector_held) and
give it back afterwards, whether the file was imported or refused; the library and the web never hold it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from assetledger.cli.common import collector_held
from tests.conftest import Cli

HEADER = "资产编号,资产名称,资产类别,行政区划代码,资产原值,资金来源,建设年度\n"


def test_the_collector_is_held_inside_and_given_back_after_a_failure() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_held():
        assert not gc.isenabled()
        raise ValueError("a refused file")
    assert gc.isenabled()


def test_a_caller_that_already_holds_it_keeps_holding_it() -> None:
    gc.disable()
    try:
        with collector_held():
            assert not gc.isenabled()
        assert not gc.isenabled()  # not switched on behind the caller's back
    finally:
        gc.enable()


def test_a_refused_import_gives_it_back(run: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "台账.csv"
    bad.write_text(HEADER + "A-1,冷库,经营性,999999999999,abc,中央衔接资金,2024\n", encoding="utf-8")
    refused = run("asset", "import", str(bad), ok=False)
    assert refused.exit_code == 2 and "abc" in refused.output
    assert gc.isenabled()
