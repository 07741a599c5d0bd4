"""The charts' Chinese font (issue 22 item 8): found when one is installed, even one matplotlib's font cache was
written before; a file without Chinese glyphs is not taken for one; without any, the server says how to install
one instead of silently drawing English."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from assetledger.reports import charts


@pytest.fixture(autouse=True)
def _fresh_lookup() -> None:
    charts._found, charts._missed_at = None, None


def _installed_cjk() -> list[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    out = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True, check=False).stdout
    return [line.split(":", 1)[0] for line in out.splitlines() if line.strip()]


def test_a_font_without_chinese_glyphs_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    assert dejavu.exists()
    assert charts._added([str(dejavu)]) is None
    monkeypatch.setenv(charts.FONT_ENV, str(dejavu))
    assert str(dejavu) == charts._candidates()[0]  # the configured file is looked at first


def test_the_server_names_the_font_or_says_how_to_install_one() -> None:
    note = charts.font_note()
    if _installed_cjk():  # fontconfig knows one: the charts find it, cached by matplotlib or not
        assert charts.cjk_font() is not None and note.startswith("charts: Chinese labels in ")
    else:
        assert charts.cjk_font() is None
        assert "fonts-noto-cjk" in note and charts.FONT_ENV in note and "中文字体" in note
        assert charts.label("得分", "score") == "score"
