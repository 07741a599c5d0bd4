"""What a notice shows to anyone who can open a web page (公示上网). Pure.

A paper notice on the village board names each household's head in full; the same notice on the open web, or
forwarded in a WeChat group, reaches people who do not know the village, so names are masked as Chinese public
notices online usually are (张三 → 张*, 张三丰 → 张*丰, 欧阳明华 → 欧**华) and a household's own number (户编号,
often an ID-card number) is left out: households are numbered 1, 2, 3 on the page. What a household received, and
why a share is partial, stay as the notice has them (DOMAIN rule 6).
"""

from __future__ import annotations

MASK = "*"


def mask_name(name: str | None) -> str:
    """A person's name as a public web page shows it: the first character and, from three characters on, the
    last; the rest masked. Surrounding spaces go; an empty name stays empty."""
    text = (name or "").strip()
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + MASK
    return text[0] + MASK * (len(text) - 2) + text[-1]
