"""Fixtures of the predictor tests: an SDK client on the fake server, a hand-driven clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import openai
import pytest

from ..fake_openai import API_KEY, FakeOpenAI


@pytest.fixture
async def client(fake_openai: FakeOpenAI) -> AsyncIterator[openai.AsyncOpenAI]:
    """Return an SDK client pointed at the fake server."""
    sdk = openai.AsyncOpenAI(api_key=API_KEY, base_url=fake_openai.base_url, max_retries=0)
    yield sdk
    await sdk.close()


class FakeClock:
    """Monotonic clock the tests move by hand."""

    def __init__(self) -> None:
        """Start at 1000 s."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the current time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """Return a hand-driven monotonic clock."""
    return FakeClock()
