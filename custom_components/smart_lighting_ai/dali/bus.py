"""One async DALI bus: serialised, prioritised transactions over a backend."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from dali.command import Command, Response
from dali.sequences import progress as seq_progress
from dali.sequences import sleep as seq_sleep

from .backend import Backend
from .errors import DaliConnectionError, DaliNotConnectedError, DaliTimeoutError
from .timing import MAX_PRIORITY, MIN_PRIORITY, command_cost

_LOGGER = logging.getLogger(__name__)

type Sequence_ = Generator[Any, Any, Any]
type Message = Command | Sequence_
type Unsubscribe = Callable[[], None]

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_RECONNECT_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class _PriorityGate:
    """A lock that hands itself to the waiting holder with the best (lowest) priority."""

    def __init__(self) -> None:
        self._busy = False
        self._order = itertools.count()
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []

    @asynccontextmanager
    async def hold(self, priority: int) -> AsyncIterator[None]:
        if self._busy:
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._order), turn))
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._pass_on()  # the gate was handed to us just as we were cancelled
                raise
        self._busy = True
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self._busy = False


class DaliBus:
    """Serialises transactions on one backend, counts frames and bus time, reconnects."""

    def __init__(
        self,
        backend: Backend,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        reconnect_delays: Sequence[float] = DEFAULT_RECONNECT_DELAYS_S,
        realtime: bool = False,
    ) -> None:
        """Wrap ``backend``; ``realtime`` makes each command wait for its own bus time."""
        self._backend = backend
        self._timeout = timeout
        self._reconnect_delays = tuple(reconnect_delays)
        self._realtime = realtime
        self._gate = _PriorityGate()
        self._connection_listeners: list[Callable[[bool], None]] = []
        self._traffic_listeners: list[Callable[[Command], None]] = []
        self._reconnect_task: asyncio.Task[None] | None = None
        self._closed = False
        self.frames_sent = 0
        self.commands_sent = 0
        self.bus_time_s = 0.0
        self.errors = 0
        self.last_error: str | None = None
        backend.set_connection_listener(self._backend_connection_changed)
        backend.set_traffic_listener(self._backend_traffic)

    @property
    def kind(self) -> str:
        """The backend kind (``simulated``, ``hid_tridonic``, ...)."""
        return self._backend.kind

    @property
    def connected(self) -> bool:
        """Whether transactions can be sent now."""
        return self._backend.connected

    @property
    def backend(self) -> Backend:
        """The backend this bus drives."""
        return self._backend

    async def connect(self) -> None:
        """Open the interface; raises ``DaliConnectionError`` when it cannot be opened."""
        self._closed = False
        await self._backend.connect()
        self._notify_connection(True)

    async def close(self) -> None:
        """Stop reconnecting and close the interface."""
        self._closed = True
        if self._reconnect_task is not None:
            self._reconnect_task.cancel()
            with suppress(asyncio.CancelledError):
                await self._reconnect_task
            self._reconnect_task = None
        await self._backend.disconnect()

    def add_connection_listener(self, listener: Callable[[bool], None]) -> Unsubscribe:
        """Call ``listener(connected)`` whenever the connection state changes."""
        self._connection_listeners.append(listener)
        return lambda: self._connection_listeners.remove(listener)

    def add_traffic_listener(self, listener: Callable[[Command], None]) -> Unsubscribe:
        """Call ``listener(command)`` for each frame another master put on the bus."""
        self._traffic_listeners.append(listener)
        return lambda: self._traffic_listeners.remove(listener)

    async def send(
        self,
        message: Message,
        *,
        priority: int = MAX_PRIORITY,
        timeout: float | None = None,
        counted: bool = True,
    ) -> Any:
        """Run one command or python-dali sequence as a single transaction.

        Transactions never interleave; waiting ones run best priority first
        (1 is the most urgent, 5 the least). ``counted=False`` keeps an
        observer's own queries (a diagnostics snapshot) out of the frame and
        bus-time counters, so that two snapshots compare. It fails with
        ``DaliTimeoutError`` after ``timeout`` seconds and with
        ``DaliNotConnectedError`` while the interface is down.
        """
        if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
            raise ValueError(f"priority must be 1-5, not {priority}")
        async with self._gate.hold(priority):
            if not self.connected:
                raise DaliNotConnectedError("The DALI interface is not connected")
            try:
                async with asyncio.timeout(self._timeout if timeout is None else timeout):
                    if isinstance(message, Command):
                        return await self._send_command(message, priority, counted)
                    return await self._run_sequence(message, priority, counted)
            except TimeoutError as err:
                self._record_error("transaction timed out")
                raise DaliTimeoutError("The DALI transaction timed out") from err
            except DaliConnectionError as err:
                self._record_error(str(err))
                self._connection_lost()
                raise

    async def _run_sequence(self, sequence: Sequence_, priority: int, counted: bool) -> Any:
        answer: Any = None
        try:
            while True:
                try:
                    step = sequence.send(answer)
                except StopIteration as stop:
                    return stop.value
                answer = None
                if isinstance(step, seq_sleep):
                    await asyncio.sleep(step.delay)
                elif not isinstance(step, seq_progress):
                    answer = await self._send_command(step, priority, counted)
        finally:
            sequence.close()

    async def _send_command(
        self, command: Command, priority: int, counted: bool
    ) -> Response | None:
        response = await self._backend.send_command(command)
        cost = command_cost(
            device_type=command.devicetype,
            send_twice=command.sendtwice,
            expects_answer=command.response is not None,
            answered=response is not None and response.raw_value is not None,
            priority=priority,
            frame_bits=len(command.frame),
        )
        if counted:
            self.frames_sent += cost.frames
            self.commands_sent += 1
            self.bus_time_s += cost.seconds
        if self._realtime:
            await asyncio.sleep(cost.seconds)
        return response

    def _record_error(self, message: str) -> None:
        self.errors += 1
        self.last_error = message

    def _backend_connection_changed(self, connected: bool) -> None:
        if connected:
            self._notify_connection(True)
        else:
            self._connection_lost()

    def _backend_traffic(self, command: Command) -> None:
        for listener in list(self._traffic_listeners):
            listener(command)

    def _notify_connection(self, connected: bool) -> None:
        for listener in list(self._connection_listeners):
            listener(connected)

    def _connection_lost(self) -> None:
        if self._closed or (self._reconnect_task and not self._reconnect_task.done()):
            return
        _LOGGER.warning("DALI interface %s disconnected; reconnecting", self.kind)
        self._notify_connection(False)
        self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        attempt = 0
        while not self._closed:
            delay = self._reconnect_delays[min(attempt, len(self._reconnect_delays) - 1)]
            await asyncio.sleep(delay)
            attempt += 1
            try:
                await self._backend.connect()
            except DaliConnectionError as err:
                _LOGGER.debug("DALI reconnect attempt %d failed: %s", attempt, err)
                continue
            _LOGGER.info("DALI interface %s reconnected", self.kind)
            self._notify_connection(True)
            return
