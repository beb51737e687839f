"""The write gate: lets writes through, or queues them in order while held."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

type Starter[T] = Callable[[], asyncio.Future[T]]


class WriteGate:
    """Hold and release writes for backups.

    A write is a *starter*: a callable that submits the job to the executor and
    returns its future. While the gate is open a starter is called at once; while
    it is held the starter is queued and called, in arrival order, on release.
    A queued write whose caller was cancelled before release is skipped.
    """

    def __init__(self) -> None:
        """Create an open gate."""
        self._holds = 0
        self._queue: deque[tuple[Starter[Any], asyncio.Future[Any]]] = deque()

    @property
    def held(self) -> bool:
        """Return True while writes are held."""
        return self._holds > 0

    def hold(self) -> None:
        """Hold writes; holds nest and need one release each."""
        self._holds += 1

    def release(self) -> None:
        """Undo one hold; at zero, start the queued writes in order."""
        if self._holds == 0:
            return
        self._holds -= 1
        if self._holds == 0:
            self._flush()

    def release_all(self) -> None:
        """Drop every hold and start the queued writes in order."""
        self._holds = 0
        self._flush()

    async def run[T](self, start: Starter[T]) -> T:
        """Start the write now, or once the gate is released, and return its result."""
        if not self._holds:
            return await start()
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((start, waiter))
        return await waiter

    def _flush(self) -> None:
        while self._queue:
            start, waiter = self._queue.popleft()
            if waiter.cancelled():
                continue
            _chain(start(), waiter)


def _chain(source: asyncio.Future[Any], target: asyncio.Future[Any]) -> None:
    """Copy the outcome of ``source`` into ``target`` when it is done."""

    def _copy(done: asyncio.Future[Any]) -> None:
        if done.cancelled():  # pragma: no cover - the store never cancels executor jobs
            target.cancel()
            return
        error = done.exception()
        if target.done():
            return
        if error is not None:
            target.set_exception(error)
        else:
            target.set_result(done.result())

    source.add_done_callback(_copy)
