"""Saved progress: one versioned JSON file per learner, written atomically, never silently lost.

Every write re-reads the file under a lock and merges, so two copies of the tutor (two SSH
windows) keep each other's answers. A damaged file is moved aside under a dated name; a file
from a newer tutor is never overwritten; a disk that refuses the write is reported, not fatal.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "tui-grad-progress"
VERSION = 1
FILE_NAME = "progress.json"


def data_dir() -> Path:
    """Where progress lives: $TUI_GRAD_HOME if set (shared lab homes), else the user data folder."""
    override = os.environ.get("TUI_GRAD_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("tui-grad", appauthor=False))


@dataclass
class LessonProgress:
    """Where a learner stands in one lesson: each node's status and answer, and updates taken."""

    status: dict[str, str] = field(default_factory=dict)
    answers: dict[str, float] = field(default_factory=dict)
    updates: int = 0
    finished: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "answers": self.answers, "updates": self.updates,
                "finished": self.finished}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LessonProgress:
        return cls(dict(data.get("status", {})), {k: float(v) for k, v in data.get("answers", {}).items()},
                   int(data.get("updates", 0)), bool(data.get("finished", False)))

    def weight(self) -> tuple[int, int, int]:
        """How far along this record is; the further one wins when two copies disagree."""
        return (int(self.finished), self.updates, len(self.status))


class ProgressError(Exception):
    """Progress that cannot be read or saved, with a sentence for the learner."""


@dataclass
class ProgressStore:
    """Loads, merges and saves one learner's progress file."""

    folder: Path = field(default_factory=data_dir)
    lessons: dict[str, LessonProgress] = field(default_factory=dict)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    read_only: bool = False

    @property
    def path(self) -> Path:
        """The progress file."""
        return self.folder / FILE_NAME

    def load(self) -> ProgressStore:
        """Read the file; a damaged one is kept aside and reported, a newer one is left alone."""
        try:
            data = self._read()
        except ProgressError as error:
            self.warnings.append(str(error))
            return self
        if data is not None:
            self._merge(data)
        return self

    def _read(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            self.read_only = True
            raise ProgressError(f"Cannot read {self.path} ({error.strerror}); progress will not be saved.") from None
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a tui-grad progress file")
            if int(data.get("version", 0)) > VERSION:
                self.read_only = True
                raise ProgressError(
                    f"{self.path} was written by a newer tui-grad (format {data['version']}); it is left "
                    "untouched and this session's progress will not be saved. Update tui-grad to keep both.")
            lessons = {key: LessonProgress.from_json(value) for key, value in data.get("lessons", {}).items()}
            attempts = [dict(a) for a in data.get("attempts", [])]
        except ProgressError:
            raise
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as error:
            aside = self.path.with_name(f"progress.damaged-{time.strftime('%Y%m%d-%H%M%S')}.json")
            try:
                os.replace(self.path, aside)
            except OSError:
                self.read_only = True
                raise ProgressError(f"{self.path} is damaged ({error}) and could not be moved aside; "
                                    "progress will not be saved.") from None
            raise ProgressError(f"{self.path} was damaged ({error}); it is kept as {aside.name} and "
                                "you start afresh.") from None
        return {"lessons": lessons, "attempts": attempts}

    def _merge(self, data: dict[str, Any]) -> None:
        for lesson_id, theirs in data["lessons"].items():
            mine = self.lessons.get(lesson_id)
            if mine is None or theirs.weight() > mine.weight():
                self.lessons[lesson_id] = theirs
        seen = {_attempt_key(a) for a in self.attempts}
        self.attempts.extend(a for a in data["attempts"] if _attempt_key(a) not in seen)
        self.attempts.sort(key=lambda a: a.get("at", 0))

    def lesson(self, lesson_id: str) -> LessonProgress:
        """This lesson's record (a fresh one if the learner has not started it)."""
        return self.lessons.setdefault(lesson_id, LessonProgress())

    def save(self) -> str | None:
        """Merge with what is on disk and write atomically; returns a message if it could not."""
        if self.read_only:
            return "Progress is not being saved (see the earlier message)."
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with self._lock():
                try:
                    on_disk = self._read()
                except ProgressError as error:
                    self.warnings.append(str(error))
                    on_disk = None
                if self.read_only:
                    return "Progress is not being saved (see the earlier message)."
                if on_disk is not None:
                    self._merge(on_disk)
                self._write()
        except OSError as error:
            return f"Progress could not be saved to {self.path} ({error.strerror or error}); you can go on."
        return None

    def _write(self) -> None:
        payload = {"format": FORMAT, "version": VERSION,
                   "lessons": {key: value.to_json() for key, value in sorted(self.lessons.items())},
                   "attempts": self.attempts}
        handle, temporary = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(payload, stream, indent=1)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """An advisory lock beside the file, so two tutors never interleave a merge."""
        import fcntl

        with open(self.folder / ".progress.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _attempt_key(attempt: dict[str, Any]) -> tuple:
    return (attempt.get("at"), attempt.get("lesson"), attempt.get("node"), attempt.get("text"))
