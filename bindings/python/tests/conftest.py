"""Shared fixtures: the ``emulator`` fixture comes from the installed yespo pytest plugin."""

from __future__ import annotations

from typing import Iterator

import pytest

import yespo
from yespo.testing import Emulator

FAST_RETRIES = dict(retry_base=0.01, retry_max=0.2, rate_limit=0)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[yespo.Client]:
    """A client of the per-test emulator with quick retries."""
    with emulator.client(concurrency=4, **FAST_RETRIES) as c:
        yield c
