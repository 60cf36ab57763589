"""Saved progress: one versioned JSON file per learner, written atomically, never silently lost.

The file is `{"format": "tui-grad-progress", "version": 1, "lessons": {...}, "attempts": [...],
"resets": {...}, "restarts": {...}}`. How it stays safe:

- Every write goes to a temporary file in the same folder, is flushed and fsynced, renamed over
  the old file, and the folder is fsynced: a kill at any moment leaves the old file or the new.
- Every save takes a lock beside the file, re-reads it and merges before writing, so two copies
  of the tutor (two SSH windows) keep each other's answers, node by node.
- A reset leaves a dated marker (`resets`: record and attempts; `restarts`: the record only), so
  a copy still holding the old record cannot merge it back; a record changed after it is kept.
- A damaged file is moved aside under a dated name and the learner starts afresh; a file from a
  newer tutor is never overwritten; a disk that refuses the write is reported and the tutor goes
  on, keeping the answers in memory for the next save.
"""

from __future__ import annotations

import contextlib
import copy
import zlib
import json
import math
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "tui-grad-progress"
VERSION = 1
FILE_NAME = "progress.json"
LOCK_NAME = ".progress.lock"
TEMP_PREFIX = ".progress-"
TEMP_SUFFIX = ".tmp"
LOCK_WAIT = 5.0
"""Seconds a save waits for another copy of the tutor to finish saving before giving up."""
EVERY_LESSON = "*"
"""The key in `resets` for a reset of every lesson (lesson ids are lowercase words and '-')."""
STATUSES = ("earned", "shown")
"""What a node's status can be: found by the learner, or its answer shown (earned wins a merge)."""
ATTEMPT_KEYS = ("lesson", "part", "node", "kind", "text", "value", "correct", "shown", "mistake",
                "hints", "skills", "seed", "at")
"""Every attempt's keys, in the order they are saved and exported."""


def data_dir() -> Path:
    """Where progress lives: $TUI_GRAD_HOME if set (shared lab homes), else the user data folder."""
    override = os.environ.get("TUI_GRAD_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("tui-grad", appauthor=False))


def _now() -> float:
    return time.time()


# --- the records -----------------------------------------------------------------------------


@dataclass
class PartProgress:
    """One part of a lesson: each node's status ("earned" or "shown"), answers, hints, updates."""

    status: dict[str, str] = field(default_factory=dict)
    answers: dict[str, float] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)
    updates: int = 0
    done: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain data for the file."""
        return {"status": dict(self.status), "answers": dict(self.answers), "hints": dict(self.hints),
                "updates": self.updates, "done": self.done}

    @classmethod
    def from_json(cls, data: Any) -> PartProgress:
        """Read a part back; a wrong type raises ValueError (the file is then treated as damaged)."""
        data = _mapping(data, "a part")
        return cls(
            status={str(node): _text(value, "a status") for node, value in
                    _mapping(data.get("status", {}), "status").items()},
            answers={str(node): _number(value, "an answer") for node, value in
                     _mapping(data.get("answers", {}), "answers").items()},
            hints={str(node): _count(value, "a hint count") for node, value in
                   _mapping(data.get("hints", {}), "hints").items()},
            updates=_count(data.get("updates", 0), "updates"),
            done=_flag(data.get("done", False), "done"),
        )

    def merge(self, other: PartProgress) -> None:
        """Take in another copy's work, node by node: nothing either copy found is dropped."""
        for node, status in other.status.items():
            if node not in self.status or status == "earned":  # found in either copy beats shown
                self.status[node] = status
        for node, answer in other.answers.items():
            self.answers.setdefault(node, answer)
        for node, used in other.hints.items():
            self.hints[node] = max(self.hints.get(node, 0), used)
        self.updates = max(self.updates, other.updates)
        self.done = self.done or other.done


@dataclass
class LessonProgress:
    """Where a learner stands in one lesson: the part they are on, each part's work, the seed."""

    part: int = 0
    parts: list[PartProgress] = field(default_factory=list)
    finished: bool = False
    seed: int | None = None
    updated: float = 0.0

    def part_progress(self, index: int) -> PartProgress:
        """Part `index`'s record, adding empty parts up to it if needed."""
        if index < 0:
            raise IndexError(f"part index {index} is negative")
        while len(self.parts) <= index:
            self.parts.append(PartProgress())
        return self.parts[index]

    @property
    def started(self) -> bool:
        """True once the learner has done anything in this lesson."""
        return self.finished or self.part > 0 or any(part != PartProgress() for part in self.parts)

    def to_json(self) -> dict[str, Any]:
        """Plain data for the file."""
        return {"part": self.part, "parts": [part.to_json() for part in self.parts],
                "finished": self.finished, "seed": self.seed, "updated": self.updated}

    @classmethod
    def from_json(cls, data: Any) -> LessonProgress:
        """Read a lesson back; a wrong type raises ValueError (the file is then treated as damaged)."""
        data = _mapping(data, "a lesson")
        parts = data.get("parts", [])
        if not isinstance(parts, list):
            raise ValueError("a lesson's parts are not a list")
        seed = data.get("seed")
        return cls(
            part=_count(data.get("part", 0), "part"),
            parts=[PartProgress.from_json(part) for part in parts],
            finished=_flag(data.get("finished", False), "finished"),
            seed=None if seed is None else _integer(seed, "seed"),
            updated=_number(data.get("updated", 0.0), "updated"),
        )

    def merge(self, other: LessonProgress) -> None:
        """Take in another copy's record in place (so references the app holds stay live).

        With the same seed, parts merge node by node. With different seeds the answers belong to
        different numbers and cannot be mixed: the further record wins whole (this one on a tie);
        the other's answers stay in the attempts.
        """
        if self.seed != other.seed:
            if other._weight() > self._weight():
                self._take(other)
            self.updated = max(self.updated, other.updated)
            return
        self.part = max(self.part, other.part)
        self.finished = self.finished or other.finished
        for index, theirs in enumerate(other.parts):
            self.part_progress(index).merge(theirs)
        self.updated = max(self.updated, other.updated)

    def clear(self) -> None:
        """Start the lesson over, in place."""
        self._take(LessonProgress(updated=self.updated))

    def _weight(self) -> tuple[int, int, int, int]:
        found = sum(len(part.status) for part in self.parts)
        return (int(self.finished), self.part, found, sum(part.updates for part in self.parts))

    def _take(self, other: LessonProgress) -> None:
        self.part, self.finished, self.seed = other.part, other.finished, other.seed
        self.parts = copy.deepcopy(other.parts)
        self.updated = other.updated

    def _content(self) -> str:
        """Everything but the time: to tell whether the learner changed this record."""
        data = self.to_json()
        del data["updated"]
        return json.dumps(data, sort_keys=True)


def _settled(content: str) -> dict[str, Any]:
    """A record's content without the empty parts that merely opening a part adds: those change
    nothing a learner would see after a reload, so they alone are not worth a write."""
    data = json.loads(content)
    parts, empty = data.get("parts", []), PartProgress().to_json()
    while parts and parts[-1] == empty:
        parts.pop()
    return data


def normalize_attempt(attempt: Mapping[str, Any]) -> dict[str, Any]:
    """An attempt with every key of the format, in order, and plain JSON types; ValueError if not one.

    Keys beyond the format's are kept after them, so a later tutor's extra fields survive.
    """
    if not isinstance(attempt, Mapping):
        raise ValueError("an attempt is not a table")
    for key in ("lesson", "node"):
        if not isinstance(attempt.get(key), str) or not attempt.get(key):
            raise ValueError(f"an attempt has no '{key}'")
    value, seed, mistake = attempt.get("value"), attempt.get("seed"), attempt.get("mistake")
    skills = attempt.get("skills") or []
    if not isinstance(skills, (list, tuple)) or not all(isinstance(skill, str) for skill in skills):
        raise ValueError("an attempt's skills are not a list of names")
    at = attempt.get("at")
    normal = {
        "lesson": attempt["lesson"],
        "part": _count(attempt.get("part", 0), "an attempt's part"),
        "node": attempt["node"],
        "kind": str(attempt.get("kind") or "gradient"),
        "text": str(attempt.get("text") or ""),
        "value": None if value is None else _number(value, "an attempt's value"),
        "correct": _flag(attempt.get("correct", False), "correct"),
        "shown": _flag(attempt.get("shown", False), "shown"),
        "mistake": None if mistake is None else str(mistake),
        "hints": _count(attempt.get("hints", 0), "an attempt's hints"),
        "skills": list(skills),
        "seed": None if seed is None else _integer(seed, "an attempt's seed"),
        "at": _now() if at is None else _number(at, "an attempt's time"),
    }
    normal.update((key, item) for key, item in attempt.items() if key not in normal)
    return normal


def _attempt_key(attempt: Mapping[str, Any]) -> tuple:
    """What makes two attempts the same one (from two copies of the file)."""
    return (attempt["at"], attempt["lesson"], attempt["part"], attempt["node"], attempt["kind"], attempt["text"],
            repr(attempt["value"]), attempt["correct"], attempt["shown"], attempt["hints"])


# --- the store -------------------------------------------------------------------------------


class _Refused(Exception):
    """The file on disk must not be written over now; `sentence` says why, for the learner."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


@dataclass
class _OnDisk:
    lessons: dict[str, LessonProgress]
    attempts: list[dict[str, Any]]
    resets: dict[str, float]
    restarts: dict[str, float]


class ProgressStore:
    """Loads, merges and saves one learner's progress file.

    `load()` then read and change `lesson(id)` records in place and `record()` each answer;
    `save()` after each change. `warnings` collects sentences for the learner (a damaged file
    set aside, a newer file left alone).
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else data_dir()
        self.lessons: dict[str, LessonProgress] = {}
        self.attempts: list[dict[str, Any]] = []
        self.resets: dict[str, float] = {}
        """When each lesson (or EVERY_LESSON) was reset: its record and attempts up to then are gone."""
        self.restarts: dict[str, float] = {}
        """When each lesson was started over: its record up to then is gone, its attempts stay."""
        self.warnings: list[str] = []
        self._attempt_keys: set[tuple] = set()
        self._saved_content: dict[str, str] = {}
        self._saved_extent: tuple[int, dict[str, float], dict[str, float]] = (0, {}, {})
        self._changed: set[str] = set()
        self._known_digest: tuple[int, int, int] | None = None
        """The hash of the file as this copy last read or wrote it: if unchanged, nothing to merge."""

    @property
    def path(self) -> Path:
        """The progress file."""
        return self.folder / FILE_NAME

    def load(self) -> ProgressStore:
        """Read the file, if any; a damaged one is set aside and a newer one left alone, with a warning."""
        with _FileLock(self.folder / LOCK_NAME):
            try:
                on_disk = self._read()
            except _Refused as refusal:
                self._warn(refusal.sentence)
                on_disk = None
        if on_disk is not None:
            self._changed = self._stamp_changed_lessons()
            self._merge(on_disk)
        self._remember_content()
        return self

    def lesson(self, lesson_id: str) -> LessonProgress:
        """This lesson's record, created empty if the learner has not started it."""
        return self.lessons.setdefault(lesson_id, LessonProgress())

    def record(self, attempt: Mapping[str, Any]) -> None:
        """Add one answer to the log (see ATTEMPT_KEYS); it is written by the next save()."""
        normal = normalize_attempt(attempt)
        key = _attempt_key(normal)
        if key not in self._attempt_keys:
            self._attempt_keys.add(key)
            self.attempts.append(normal)

    def reset(self, lesson_id: str | None = None, *, attempts: bool = True) -> None:
        """Start one lesson over (its record and its attempts), or everything when None.

        With `attempts=False` the attempt log stays (for mastery and the instructor's export): what
        "start this lesson again" in the app wants. Clearing a record by hand is not enough, as the
        next save merges the copy on disk back in; this leaves a dated marker that stops that.
        """
        key = EVERY_LESSON if lesson_id is None else lesson_id
        markers = self.resets if attempts else self.restarts
        moment = _now()
        markers[key] = max(markers.get(key, moment), moment)
        self._apply_reset(key, moment, attempts, keep=set())

    def save(self) -> str | None:
        """Merge with the file and write it atomically; None when saved, else a sentence for the learner."""
        self._changed = self._stamp_changed_lessons()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with _FileLock(self.folder / LOCK_NAME, required=True) as lock:
                on_disk = self._read()
                if on_disk is not None:
                    self._merge(on_disk)
                if lock.locked:
                    self._remove_stale_temporaries()
                self._write()
                # Only now: after a failed write, this copy's changes still count as its own, so a
                # reset made meanwhile in another window does not clear answers not yet saved.
                self._remember_content()
        except _Refused as refusal:
            return refusal.sentence
        except OSError as error:
            reason = error.strerror or str(error)
            return (f"Progress cannot be saved to {self.folder} ({reason}). You can go on: your answers "
                    "are kept while tui-grad is open and saved as soon as the disk allows.")
        return None

    # --- reading and merging ---

    def _read(self) -> _OnDisk | None:
        """What the file adds; None when there is none, nothing new, or it was damaged and set aside."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise _Refused(f"Your progress file {self.path} cannot be read ({error.strerror or error}), "
                           "so progress cannot be saved over it. You can go on; this session starts "
                           "afresh.") from None
        digest = _fingerprint(raw)
        if digest == self._known_digest:
            return None  # what this copy last wrote or read, merged already: skip the slow part
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("it is not a tui-grad progress file")
            version = data.get("version")
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise ValueError(f"its version {version!r} is not a format version")
            if version > VERSION:
                raise _Refused(f"Your progress file {self.path} was written by a newer tui-grad (format "
                               f"{version}; this one reads {VERSION}). It is left untouched, so progress "
                               "cannot be saved in this session. You can go on; update tui-grad to keep "
                               "your saved progress.")
            lessons = {str(key): LessonProgress.from_json(value)
                       for key, value in _mapping(data.get("lessons", {}), "lessons").items()}
            attempts = data.get("attempts", [])
            if not isinstance(attempts, list):
                raise ValueError("its attempts are not a list")
            resets, restarts = ({str(key): _number(value, "a reset time")
                                 for key, value in _mapping(data.get(name, {}), name).items()}
                                for name in ("resets", "restarts"))
            on_disk = _OnDisk(lessons, [normalize_attempt(attempt) for attempt in attempts], resets, restarts)
            self._known_digest = digest
            return on_disk
        except (ValueError, TypeError, AttributeError, RecursionError) as error:
            self._set_aside("it is empty" if not raw.strip() else _reason(error))
            return None

    def _set_aside(self, reason: str) -> None:
        """Move a damaged file to a dated name that no other file has, and tell the learner."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(_now()))
        try:
            for number in range(1, 10_000):
                aside = self.path.with_name(f"progress.damaged-{stamp}{'' if number == 1 else f'-{number}'}.json")
                if not os.path.lexists(aside):
                    break
            os.replace(self.path, aside)
        except FileNotFoundError:
            return  # another copy set it aside first, and told the learner
        except OSError as move_error:
            raise _Refused(f"Your progress file {self.path} is damaged ({reason}) and could not be moved "
                           f"aside ({move_error.strerror or move_error}), so progress cannot be saved over "
                           "it. You can go on; this session starts afresh.") from None
        _sync_folder(self.folder)
        self._warn(f"Your progress file was damaged ({reason}). It is kept as {aside} and you start afresh.")

    def _merge(self, on_disk: _OnDisk) -> None:
        """Take in what another copy saved: its resets first, then its lessons and attempts."""
        for theirs_markers, markers, attempts in ((on_disk.resets, self.resets, True),
                                                  (on_disk.restarts, self.restarts, False)):
            for key, moment in theirs_markers.items():
                if moment > markers.get(key, -math.inf):
                    markers[key] = moment
                    self._apply_reset(key, moment, attempts, keep=self._changed)
        for lesson_id, theirs in on_disk.lessons.items():
            if theirs.updated <= self._record_reset_time(lesson_id):
                continue  # saved before a reset: it was meant to go
            mine = self.lessons.get(lesson_id)
            if mine is None:
                self.lessons[lesson_id] = theirs
            else:
                mine.merge(theirs)
        added = False
        for attempt in on_disk.attempts:
            key = _attempt_key(attempt)
            if key not in self._attempt_keys and attempt["at"] > self._attempt_reset_time(attempt["lesson"]):
                self._attempt_keys.add(key)
                self.attempts.append(attempt)
                added = True
        if added:
            self.attempts.sort(key=lambda attempt: attempt["at"])

    def _attempt_reset_time(self, lesson_id: str) -> float:
        return max(self.resets.get(lesson_id, -math.inf), self.resets.get(EVERY_LESSON, -math.inf))

    def _record_reset_time(self, lesson_id: str) -> float:
        restarted = max(self.restarts.get(lesson_id, -math.inf), self.restarts.get(EVERY_LESSON, -math.inf))
        return max(restarted, self._attempt_reset_time(lesson_id))

    def _apply_reset(self, key: str, moment: float, attempts: bool, keep: set[str]) -> None:
        """Clear one lesson's record (or all) but those in `keep`, and its attempts up to `moment` too.

        `keep` holds the records this copy changed since it last saved: work done after another
        copy's reset, kept whole. Others are cleared whatever their `updated` says.
        """
        for lesson_id, lesson in self.lessons.items():
            if key in (EVERY_LESSON, lesson_id) and lesson_id not in keep:
                lesson.clear()
        if not attempts:
            return
        kept = [attempt for attempt in self.attempts
                if not (key in (EVERY_LESSON, attempt["lesson"]) and attempt["at"] <= moment)]
        if len(kept) != len(self.attempts):
            self.attempts = kept
            self._attempt_keys = {_attempt_key(attempt) for attempt in kept}

    def _stamp_changed_lessons(self) -> set[str]:
        """Give every record changed since the last load or save the current time; returns their ids."""
        moment = _now()
        changed = set()
        for lesson_id, lesson in self.lessons.items():
            if lesson._content() != self._saved_content.get(lesson_id, LessonProgress()._content()):
                changed.add(lesson_id)
                lesson.updated = max(lesson.updated, moment,
                                     math.nextafter(self._record_reset_time(lesson_id), math.inf))
        return changed

    def _remember_content(self) -> None:
        self._saved_content = {lesson_id: lesson._content() for lesson_id, lesson in self.lessons.items()}
        self._saved_extent = (len(self.attempts), dict(self.resets), dict(self.restarts))

    def unsaved(self) -> bool:
        """Whether this copy holds anything its last load or successful save did not: a record
        changed, an answer logged, a reset made. Cheap (no file access): what leaving asks first."""
        empty = LessonProgress()._content()
        return (self._saved_extent != (len(self.attempts), self.resets, self.restarts)
                or any(_settled(lesson._content()) != _settled(self._saved_content.get(lesson_id, empty))
                       for lesson_id, lesson in self.lessons.items()))

    def _warn(self, sentence: str) -> None:
        if sentence not in self.warnings:
            self.warnings.append(sentence)

    # --- writing ---

    def _head(self) -> dict[str, Any]:
        """Everything but the attempts, checked to read back (never write what a load calls damaged)."""
        empty = LessonProgress()._content()
        lessons = {lesson_id: lesson.to_json() for lesson_id, lesson in sorted(self.lessons.items())
                   if lesson._content() != empty}
        for lesson_id, data in lessons.items():
            try:
                LessonProgress.from_json(json.loads(json.dumps(data)))
            except ValueError as error:
                raise TypeError(f"the progress of lesson '{lesson_id}' cannot be saved: {error}") from None
        return {"format": FORMAT, "version": VERSION, "lessons": lessons,
                "resets": dict(sorted(self.resets.items())), "restarts": dict(sorted(self.restarts.items()))}

    def _chunks(self) -> Iterator[str]:
        """The file's text: the head indented, then the attempts on one line.

        One json.dumps call without indent runs the C encoder: ten times faster than json.dump,
        which matters as the log grows and the tutor saves after every answer.
        """
        head = json.dumps(self._head(), indent=1, ensure_ascii=False)
        yield head[: -len("\n}")] + ',\n "attempts": '
        yield json.dumps(self.attempts, ensure_ascii=False)
        yield "\n}\n"

    def _write(self) -> None:
        """Temporary file, flush, fsync, rename over the old file, fsync the folder."""
        target = Path(os.path.realpath(self.path))  # a symlinked file stays a symlink
        length, crc, adler = 0, 0, 1
        handle, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                for chunk in self._chunks():
                    data = chunk.encode("utf-8")
                    length, crc, adler = length + len(data), zlib.crc32(data, crc), zlib.adler32(data, adler)
                    stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        self._known_digest = (length, crc, adler)
        _sync_folder(target.parent)

    def _remove_stale_temporaries(self) -> None:
        """Temporary files left by a copy that was killed mid-write (only ever called under the lock)."""
        for stale in self.folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()


class _FileLock:
    """An advisory lock beside the progress file, so two tutors never interleave a merge.

    Where no lock can be had (a read-only disk, a file system without locks, no fcntl) it goes on
    without one: the rename still keeps the file whole, and a read-only disk is reported by the
    write. Only a lock another copy holds for longer than LOCK_WAIT stops a save (`required`).
    """

    def __init__(self, path: Path, *, required: bool = False) -> None:
        self.path = path
        self.required = required
        self.locked = False
        self._handle: int | None = None

    def __enter__(self) -> _FileLock:
        try:
            import fcntl
        except ImportError:
            return self
        try:  # a missing folder (nothing saved yet) or a read-only disk: go on without a lock
            self._handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return self
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.02)
                    continue
                if self.required:
                    self._close()
                    raise _Refused("Progress cannot be saved right now: another copy of tui-grad has been "
                                   f"saving for over {LOCK_WAIT:g} seconds. You can go on; the next save "
                                   "tries again.") from None
            except OSError:
                pass  # no locks on this file system
            else:
                self.locked = True
            return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing releases the lock
            self._handle = None
        self.locked = False


def _sync_folder(folder: Path) -> None:
    """fsync a folder so a rename in it survives a power cut (not possible everywhere: best effort)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        handle = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


# --- reading plain data strictly ---------------------------------------------------------------


def _reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"unreadable JSON at line {error.lineno}, column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return "unreadable JSON: it is not UTF-8 text"
    if isinstance(error, RecursionError):
        return "unreadable JSON: nested too deeply"
    return str(error)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a table")
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} is not a number")
    return float(value)


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} is not a whole number")
    return value


def _count(value: Any, what: str) -> int:
    number = _integer(value, what)
    if number < 0:
        raise ValueError(f"{what} is negative")
    return number


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{what} is not true or false")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not text")
    return value


def part_summary(lesson: Any, record: LessonProgress | None) -> str:
    """Where a learner stands in a lesson, in a few words for the home screen and `progress`."""
    if record is None or not record.started:
        return "not started"
    if record.finished:
        return "finished"
    if len(lesson.parts) == 1:
        state = record.parts[0] if record.parts else None
        found = len(state.status) if state else 0
        return f"in progress ({found} answered)"
    return f"part {min(record.part, len(lesson.parts) - 1) + 1} of {len(lesson.parts)}"


def _fingerprint(raw: bytes) -> tuple[int, int, int]:
    """Length and two checksums of the file's bytes: enough to tell whether it changed since this
    copy last read or wrote it (hashlib would load OpenSSL, half a megabyte for every learner)."""
    return len(raw), zlib.crc32(raw), zlib.adler32(raw)
