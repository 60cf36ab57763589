"""When a learner last did anything: a file in their progress folder whose modification time is
touched at most once a minute, on any key or click, so the class view's "last active" counts a
learner reading or watching a replay, not only one answering. A key costs one clock reading."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

ACTIVITY_FILE = ".active"
"""In the learner's progress folder; its modification time is the last activity (a dot name: no
learner folder is listed by it)."""
MARK_EVERY = 60.0
"""Seconds between two touches of the file: the class view's "last active" is this fine."""


class Activity:
    """Marks a learner active; cheap enough to call on every key."""

    def __init__(self, folder: Path | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = folder / ACTIVITY_FILE if folder is not None else None
        self.clock = clock
        self.next_mark = float("-inf")

    def mark(self) -> None:
        """The learner did something: touch the file if the last touch is a minute old."""
        now = self.clock()
        if self.path is None or now < self.next_mark:
            return
        self.next_mark = now + MARK_EVERY
        try:  # never through a planted link, never blocking on a FIFO put in its place
            handle = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
        except OSError:  # a read-only or vanished folder: activity is a nicety, never a failure
            return
        try:
            os.utime(handle)
        except OSError:
            pass
        finally:
            os.close(handle)


def last_activity(folder: Path) -> float | None:
    """When the learner in `folder` last did anything the tutor marked, or None if never."""
    try:
        status = os.lstat(folder / ACTIVITY_FILE)
    except OSError:
        return None
    return status.st_mtime
