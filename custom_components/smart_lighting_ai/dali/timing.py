"""Bus time that DALI frames occupy (IEC 62386-101 timing).

A DALI bit takes 1/1200 s. A 16-bit forward frame is a start bit, 16 data bits
and a stop condition of two bit times (a 24-bit one, for control devices of
part 103, a start bit, 24 data bits and the stop condition); an 8-bit backward frame is a start bit,
8 data bits and the stop condition. Between a forward frame and its answer the
bus settles for 5.5-10.5 ms; before the next forward frame it settles for a time
that depends on the transaction priority (Table 22 of part 101: 13.5 ms for
priority 1 up to 19.5 ms for priority 5, lower bounds used here). A query that
gets no answer holds the bus until the backward-frame window closes.
"""

from __future__ import annotations

from dataclasses import dataclass

BIT_S = 1 / 1200
FORWARD_FRAME_S = (1 + 16 + 2) * BIT_S
FORWARD_FRAME_24_S = (1 + 24 + 2) * BIT_S
BACKWARD_FRAME_S = (1 + 8 + 2) * BIT_S
ANSWER_SETTLING_S = 0.0055
NO_ANSWER_WINDOW_S = 0.0124
# Settling before the next forward frame, by transaction priority (index 1..5).
PRIORITY_SETTLING_S = (0.0, 0.0135, 0.0149, 0.0163, 0.0179, 0.0195)
# The second frame of a send-twice command follows at priority-1 settling.
SEND_TWICE_SETTLING_S = PRIORITY_SETTLING_S[1]
MIN_PRIORITY = 1
MAX_PRIORITY = 5


@dataclass(frozen=True, slots=True)
class FrameCost:
    """Frames and bus time that one command occupies."""

    frames: int
    seconds: float


def command_cost(
    *,
    device_type: int,
    send_twice: bool,
    expects_answer: bool,
    answered: bool,
    priority: int,
    frame_bits: int = 16,
) -> FrameCost:
    """Return the frames and bus time of one command as a backend puts it on the bus.

    A command with a device type is preceded by an ``EnableDeviceType`` frame, and a
    configuration command is sent twice, exactly as python-dali's drivers do.
    ``frame_bits`` is the forward frame's length: 16 (control gear) or 24 (control devices).
    """
    if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        raise ValueError(f"priority must be 1-5, not {priority}")
    settling = PRIORITY_SETTLING_S[priority]
    forward = FORWARD_FRAME_24_S if frame_bits == 24 else FORWARD_FRAME_S
    frames = 1
    seconds = forward + settling
    if device_type:
        frames += 1
        seconds += FORWARD_FRAME_S + settling
    if send_twice:
        frames += 1
        seconds += forward + SEND_TWICE_SETTLING_S
    if expects_answer:
        seconds += ANSWER_SETTLING_S + BACKWARD_FRAME_S if answered else NO_ANSWER_WINDOW_S
    return FrameCost(frames, seconds)
