"""The cyclic garbage collector held back for bulk steps (reading a sheet, building and inserting rows, digests)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK = 1000  # objects built per step from which holding the collector back pays


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold back the cyclic garbage collector during a bulk step that allocates millions of objects and keeps them.

    Each full collection walks every live container, and a 100k-row sheet is millions of them, so the collector
    would cost more than the step. Reference counting still frees what the step drops; cycles wait until the step
    ends, when collection resumes as before (a step inside another leaves it to the outer one). The switch is
    process-wide: of threads whose steps overlap, the first to have turned it off turns it back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
