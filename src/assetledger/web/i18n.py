"""The interface's words in Chinese (the default) and English, from gettext catalogs a translator edits.

The catalogs are web/translations/{zh,en}/LC_MESSAGES/messages.po (README, "Translating the web pages"). A msgid is a
stable message id (`page_of`), not the English text: Chinese is the default language, not a translation of the
English, and an English copy edit must not turn the Chinese fuzzy; one English word may need two Chinese words
(`costs` 支出 and `trailing_costs` 期间支出); and the call sites (`t('key')` in templates, `translate("key", lang)`)
stay as they were. Both catalogs carry every id, so the English text is in en/messages.po like the Chinese in zh/
(gettext's "monolingual" layout, which Weblate and Poedit take with en/ as the source).

The .po files are compiled into memory once per process (Babel's write_mo), so there are no .mo files to build,
ship or keep in step: `pip install -e .` is enough, and what a translator saved is what the pages show. A fuzzy
entry is not shown (gettext's rule); tests/web/test_catalogs.py fails on it, on a missing or unused id, and on a
text whose {placeholders} differ between the languages.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, g
from flask_babel import Babel, Domain, get_locale
from werkzeug.utils import cached_property

from assetledger.domain import register_fields
from assetledger.domain.register_fields import RegisterField

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
CATALOGS = Path(__file__).parent / "translations"


def catalog_path(lang: str) -> Path:
    return CATALOGS / lang / "LC_MESSAGES" / "messages.po"


@functools.cache
def catalog(lang: str) -> Translations:
    """The compiled catalog of `lang` (a language of LANGS; any other: the default one)."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    with catalog_path(lang).open("rb") as po:
        messages = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, messages)  # fuzzy entries left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled)


def mark(key: str) -> str:
    """A message id written where it is data, to be translated later by its value (gettext's N_): returned as it
    is. `pybabel extract` (babel.cfg, keyword `mark`) finds it, so the catalogs check knows it is used."""
    return key


# Ids that pages get from a variable, marked where no other module writes them as data.
USED_ELSEWHERE = (
    # web/auth.py: the login page's error (login.html shows t(error)) and role_label(): role_<role>
    mark("wrong_login"), mark("too_many_logins"), mark("login_busy"),
    mark("role_finance"), mark("role_village-accountant"), mark("role_inventory"), mark("role_auditor"),
    # NotFoundError.kind: the error page's "未找到{kind}"
    mark("kind_asset"), mark("kind_region"), mark("kind_entity"), mark("kind_inventory"), mark("kind_user"),
    mark("kind_contract"), mark("kind_document"), mark("kind_distribution"), mark("kind_entry"),
    mark("kind_household"), mark("kind_village"),
    # PermissionDenied.reason: the 403 page's denied_<reason>, with the Action of its facts as action_<action>
    mark("denied_may_not_change"), mark("denied_out_of_scope"), mark("denied_unknown_user"),
    mark("denied_name_a_region"), mark("denied_may_not_read"), mark("denied_outside_scope"),
    mark("denied_may_not_read_households"), mark("denied_evaluation_outside_scope"),
    mark("action_register"), mark("action_books"), mark("action_distribute"), mark("action_inventory"),
    mark("action_awards"), mark("action_users"), mark("action_supervise"), mark("action_rectify"),
    mark("action_record-past"),
)  # fmt: skip
_EDITION = re.compile(r"第\s*(\d+)\s*版")


def denied(reason: str | None, facts: Mapping[str, str], lang: str) -> str | None:
    """A refusal (PermissionDenied's reason and facts) in `lang`, from the catalogs: the role and the action by their
    names in that language, never their codes; None for a refusal the catalogs do not word."""
    if not reason or not known(f"denied_{reason}"):
        return None
    words = dict(facts)
    if "role" in words:
        words["role"] = translate(f"role_{words['role']}", lang)
    if "action" in words:
        words["action"] = translate(f"action_{words['action']}", lang)
    try:
        return translate(f"denied_{reason}", lang, **words)
    except KeyError:  # a fact the message needs is missing: the service's own words instead
        return None


def edition(text: str, lang: str) -> str:
    """A stored policy's edition ("第2版", services/award_policies.py) in `lang`; a county's own edition as it is."""
    return _EDITION.sub(lambda m: translate("edition_n", lang, n=m.group(1)), text) if lang != "zh" else text


class _Catalogs(Domain):  # type: ignore[misc]
    """Flask-Babel's domain over the in-memory catalogs (its own loader reads .mo files)."""

    def get_translations(self) -> Translations:
        locale = get_locale()
        return catalog(locale.language if locale is not None else DEFAULT_LANG)


class _Babel(Babel):  # type: ignore[misc]
    @cached_property
    def domain_instance(self) -> Domain:
        return _Catalogs()


def install(app: Flask) -> None:
    """Flask-Babel on the app: the request's language (g.lang, set from ?lang= or the cookie) is its locale, so
    flask_babel.gettext and Jinja's _() / gettext() read the same catalogs as t() and translate()."""
    _Babel(app, default_locale=DEFAULT_LANG, locale_selector=lambda: getattr(g, "lang", DEFAULT_LANG))


def translate(key: str, lang: str, **values: Any) -> str:
    """The text of message id `key` in `lang`, its {placeholders} filled from `values`."""
    text: str = catalog(lang).gettext(key)
    return text.format(**values) if values else text


def known(key: str) -> bool:
    """Whether `key` is a message id of the catalogs."""
    return bool(catalog(DEFAULT_LANG).gettext(key) != key)


# Asset fields by their register column or catalogue code, labelled by the one catalogue (domain/register_fields.py).
REGISTER_FIELDS: dict[str, RegisterField] = {}
for _f in register_fields.FIELDS:
    for _key in (_f.code, _f.column):
        if _key:
            REGISTER_FIELDS.setdefault(_key, _f)
FIELDS_CN = {key: f.zh for key, f in REGISTER_FIELDS.items()}


def field(key: str, lang: str) -> str:
    found = REGISTER_FIELDS.get(key)
    if found is None:
        return key if lang == "zh" else key.replace("_", " ")
    return found.zh if lang == "zh" else found.en


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_ENGLISH = re.compile(r"\b[A-Za-z]+ +[a-z]{2,}\b")  # two English words in a row: not the Chinese side


def one_side(text: str, lang: str) -> str:
    """Of a service's note written "中文 english" (the Chinese, then the same in English), the side in `lang`;
    a note not written so is returned as it is. "中文 (English)" too, its English naming a Chinese term or not."""
    bracketed = _bracketed_english(text)
    if bracketed is not None:
        return bracketed[0] if lang == "zh" else bracketed[1]
    last = max((m.end() for m in _CJK.finditer(text)), default=0)
    while last < len(text) and text[last] in ")）":
        last += 1
    tail = text[last:].strip()
    if not last or len(tail.split()) < 2 or not re.match(r"[A-Za-z(]", tail) or _ENGLISH.search(text[:last]):
        return text  # one language, or an English sentence naming a Chinese term ("a surplus (盘盈) row needs …")
    return text[:last].strip() if lang == "zh" else tail


def _bracketed_english(text: str) -> tuple[str, str] | None:
    """(Chinese, English) of a text written "中文 (English)": the English in the last, outermost parentheses."""
    if not text.endswith(")"):
        return None
    depth = 0
    for at in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[at], 0)
        if depth == 0:
            head, inner = text[:at].strip(), text[at + 1 : -1].strip()
            if head and _CJK.match(head[-1]) and re.match(r"[A-Za-z]", inner) and len(inner.split()) >= 2:
                return head, inner
            return None
    return None
