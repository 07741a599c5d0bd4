"""The gettext catalogs of the web pages (web/translations): every message id that code or a template uses has its
Chinese and its English, none is fuzzy, none is left over, and both languages fill the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import Flask

from assetledger.web.i18n import LANGS, catalog_path, translate

ROOT = Path(__file__).resolve().parents[2]
# The README's extract command ("Translating the web pages"), run here as a translator would run it.
EXTRACT = "pybabel extract -F babel.cfg -k t -k translate -k mark --no-location --sort-output -w 120 -o messages.pot ."


def _used(tmp_path: Path) -> set[str]:
    """The message ids the web package's code and templates use, as pybabel finds them (babel.cfg)."""
    pot = tmp_path / "messages.pot"
    args = EXTRACT.split()
    args[args.index("-o") + 1], args[-1] = str(pot), str(ROOT)
    CommandLineInterface().run([*args[:1], "-q", *args[1:]])
    with pot.open("rb") as fp:
        return {m.id for m in read_po(fp) if m.id and isinstance(m.id, str)}


def problems(used: set[str], messages: Catalog) -> list[str]:
    """What is wrong with one language's catalog against the ids in use."""
    have = {m.id for m in messages if m.id}
    found = [f"no entry: {key}" for key in sorted(used - have)]
    found += [f"not used: {key}" for key in sorted(str(k) for k in have - used)]
    found += [f"empty: {m.id}" for m in messages if m.id and not m.string]
    found += [f"fuzzy: {m.id}" for m in messages if m.id and m.fuzzy]
    found += [f"obsolete: {key}" for key in messages.obsolete]
    return found


def _catalog(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as fp:
        return read_po(fp)


def test_every_message_in_use_has_its_chinese_and_english_and_nothing_else_is_kept(tmp_path: Path) -> None:
    used = _used(tmp_path)
    assert {"app", "role_finance", "finding_loss_making", "bad_year", "kind_household", "state_left"} <= used
    for lang in LANGS:
        assert problems(used, _catalog(lang)) == [], lang


def test_the_catalog_check_can_fail() -> None:
    messages = Catalog(locale="zh")
    messages.add("app", "扶贫项目资产台账")
    messages.add("login", "")
    messages.add("logout", "退出", flags=["fuzzy"])
    messages.add("gone", "旧")
    messages.obsolete["older"] = messages["gone"]
    assert problems({"app", "login", "logout", "new_page"}, messages) == [
        "no entry: new_page", "not used: gone", "empty: login", "fuzzy: logout", "obsolete: older",
    ]  # fmt: skip


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_both_languages_fill_the_same_placeholders() -> None:
    zh, en = ({str(m.id): str(m.string) for m in _catalog(lang) if m.id} for lang in ("zh", "en"))
    differ = {key: (zh[key], en[key]) for key in zh.keys() & en.keys() if _fields(zh[key]) != _fields(en[key])}
    assert differ == {}
    assert translate("shown_of_page", "zh", page=1, pages=2) == "shown_of_page"  # an unknown id is left as it is
    assert translate("page_of", "zh", page=1, pages=2) == "第 1 / 2 页"
    assert translate("page_of", "en", page=1, pages=2) == "page 1 of 2"


def test_the_readme_gives_the_extract_command_this_test_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert EXTRACT in readme and "pybabel update" in readme


@pytest.mark.parametrize(("lang", "text"), [("zh", "扶贫项目资产台账"), ("en", "Project asset registers")])
def test_flask_babel_reads_the_same_catalogs_in_the_requests_language(app: Flask, lang: str, text: str) -> None:
    with app.test_request_context(f"/login?lang={lang}"):
        app.preprocess_request()
        assert flask_babel.gettext("app") == text
        assert app.jinja_env.from_string("{{ _('app') }}").render() == text
