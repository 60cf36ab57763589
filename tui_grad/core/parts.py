"""The phases of a part, which every kind of part (`tui_grad.core.kinds`) moves through in its own
order, and the first update step a part's text may quote."""

from __future__ import annotations

from tui_grad.core.lesson import LessonError, Part
from tui_grad.core.update import UpdateStep, take_steps

ANSWERING, REPLAY, UPDATING, DONE, WATCH = "answer", "replay", "update", "done", "watch"
"""The phases of a part: answering by hand, the engine's backward replay, an update step (its
forward pass replayed), finished, or watching a training run."""


def first_update(part: Part, inputs: dict[str, float]) -> UpdateStep | None:
    """The first update step of a part with parameters, for text that quotes where it leads."""
    if not part.parameters or not part.assignments:
        return None
    try:
        return take_steps(part, inputs, 1)[0]
    except (LessonError, ArithmeticError):  # a step that leaves the formula's domain: no number to quote
        return None
