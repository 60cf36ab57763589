"""A learner's history in summary: mastery per skill, the tries still open, where practice stands
and what comes due, kept up to date as each answer is recorded.

The store takes every answer in here in the log's order (`take`) and writes the summary into the
state file with the place in the log it covers, so a start reads a few hundred bytes instead of
every answer. When the summary is missing, damaged or covers a log that is no longer there (an
older tutor wrote the file, the log was compacted or replaced), the store builds it again from the
log (`History.rebuild`). The rules themselves live in `skills.py` and `practice_state.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tui_grad.core.attempt_log import PRACTICE_ID
from tui_grad.core.practice_state import PracticeState
from tui_grad.core.skills import Mastery, Tally, weakest


@dataclass(frozen=True)
class LogPlace:
    """Where in the attempt log a summary ends: the log file (its inode), the byte just past the
    last line taken in, and the last seq given."""

    inode: int | None
    offset: int
    seq: int


class History:
    """The summaries of every answer taken in so far (see the module docstring)."""

    def __init__(self) -> None:
        self.tally = Tally()
        self.practice: PracticeState | None = None
        """Where practice stands; None before any practice answer."""
        self.count = 0
        """How many answers were taken in."""

    @classmethod
    def rebuild(cls, attempts: Iterable[Mapping[str, Any]]) -> History:
        """The summaries of these attempts, taken in order."""
        history = cls()
        for attempt in attempts:
            history.take(attempt)
        return history

    def take(self, attempt: Mapping[str, Any]) -> None:
        """Take in one answer, after every answer before it."""
        self.count += 1
        self.tally.take(attempt)
        if attempt.get("lesson") == PRACTICE_ID and isinstance(attempt.get("level"), int):
            if self.practice is None:
                self.practice = PracticeState()
            self.practice.take(attempt)

    def mastery(self) -> dict[str, Mastery]:
        """Every skill's mastery (see `skills.py`)."""
        return self.tally.table()

    def to_review(self) -> list[str]:
        """Skills practised but not mastered, weakest first."""
        return weakest(self.mastery())

    @property
    def practised(self) -> bool:
        """Whether the learner has answered any practice question."""
        return self.practice is not None

    def practice_state(self) -> PracticeState:
        """A copy of where practice stands (a fresh state before any practice)."""
        return copy.deepcopy(self.practice) if self.practice is not None else PracticeState()

    def to_json(self, place: LogPlace) -> dict[str, Any]:
        """Plain data for the state file, with the place in the log it covers."""
        return {"log": place.inode, "offset": place.offset, "seq": place.seq, "count": self.count,
                "mastery": self.tally.to_json(),
                "practice": None if self.practice is None else self.practice.to_json()}

    @classmethod
    def from_json(cls, data: Any) -> tuple[History, LogPlace] | None:
        """A stored summary and the place it covers; None when it is missing or damaged (the store
        then builds it again from the log: nothing is lost)."""
        if not isinstance(data, dict):
            return None
        try:
            history = cls()
            history.tally = Tally.from_json(data["mastery"])
            practice = data["practice"]
            history.practice = None if practice is None else PracticeState.from_json(practice)
            history.count = _count(data["count"])
            inode = data["log"]
            place = LogPlace(None if inode is None else _count(inode), _count(data["offset"]), _count(data["seq"]))
        except (KeyError, ValueError, TypeError, AttributeError, IndexError, OverflowError, RecursionError):
            return None
        return history, place


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValueError("not a count")
    return value
