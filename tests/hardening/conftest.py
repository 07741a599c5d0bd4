"""Fixtures of the hardening tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hardening.crash import Zygote


@pytest.fixture(scope="session")
def zygote() -> Iterator[Zygote]:
    """A process with assetledger imported that forks real child processes cheaply (kill tests, workers)."""
    z = Zygote()
    yield z
    z.close()
