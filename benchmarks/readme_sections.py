"""Each benchmark script owns one section of benchmarks/README.md, between its own start and end markers."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_section(start: str, end: str, section: str, readme: Path = README) -> None:
    """Replace the text between `start` and `end` with `section` (appended when the markers are not there yet);
    the rest of the file is left as it is."""
    block = f"{start}\n{section}\n{end}"
    current = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        _, tail = rest.split(end, 1)
        updated = head + block + tail
    else:
        updated = current.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(updated, encoding="utf-8")
