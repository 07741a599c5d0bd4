"""The words counties use (DOMAIN rule 17): shipped as data, extended by a county's file without a release."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assetledger.domain.enums import AssetStatus, FundSource, OperatingMode, OwnerKind, RegionLevel, Register
from assetledger.errors import InputError
from assetledger.rules import vocabulary


@pytest.fixture(autouse=True)
def shipped_only() -> Iterator[None]:
    vocabulary.use(None)
    yield
    vocabulary.use(None)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("财政专项扶贫资金", FundSource.CENTRAL),
        ("中央财政衔接推进乡村振兴补助资金", FundSource.CENTRAL),
        ("省级财政衔接推进乡村振兴补助资金", FundSource.PROVINCIAL),
        ("衔接资金", FundSource.CENTRAL),
        ("统筹整合财政涉农资金", FundSource.INTEGRATED),
        ("以工代赈", FundSource.CENTRAL),
        ("东西部协作资金", FundSource.EAST_WEST),
        ("定点帮扶资金", FundSource.PAIRED),
        ("社会帮扶", FundSource.DONATION),
        ("捐赠", FundSource.DONATION),
        ("地方政府专项债券", FundSource.BOND),
        ("村集体自筹", FundSource.OTHER),
        ("农户自筹", FundSource.OTHER),
        ("central", FundSource.CENTRAL),
        (" 中央衔接资金 ", FundSource.CENTRAL),
    ],
)
def test_fund_sources_2013_to_2025(text: str, source: FundSource) -> None:
    assert FundSource.parse(text) is source


def test_levels_registers_statuses_modes() -> None:
    for text in ("区", "旗", "县级市", "县"):
        assert RegionLevel.parse(text) is RegionLevel.COUNTY
        assert OwnerKind.parse(text) is OwnerKind.COUNTY
    for text in ("乡", "镇", "街道", "苏木"):
        assert RegionLevel.parse(text) is RegionLevel.TOWNSHIP
        assert OwnerKind.parse(text) is OwnerKind.TOWNSHIP
    for text in ("村", "社区", "嘎查"):
        assert RegionLevel.parse(text) is RegionLevel.VILLAGE
        assert OwnerKind.parse(text) is OwnerKind.VILLAGE
    assert OwnerKind.parse("户") is OwnerKind.HOUSEHOLD
    assert [Register.parse(t) for t in ("公益类", "经营类", "到户")] == list(Register)
    assert AssetStatus.parse("正常使用") is AssetStatus.IN_USE
    assert OperatingMode.parse("承包经营") is OperatingMode.CONTRACT_OUT
    assert OperatingMode.parse("contract-out") is OperatingMode.CONTRACT_OUT


def test_unknown_name_lists_the_accepted_values_and_how_to_add_one() -> None:
    with pytest.raises(ValueError) as caught:
        FundSource.parse("扶贫发展资金")
    message = str(caught.value)
    assert "未知资金来源 (unknown fund source) '扶贫发展资金'" in message
    assert "中央衔接资金 central" in message and "其他资金 other" in message
    assert "--vocabulary" in message and '<value> = ["扶贫发展资金"]' in message
    assert "central = " not in message  # no value is proposed: the first one listed may be the wrong one


def test_the_hint_for_an_unknown_status_proposes_no_status() -> None:
    """报废 (scrapped) is no alias of the first status, 在用 (in use): the hint must not suggest mapping it there."""
    with pytest.raises(ValueError) as caught:
        AssetStatus.parse("报废")
    message = str(caught.value)
    assert 'in_use = ["报废"]' not in message and '<取值> = ["报废"]' in message
    assert "in_use / idle / damaged / disposed / written_off" in message


def test_a_county_file_adds_names_and_overrides_shipped_ones(tmp_path: Path) -> None:
    path = tmp_path / "words.toml"
    path.write_text(
        '["资金来源"]\ncentral = ["扶贫发展资金"]\nprovincial = ["衔接资金"]\n[status]\n"闲置" = "暂停使用"\n'
    )
    words = vocabulary.use(path)
    assert FundSource.parse("扶贫发展资金") is FundSource.CENTRAL
    assert FundSource.parse("衔接资金") is FundSource.PROVINCIAL
    assert FundSource.parse("财政专项扶贫资金") is FundSource.CENTRAL  # the shipped names stay
    assert AssetStatus.parse("暂停使用") is AssetStatus.IDLE
    assert "衔接资金" not in words.spellings(FundSource, "central")
    assert "衔接资金" in words.spellings(FundSource, "provincial")
    vocabulary.use(None)
    with pytest.raises(ValueError):
        FundSource.parse("扶贫发展资金")


def test_a_bad_county_file_is_refused_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "words.toml"
    path.write_text('["资金"]\nx = ["a"]\n["资金来源"]\nnowhere = ["b"]\ncentral = ["c"]\nprovincial = ["c"]\n')
    with pytest.raises(InputError) as caught:
        vocabulary.use(path)
    text = str(caught.value)
    assert "列「资金」 (column)：不是词表 (not a vocabulary)" in text
    assert "列「[资金来源] nowhere」 (column)：不是资金来源" in text
    assert "值「c」 (value)：已列在中央衔接资金下" in text
    (tmp_path / "broken.toml").write_text("[资金来源\n")
    with pytest.raises(InputError, match="not a TOML file"):
        vocabulary.use(tmp_path / "broken.toml")


def test_the_shipped_table_is_the_package_data() -> None:
    words = vocabulary.shipped()
    assert "财政专项扶贫资金" in words.spellings(FundSource, "central")
