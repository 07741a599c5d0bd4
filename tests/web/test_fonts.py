"""The pages name Chinese fonts of every client system (issue 22 item 8), so no client falls back to a font that
draws boxes or a Japanese face: Windows, macOS and Linux each find one of theirs."""

from __future__ import annotations

import re

from flask import Flask

from tests.web.conftest import login

CLIENTS = {
    "Windows": ("Microsoft YaHei", "DengXian"),
    "macOS": ("PingFang SC", "Hiragino Sans GB"),
    "Linux": ("Noto Sans CJK SC", "WenQuanYi Micro Hei"),
}


def test_every_client_system_finds_a_chinese_font(app: Flask) -> None:
    zhang, _ = login(app, "zhang")
    page = zhang.get("/dashboard").get_data(as_text=True)
    sheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    assert sheet, "the page links its style sheet"
    css = zhang.get(sheet.group(1)).get_data(as_text=True)
    stack = re.search(r"body\{font-family:([^;]+);", css)
    assert stack
    fonts = [f.strip().strip('"') for f in stack.group(1).split(",")]
    for system, names in CLIENTS.items():
        assert any(n in fonts for n in names), system
    assert fonts[-1] == "sans-serif"
