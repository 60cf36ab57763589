"""Saved progress: a small state file and an append-only attempt log, never silently lost.

Two files in the learner's folder (see `home_files.py` for how they are opened safely):

- `progress.json`, the state: `{"format": "tui-grad-progress", "version": 2, "generation": G,
  "lessons": {...}, "resets": {...}, "restarts": {...}}`. Small (one record per lesson), written
  whole on each change: temporary file, fsync, rename, fsync the folder.
- `attempts.jsonl`, the attempt log: a header line, then one answer a line, each with its `seq`,
  its place in the log. A save appends only the new answers and fsyncs them, so saving costs the
  same on day 300 as on day 1. A reset that drops attempts compacts it (rewritten whole, renamed).

How it stays safe:
- Every save takes a lock beside the files, reads what other copies added (the state if it
  changed, the log from where this copy last read), merges, then appends and writes.
- Order never comes from the wall clock. A reset leaves a marker holding the state generation and
  the log place this copy had seen: records saved at or before that generation and attempts at or
  before that place are gone; anything saved later by another copy is kept, whatever the clocks say.
- Each seed's work on a lesson is kept apart (`LessonProgress.others`): two windows with different
  seeds never overwrite each other's statuses.
- Whatever cannot be read (a whole file, one lesson's record, one log line) is moved to a dated
  `*.damaged-*` file beside it and the learner is told which file and what; every readable record
  is kept. A file from a newer tutor is never overwritten; a disk that refuses the write is
  reported and the answers wait in memory for the next save.
"""

from __future__ import annotations

import copy
import json
import math
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_grad.core.home_files import Home, Refused

FORMAT = "tui-grad-progress"
VERSION = 2
"""Version 1 kept the attempts inside progress.json; it is read and moved into the log."""
LOG_FORMAT = "tui-grad-attempts"
LOG_VERSION = 1
FILE_NAME = "progress.json"
LOG_NAME = "attempts.jsonl"
LOCK_NAME = ".progress.lock"
TEMP_PREFIX = ".progress-"
TEMP_SUFFIX = ".tmp"
LOCK_WAIT = 5.0
"""Seconds a save waits for another copy of the tutor to finish saving before giving up."""
EVERY_LESSON = "*"
"""The key in `resets` for a reset of every lesson (lesson ids are lowercase words and '-')."""
PRACTICE_ID = "practice"
"""The lesson id practice attempts are saved under (a reserved word: no lesson file may use it)."""
STATUSES = ("earned", "shown")
"""What a node's status can be: found by the learner, or its answer shown (earned wins a merge)."""
ATTEMPT_KEYS = ("lesson", "part", "node", "kind", "text", "value", "correct", "shown", "mistake",
                "hints", "skills", "seed", "at", "seq")
"""Every attempt's keys, in the order they are saved and exported (`seq`: its place in the log,
None until saved). Other keys (practice's `level`, `practice_skill`, a `formula`) follow them."""


def data_dir() -> Path:
    """Where progress lives: $TUI_GRAD_HOME if set (shared lab homes), else the user data folder."""
    import os

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
        """Read a part back; a wrong type raises ValueError (the record is then set aside)."""
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


def seed_key(seed: int | None) -> str:
    """How a seed names its work in `LessonProgress.others` ("none": the lesson's own values)."""
    return "none" if seed is None else str(seed)


@dataclass
class LessonProgress:
    """Where a learner stands in one lesson with one seed (the part, each part's work), and the work
    done with other seeds, kept apart in `others` (their answers belong to other numbers)."""

    part: int = 0
    parts: list[PartProgress] = field(default_factory=list)
    finished: bool = False
    seed: int | None = None
    updated: float = 0.0
    """When it last changed, by this machine's clock: to show the latest lesson, never to order."""
    generation: int = 0
    """The state file's generation this record was last saved in: what resets are ordered by."""
    others: dict[str, LessonProgress] = field(default_factory=dict)
    """The work done with other seeds, by `seed_key`: resumed when the learner takes that seed again."""

    def part_progress(self, index: int) -> PartProgress:
        """Part `index`'s record, adding empty parts up to it if needed."""
        if index < 0:
            raise IndexError(f"part index {index} is negative")
        while len(self.parts) <= index:
            self.parts.append(PartProgress())
        return self.parts[index]

    @property
    def started(self) -> bool:
        """True once the learner has done anything in this lesson with this seed."""
        return self.finished or self.part > 0 or any(part != PartProgress() for part in self.parts)

    def use_seed(self, seed: int | None) -> None:
        """Work with `seed` from now on: this seed's work is put aside in `others` and that seed's
        work, if any, is taken up again."""
        if seed == self.seed:
            return
        if self.started:
            self._put_aside(self._alone())
        run = self.others.pop(seed_key(seed), None) or LessonProgress(seed=seed)
        self.part, self.parts, self.finished, self.seed = run.part, run.parts, run.finished, seed

    def to_json(self) -> dict[str, Any]:
        """Plain data for the file."""
        data = {"part": self.part, "parts": [part.to_json() for part in self.parts],
                "finished": self.finished, "seed": self.seed, "updated": self.updated,
                "generation": self.generation}
        if self.others:
            data["others"] = {key: run.to_json() for key, run in sorted(self.others.items())}
        return data

    @classmethod
    def from_json(cls, data: Any, *, nested: bool = False) -> LessonProgress:
        """Read a lesson back; a wrong type raises ValueError (the record is then set aside)."""
        data = _mapping(data, "a lesson")
        parts = data.get("parts", [])
        if not isinstance(parts, list):
            raise ValueError("its parts are not a list")
        seed = data.get("seed")
        record = cls(
            part=_count(data.get("part", 0), "part"),
            parts=[PartProgress.from_json(part) for part in parts],
            finished=_flag(data.get("finished", False), "finished"),
            seed=None if seed is None else _integer(seed, "seed"),
            updated=_moment(data.get("updated", 0.0), "updated"),
            generation=_count(data.get("generation", 0), "generation"),
        )
        others = _mapping(data.get("others", {}), "its other seeds")
        if others and nested:
            raise ValueError("a seed's work holds other seeds")
        for key, value in others.items():
            run = cls.from_json(value, nested=True)
            if key != seed_key(run.seed) or run.seed == record.seed:
                raise ValueError(f"the work kept for seed '{key}' has seed {run.seed}")
            record.others[key] = run
        return record

    def merge(self, other: LessonProgress) -> None:
        """Take in another copy's record in place (so references the app holds stay live).

        Work with the same seed merges node by node; work with another seed is kept apart in
        `others` (merged node by node with what is there for that seed), never mixed.
        """
        for run in (other, *other.others.values()):
            if run.seed == self.seed:
                self._merge_run(run)
            else:
                self._put_aside(run)
        self.updated = max(self.updated, other.updated)
        self.generation = max(self.generation, other.generation)

    def clear(self) -> None:
        """Start the lesson over, in place: every seed's work goes."""
        self.part, self.parts, self.finished, self.seed, self.others = 0, [], False, None, {}

    def _alone(self) -> LessonProgress:
        """This seed's work only, as a record of its own."""
        return LessonProgress(self.part, copy.deepcopy(self.parts), self.finished, self.seed)

    def _put_aside(self, run: LessonProgress) -> None:
        key = seed_key(run.seed)
        if key in self.others:
            self.others[key]._merge_run(run)
        else:
            self.others[key] = LessonProgress(run.part, copy.deepcopy(run.parts), run.finished, run.seed)

    def _merge_run(self, run: LessonProgress) -> None:
        self.part = max(self.part, run.part)
        self.finished = self.finished or run.finished
        for index, theirs in enumerate(run.parts):
            self.part_progress(index).merge(theirs)

    def _content(self) -> str:
        """Everything but the time and generation: to tell whether the learner changed this record."""
        data = self.to_json()
        del data["updated"], data["generation"]
        return json.dumps(data, sort_keys=True)


@dataclass(frozen=True)
class Marker:
    """A reset: records saved at or before `generation` and attempts logged at or before `seq` are
    gone. Both are what the copy that reset had seen, so work saved later elsewhere is kept
    whatever the clocks say; `at` is for people and never orders anything."""

    generation: int
    seq: int
    at: float

    def union(self, other: Marker) -> Marker:
        """Both resets at once."""
        return Marker(max(self.generation, other.generation), max(self.seq, other.seq), max(self.at, other.at))

    def to_json(self) -> dict[str, Any]:
        """Plain data for the file."""
        return {"generation": self.generation, "seq": self.seq, "at": self.at}

    @classmethod
    def from_json(cls, data: Any) -> Marker:
        """Read a marker back; ValueError when it is not one."""
        data = _mapping(data, "a reset")
        return cls(_count(data.get("generation"), "a reset's generation"), _count(data.get("seq", 0), "a reset's seq"),
                   _number(data.get("at", 0.0), "a reset's time"))


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
    get = attempt.get
    lesson, node = get("lesson"), get("node")
    if not isinstance(lesson, str) or not lesson:
        raise ValueError("an attempt has no 'lesson'")
    if not isinstance(node, str) or not node:
        raise ValueError("an attempt has no 'node'")
    value, seed, mistake, at, seq = get("value"), get("seed"), get("mistake"), get("at"), get("seq")
    skills = get("skills") or []
    if not isinstance(skills, (list, tuple)) or not all(isinstance(skill, str) for skill in skills):
        raise ValueError("an attempt's skills are not a list of names")
    normal = {
        "lesson": lesson,
        "part": _count(get("part", 0), "an attempt's part"),
        "node": node,
        "kind": str(get("kind") or "gradient"),
        "text": str(get("text") or ""),
        "value": None if value is None else _number(value, "an attempt's value"),
        "correct": _flag(get("correct", False), "correct"),
        "shown": _flag(get("shown", False), "shown"),
        "mistake": None if mistake is None else str(mistake),
        "hints": _count(get("hints", 0), "an attempt's hints"),
        "skills": list(skills),
        "seed": None if seed is None else _integer(seed, "an attempt's seed"),
        "at": _now() if at is None else _moment(at),
        "seq": None if seq is None else _count(seq, "an attempt's seq"),
    }
    if len(attempt) > len(normal) or any(key not in normal for key in attempt):
        normal.update((key, item) for key, item in attempt.items() if key not in normal)
    return normal


_COUNT = len(ATTEMPT_KEYS)
_NUMBER_TYPES = (float, int)


def _logged_attempt(data: Any) -> dict[str, Any]:
    """A log line's attempt, checked: the line itself when it is already in the format's shape (as
    every line this tutor writes is), else normalize_attempt's answer. Loading 100,000 answers
    spends most of its time here, so the common case checks types without building a new table."""
    if type(data) is dict and tuple(data)[:_COUNT] == ATTEMPT_KEYS:
        lesson, node, value, at, seq, seed, mistake = (data["lesson"], data["node"], data["value"], data["at"],
                                                       data["seq"], data["seed"], data["mistake"])
        part, hints, skills = data["part"], data["hints"], data["skills"]
        if (type(lesson) is str and lesson and type(node) is str and node and type(part) is int and part >= 0
                and type(data["kind"]) is str and type(data["text"]) is str
                and (value is None or type(value) in _NUMBER_TYPES)
                and type(data["correct"]) is bool and type(data["shown"]) is bool
                and (mistake is None or type(mistake) is str) and type(hints) is int and hints >= 0
                and type(skills) is list and all(type(skill) is str for skill in skills)
                and (seed is None or type(seed) is int) and type(at) in _NUMBER_TYPES and math.isfinite(at)
                and type(seq) is int and seq > 0):
            if type(value) is int:
                data["value"] = float(value)
            if type(at) is int:
                data["at"] = float(at)
            return data
    attempt = normalize_attempt(data)
    if attempt["seq"] is None or attempt["seq"] < 1:
        raise ValueError("an attempt has no 'seq'")
    return attempt


def _attempt_key(attempt: Mapping[str, Any]) -> tuple:
    """What makes two attempts the same one (from two copies, or a version 1 file moved to the log)."""
    return (attempt["at"], attempt["lesson"], attempt["part"], attempt["node"], attempt["kind"], attempt["text"],
            repr(attempt["value"]), attempt["correct"], attempt["shown"], attempt["hints"])


# --- the store -------------------------------------------------------------------------------


@dataclass
class _OnDisk:
    """What the state file holds, with what could not be read kept raw for setting aside."""

    generation: int
    lessons: dict[str, LessonProgress]
    resets: dict[str, Marker]
    restarts: dict[str, Marker]
    old_attempts: list[dict[str, Any]]
    """A version 1 file's attempts, to be moved into the log."""
    damaged: dict[str, Any]
    reasons: list[str]


class ProgressStore:
    """Loads, merges and saves one learner's progress.

    `load()` then read and change `lesson(id)` records in place and `record()` each answer;
    `save()` after each change. `attempts` lists every answer, in the order they were logged (those
    not saved yet last). `warnings` collects sentences for the learner (a damaged file set aside, a
    newer file left alone, a folder other users may write in).
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else data_dir()
        self.lessons: dict[str, LessonProgress] = {}
        self.attempts: list[dict[str, Any]] = []
        self.resets: dict[str, Marker] = {}
        """Each lesson (or EVERY_LESSON) reset: its record and attempts up to the marker are gone."""
        self.restarts: dict[str, Marker] = {}
        """Each lesson started over: its record up to the marker is gone, its attempts stay."""
        self.warnings: list[str] = []
        self._pending = 0
        """How many attempts at the end of `attempts` are not in the log yet."""
        self._pending_keys: dict[tuple, dict[str, Any]] = {}
        self._echo: dict[tuple, dict[str, Any]] = {}
        """Lines this copy appended where another copy had appended first (no lock): not new when read."""
        self._saved_content: dict[str, str] = {}
        self._changed: set[str] = set()
        self._read_only = False
        self._generation = 0
        """The state file's generation as this copy last read or wrote it."""
        self._state_digest: tuple[int, int, int] | None = None
        """The hash of the state file as this copy last read or wrote it: if unchanged, nothing to merge."""
        self._state_dirty = False
        """A reset or a repair to write even when no record changed."""
        self._last_seq = 0
        self._log_inode: int | None = None
        self._log_offset = 0
        self._compact = False
        self._damaged_records: dict[str, Any] = {}
        self._damaged_reasons: list[str] = []
        self._damaged_lines: list[bytes] = []
        self._damaged_line_reasons: list[str] = []

    @property
    def path(self) -> Path:
        """The state file."""
        return self.folder / FILE_NAME

    @property
    def log_path(self) -> Path:
        """The attempt log."""
        return self.folder / LOG_NAME

    def load(self, *, read_only: bool = False) -> ProgressStore:
        """Read the files, if any; what cannot be read is set aside and a newer file left alone, with a warning.

        `read_only` (the instructor's class view reading a learner's folder): no lock file is made,
        nothing is set aside or repaired, and what is damaged is only reported.
        """
        self._changed = self._changed_lessons()
        self._read_only = read_only
        try:
            home = Home.open(self.folder, create=False, own=not read_only)
            if home is not None and read_only:
                with home:
                    self._sync(home)
            elif home is not None:
                with home, home.lock(LOCK_NAME, wait=LOCK_WAIT) as lock:
                    self._sync(home)
                    if lock.locked and self._needs_repair():
                        self._commit(home, locked=True)  # set aside what is damaged, move a version 1 log
        except Refused as refusal:
            self._warn(refusal.sentence)
        except OSError as error:
            self._warn(f"Your progress in {self.folder} cannot be read ({error.strerror or error}). You can go "
                       "on; this session starts afresh.")
        self._warn_damage_left()
        self._remember_content()
        return self

    def lesson(self, lesson_id: str) -> LessonProgress:
        """This lesson's record, created empty if the learner has not started it."""
        return self.lessons.setdefault(lesson_id, LessonProgress())

    def record(self, attempt: Mapping[str, Any]) -> None:
        """Add one answer to the log (see ATTEMPT_KEYS); it is written by the next save()."""
        normal = normalize_attempt(attempt)
        normal["seq"] = None
        key = _attempt_key(normal)
        if key not in self._pending_keys:
            self._pending_keys[key] = normal
            self.attempts.append(normal)
            self._pending += 1

    def reset(self, lesson_id: str | None = None, *, attempts: bool = True) -> None:
        """Start one lesson over (its record and its attempts), or everything when None.

        With `attempts=False` the attempt log stays (for mastery and the instructor's export): what
        "start this lesson again" in the app wants. Clearing a record by hand is not enough, as the
        next save merges the copy on disk back in; this leaves a marker that stops that.
        """
        key = EVERY_LESSON if lesson_id is None else lesson_id
        markers = self.resets if attempts else self.restarts
        marker = Marker(self._generation, self._last_seq, _now())
        if key in markers:
            marker = markers[key].union(marker)
        markers[key] = marker
        self._state_dirty = True
        self._compact = self._compact or attempts
        self._apply_reset(key, marker, attempts, keep=set(), local=True)

    def save(self) -> str | None:
        """Merge with the files, append the new answers and write the state; None when saved, else a
        sentence for the learner."""
        self._changed = self._changed_lessons()
        try:
            with Home.open(self.folder, create=True) as home, \
                    home.lock(LOCK_NAME, required=True, wait=LOCK_WAIT) as lock:
                self._sync(home)
                if lock.locked:
                    self._remove_stale_temporaries(home)
                self._commit(home, locked=lock.locked)
                # Only now: after a failed write, this copy's changes still count as its own, so a
                # reset made meanwhile in another window does not clear answers not yet saved.
                self._remember_content()
        except Refused as refusal:
            return refusal.sentence
        except OSError as error:
            reason = error.strerror or str(error)
            return (f"Progress cannot be saved to {self.folder} ({reason}). You can go on: your answers "
                    "are kept while tui-grad is open and saved as soon as the disk allows.")
        return None

    # --- reading and merging ---

    def _sync(self, home: Home) -> None:
        """Take in what other copies saved: the state first (its resets), then the log's new lines."""
        on_disk = self._read_state(home)
        if on_disk is not None:
            self._merge_state(on_disk)
        self._read_log(home)

    def _read_state(self, home: Home) -> _OnDisk | None:
        """What the state file adds; None when there is none, nothing new, or it was set aside whole."""
        try:
            raw = home.read(FILE_NAME)
        except OSError as error:
            raise Refused(f"Your progress file {self.path} cannot be read ({error.strerror or error}), so "
                          "progress cannot be saved over it. You can go on; this session starts afresh.") from None
        if raw is None:
            return None
        digest = _fingerprint(raw)
        if digest == self._state_digest:
            return None  # what this copy last wrote or read, merged already: skip the slow part
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("it is not a tui-grad progress file")
            version = data.get("version")
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise ValueError(f"its version {version!r} is not a format version")
        except (ValueError, TypeError, RecursionError) as error:
            self._set_aside_file(home, "it is empty" if not raw.strip() else _reason(error))
            return None
        if version > VERSION:
            raise Refused(f"Your progress file {self.path} was written by a newer tui-grad (format {version}; "
                          f"this one reads {VERSION}). It is left untouched, so progress cannot be saved in "
                          "this session. You can go on; update tui-grad to keep your saved progress.")
        on_disk = _parse_state(data, version)
        if version < VERSION:
            self._state_dirty = True  # written back as version 2, its attempts moved to the log
        if on_disk.damaged:
            self._damaged_records.update(on_disk.damaged)
            self._damaged_reasons.extend(on_disk.reasons)
        self._state_digest = digest
        return on_disk

    def _merge_state(self, on_disk: _OnDisk) -> None:
        """Take in another copy's resets first, then its lessons; a version 1 file's attempts wait to
        be logged."""
        self._generation = max(self._generation, on_disk.generation)
        for theirs_markers, markers, attempts in ((on_disk.resets, self.resets, True),
                                                  (on_disk.restarts, self.restarts, False)):
            for key, marker in theirs_markers.items():
                current = markers.get(key)
                merged = marker if current is None else current.union(marker)
                if merged != current:
                    markers[key] = merged
                    self._apply_reset(key, merged, attempts, keep=self._changed, local=False)
        for lesson_id, theirs in on_disk.lessons.items():
            if theirs.generation <= self._record_reset_generation(lesson_id):
                continue  # saved before a reset: it was meant to go
            mine = self.lessons.get(lesson_id)
            if mine is None:
                self.lessons[lesson_id] = theirs
            else:
                mine.merge(theirs)
        for attempt in on_disk.old_attempts:
            self.record(attempt)

    def _read_log(self, home: Home) -> None:
        """Take in the log's lines added since this copy last read it (all of it once it was replaced)."""
        got = home.read_from(LOG_NAME, self._log_offset, self._log_inode)
        if got is None:
            if self._log_inode is not None:  # the log was removed by hand: what this copy holds goes back in
                self._pending = len(self.attempts)
                for attempt in self.attempts:
                    attempt["seq"] = None
                    self._pending_keys[_attempt_key(attempt)] = attempt
                self._log_inode, self._log_offset = None, 0
            return
        inode, start, data = got
        whole = data.endswith(b"\n") or not data
        end = len(data) if whole else data.rfind(b"\n") + 1
        if not whole:  # a line cut short by a kill: never acknowledged, set aside whole
            self._damaged_lines.append(data[end:])
            self._damaged_line_reasons.append("an answer cut short while it was being saved")
        lines = data[:end].split(b"\n")[:-1] if end else []
        replaced = inode != self._log_inode or start == 0
        read = self._parse_log(lines, header=start == 0)
        if replaced and self._log_inode is not None:  # compacted by another copy: its lines are the truth
            del self.attempts[: len(self.attempts) - self._pending]
        position = len(self.attempts) - self._pending
        fresh = []
        hidden = self.resets and self._hidden
        for attempt in read:
            if hidden and hidden(attempt):
                continue
            if not (self._echo or self._pending_keys):
                fresh.append(attempt)
                continue
            key = _attempt_key(attempt)
            if self._echo.pop(key, None) is not None:
                continue  # this copy's own line, read back after an unlocked append
            waiting = self._pending_keys.pop(key, None)
            if waiting is not None:  # one of ours (or a version 1 file's), logged already
                tail = len(self.attempts) - self._pending
                del self.attempts[next(index for index in range(tail, len(self.attempts))
                                       if self.attempts[index] is waiting)]
                self._pending -= 1
            fresh.append(attempt)
        self.attempts[position:position] = fresh
        self._log_inode, self._log_offset = inode, start + end

    def _parse_log(self, lines: list[bytes], *, header: bool) -> list[dict[str, Any]]:
        """The attempts in the log's lines; a header line sets the first seq; unreadable lines are kept
        to be set aside."""
        start = 0
        if header and lines:
            try:
                first = json.loads(lines[0])
            except (ValueError, RecursionError):
                first = None
            if isinstance(first, dict) and "format" in first:
                self._log_header(first)
                start = 1
        body = lines[start:]
        try:  # one call of the C decoder for the whole log; line by line only when one is damaged
            parsed = json.loads(b"[" + b",".join(body) + b"]") if body else []
        except (ValueError, RecursionError):
            parsed = None
        if parsed is None or len(parsed) != len(body):
            parsed = [_loads_or_error(line) for line in body]
        read = []
        last = self._last_seq
        for line, data in zip(body, parsed):
            try:
                if isinstance(data, _Unreadable):
                    raise data.error
                attempt = _logged_attempt(data)
            except (ValueError, TypeError, RecursionError) as error:
                if line.strip():
                    self._damaged_lines.append(line)
                    self._damaged_line_reasons.append(_reason(error))
                continue
            seq = attempt["seq"]
            if seq > last:
                last = seq
            read.append(attempt)
        self._last_seq = last
        return read

    def _log_header(self, data: Mapping[str, Any]) -> None:
        version = data.get("version")
        if data.get("format") != LOG_FORMAT or not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("its first line is not a tui-grad attempt log's")
        if version > LOG_VERSION:
            raise Refused(f"Your attempt log {self.log_path} was written by a newer tui-grad (format {version}; "
                          f"this one reads {LOG_VERSION}). It is left untouched, so progress cannot be saved in "
                          "this session. You can go on; update tui-grad to keep your saved progress.")
        self._last_seq = max(self._last_seq, _count(data.get("base", 0), "the log's base"))

    def _hidden(self, attempt: Mapping[str, Any]) -> bool:
        """True for a logged attempt a reset removed (compaction drops it from the file later)."""
        seq = attempt["seq"]
        return any(seq <= marker.seq for marker in (self.resets.get(attempt["lesson"]),
                                                     self.resets.get(EVERY_LESSON)) if marker is not None)

    def _record_reset_generation(self, lesson_id: str) -> int:
        markers = (self.resets.get(lesson_id), self.resets.get(EVERY_LESSON), self.restarts.get(lesson_id),
                   self.restarts.get(EVERY_LESSON))
        return max((marker.generation for marker in markers if marker is not None), default=-1)

    def _apply_reset(self, key: str, marker: Marker, attempts: bool, keep: set[str], local: bool) -> None:
        """Clear one lesson's record (or all) and, for a reset, its attempts up to the marker.

        `keep` holds the records this copy changed since it last saved: work done after another
        copy's reset, kept whole. A `local` reset (this copy's own) also drops the answers it has
        not saved yet; another copy's reset leaves them, as they may have come after it.
        """
        for lesson_id, lesson in self.lessons.items():
            if key in (EVERY_LESSON, lesson_id) and lesson_id not in keep and (
                    local or lesson.generation <= marker.generation):
                lesson.clear()
        if not attempts:
            return
        committed = len(self.attempts) - self._pending
        kept, pending = [], 0
        for index, attempt in enumerate(self.attempts):
            waiting = index >= committed
            if key in (EVERY_LESSON, attempt["lesson"]) and (
                    (waiting and local) or (not waiting and attempt["seq"] <= marker.seq)):
                if waiting:
                    self._pending_keys.pop(_attempt_key(attempt), None)
                continue
            kept.append(attempt)
            pending += waiting
        if len(kept) != len(self.attempts):
            self.attempts, self._pending = kept, pending

    def _changed_lessons(self) -> set[str]:
        """The records changed since the last load or save, stamped with the current time."""
        moment = _now()
        changed = set()
        empty = LessonProgress()._content()
        for lesson_id, lesson in self.lessons.items():
            if lesson._content() != self._saved_content.get(lesson_id, empty):
                changed.add(lesson_id)
                lesson.updated = max(lesson.updated, moment)
        return changed

    def _remember_content(self) -> None:
        self._saved_content = {lesson_id: lesson._content() for lesson_id, lesson in self.lessons.items()}

    def unsaved(self) -> bool:
        """Whether this copy holds anything its last load or successful save did not: a record
        changed, an answer logged, a reset made. Cheap (no file access): what leaving asks first."""
        empty = LessonProgress()._content()
        return bool(self._pending or self._state_dirty
                    or any(_settled(lesson._content()) != _settled(self._saved_content.get(lesson_id, empty))
                           for lesson_id, lesson in self.lessons.items()))

    def _warn(self, sentence: str) -> None:
        """Record a warning for the learner; a file's strings (ids, paths) in it are made visible,
        whoever prints it."""
        sentence = _plain(sentence)
        if sentence not in self.warnings:
            self.warnings.append(sentence)

    # --- setting aside ---

    def _needs_repair(self) -> bool:
        return bool(self._damaged_records or self._damaged_lines or self._state_dirty or self._pending)

    def _set_aside_file(self, home: Home, reason: str) -> None:
        """Move an unreadable state file to a dated name that no other file has, and tell the learner."""
        if self._read_only:
            self._warn(f"{FILE_NAME} is damaged ({reason}); the learner's own tutor will set it aside and start "
                       "afresh")
            return
        try:
            aside = home.free_name("progress.damaged", ".json", _now())
            home.rename(FILE_NAME, aside)
        except FileNotFoundError:
            return  # another copy set it aside first, and told the learner
        except OSError as move_error:
            raise Refused(f"Your progress file {self.path} is damaged ({reason}) and could not be moved aside "
                          f"({move_error.strerror or move_error}), so progress cannot be saved over it. You "
                          "can go on; this session starts afresh.") from None
        home.sync()
        self._state_digest = None
        self._warn(f"Your progress file was damaged ({reason}). It is kept as {self.folder / aside} and you start "
                   "afresh.")

    def _set_aside_pieces(self, home: Home) -> None:
        """Write what could not be read (records, log lines) to dated files beside the good ones and
        tell the learner which file and what; the good files are then written without them."""
        if self._damaged_records:
            aside = home.free_name("progress.damaged", ".json", _now())
            data = {"format": FORMAT + "-damaged", "from": FILE_NAME, "reasons": self._damaged_reasons,
                    "pieces": self._damaged_records}
            home.create_new(aside, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))
            self._warn(f"Part of your progress file {self.path} could not be read: "
                       f"{_listed(self._damaged_reasons)}. That part is kept in {self.folder / aside}; "
                       "everything else was loaded.")
            self._damaged_records, self._damaged_reasons = {}, []
            self._state_dirty = True
        if self._damaged_lines:
            aside = home.free_name("attempts.damaged", ".jsonl", _now())
            home.create_new(aside, b"".join(line + b"\n" for line in self._damaged_lines))
            count = len(self._damaged_lines)
            self._warn(f"{count} line{'s' if count > 1 else ''} of your attempt log {self.log_path} could not be "
                       f"read: {_listed(self._damaged_line_reasons)}. {'They are' if count > 1 else 'It is'} kept "
                       f"in {self.folder / aside}; every other answer was loaded.")
            self._damaged_lines, self._damaged_line_reasons = [], []
            self._compact = True

    def _warn_damage_left(self) -> None:
        """What could not be read but not yet set aside (no lock at load): said now, set aside by a save."""
        if self._damaged_records:
            self._warn(f"Part of your progress file {self.path} could not be read: "
                       f"{_listed(self._damaged_reasons)}. The next save keeps it in a separate file.")
        if self._damaged_lines:
            self._warn(f"{len(self._damaged_lines)} line(s) of your attempt log {self.log_path} could not be read: "
                       f"{_listed(self._damaged_line_reasons)}. The next save keeps them in a separate file.")

    # --- writing ---

    def _commit(self, home: Home, *, locked: bool) -> None:
        """After a sync (under the lock where there is one): set aside what is damaged, append the new
        answers, write the state when it changed, and compact the log after a reset."""
        self._set_aside_pieces(home)
        self._append_pending(home, locked=locked)
        if self._changed or self._state_dirty or self._state_digest is None:
            self._write_state(home)
        if self._compact:
            self._compact_log(home)

    def _append_pending(self, home: Home, *, locked: bool) -> None:
        """Append the answers not logged yet, one line each with its seq, and fsync: the whole cost of
        an answer, however long the log."""
        if not self._pending:
            return
        waiting = self.attempts[len(self.attempts) - self._pending:]
        lines = []
        if self._log_offset == 0:
            lines.append(json.dumps({"format": LOG_FORMAT, "version": LOG_VERSION, "base": self._last_seq}))
        first = self._last_seq
        for number, attempt in enumerate(waiting, start=first + 1):
            attempt["seq"] = number
            lines.append(json.dumps(attempt, ensure_ascii=False))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        if locked and self._log_inode is not None and home.inode(LOG_NAME) != (self._log_inode, self._log_offset):
            home.truncate(LOG_NAME, self._log_offset)  # a line cut short by a kill, set aside already
        try:
            inode, before, after = home.append(LOG_NAME, data)
        except BaseException:
            for attempt in waiting:
                attempt["seq"] = None
            raise
        self._last_seq = first + len(waiting)
        self._pending = 0
        self._pending_keys.clear()
        if (before == self._log_offset and inode == self._log_inode) or before == 0:
            self._log_inode, self._log_offset = inode, after
        else:  # another copy wrote in between (no lock on this disk): read on from where this copy was,
            self._echo.update((_attempt_key(attempt), attempt) for attempt in waiting)  # skipping its own

    def _write_state(self, home: Home) -> None:
        """The state file, whole and atomically, one generation on: small, whatever the log's length."""
        generation = self._generation + 1
        empty = LessonProgress()._content()
        lessons = {}
        for lesson_id, lesson in sorted(self.lessons.items()):
            if lesson._content() == empty:
                continue
            if lesson_id in self._changed or lesson.generation == 0:
                lesson.generation = generation
            data = lesson.to_json()
            try:
                LessonProgress.from_json(json.loads(json.dumps(data)))  # never write what a load sets aside
            except ValueError as error:
                raise TypeError(f"the progress of lesson '{lesson_id}' cannot be saved: {error}") from None
            lessons[lesson_id] = data
        head = {"format": FORMAT, "version": VERSION, "generation": generation, "lessons": lessons,
                "resets": {key: marker.to_json() for key, marker in sorted(self.resets.items())},
                "restarts": {key: marker.to_json() for key, marker in sorted(self.restarts.items())}}
        data = json.dumps(head, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"
        home.write_atomically(FILE_NAME, [data], TEMP_PREFIX, TEMP_SUFFIX)
        self._generation, self._state_digest, self._state_dirty = generation, _fingerprint(data), False

    def _compact_log(self, home: Home) -> None:
        """Rewrite the log with only the attempts no reset removed (renamed over the old one). The
        header keeps the last seq given, so seqs never repeat."""
        header = json.dumps({"format": LOG_FORMAT, "version": LOG_VERSION, "base": self._last_seq})
        chunks = [header.encode("utf-8") + b"\n"]
        chunks += [(json.dumps(attempt, ensure_ascii=False) + "\n").encode("utf-8") for attempt in self.attempts]
        home.write_atomically(LOG_NAME, chunks, TEMP_PREFIX, TEMP_SUFFIX)
        self._log_inode, self._log_offset = home.inode(LOG_NAME)
        self._compact = False

    def _remove_stale_temporaries(self, home: Home) -> None:
        """Temporary files left by a copy that was killed mid-write (only ever called under the lock)."""
        for name in home.names():
            if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                try:
                    home.unlink(name)
                except OSError:
                    pass


def _parse_state(data: Mapping[str, Any], version: int) -> _OnDisk:
    """Every readable record of a state file; what is not readable is kept raw with its reason."""
    damaged: dict[str, Any] = {}
    reasons: list[str] = []

    def each(name: str, read: Any) -> dict[str, Any]:
        table = data.get(name, {})
        if not isinstance(table, dict):
            damaged[name] = table
            reasons.append(f"its {name} are not a table")
            return {}
        good = {}
        for key, value in table.items():
            try:
                good[str(key)] = read(value)
            except (ValueError, TypeError, RecursionError) as error:
                damaged.setdefault(name, {})[key] = value
                reasons.append(f"{name[:-1] if name == 'lessons' else name} '{_plain(key)}': {error}")
        return good

    lessons = each("lessons", LessonProgress.from_json)
    generation = 0
    old_attempts: list[dict[str, Any]] = []
    if version == 1:  # its resets were times, applied by its writer; v1 tutors refuse a v2 file
        attempts = data.get("attempts", [])
        if not isinstance(attempts, list):
            damaged["attempts"], attempts = attempts, []
            reasons.append("its attempts are not a list")
        for attempt in attempts:
            try:
                old_attempts.append(normalize_attempt({**attempt, "seq": None} if isinstance(attempt, dict)
                                                      else attempt))
            except (ValueError, TypeError) as error:
                damaged.setdefault("attempts", []).append(attempt)
                reasons.append(str(error))
        return _OnDisk(0, lessons, {}, {}, old_attempts, damaged, reasons)
    try:
        generation = _count(data.get("generation", 0), "its generation")
    except ValueError as error:
        damaged["generation"] = data.get("generation")
        reasons.append(str(error))
    resets = each("resets", Marker.from_json)
    restarts = each("restarts", Marker.from_json)
    return _OnDisk(generation, lessons, resets, restarts, old_attempts, damaged, reasons)


class _Unreadable:
    """A log line json could not read, with why."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _loads_or_error(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError) as error:
        return _Unreadable(error)


def _listed(reasons: list[str]) -> str:
    shown = "; ".join(_plain(reason) for reason in reasons[:3])
    return shown + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")


def _plain(text: Any) -> str:
    from tui_grad.core.safe_text import safe_text

    return safe_text(str(text))


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


def _moment(value: Any, what: str = "an attempt's time") -> float:
    moment = _number(value, what)
    if not math.isfinite(moment):
        raise ValueError(f"{what} is not a finite number")
    return moment


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
        from tui_grad.core.kinds.registry import kind_of

        if not kind_of(lesson.parts[0]).asks:  # a run to watch has nothing to count
            return "in progress"
        status = record.parts[0].status if record.parts else {}
        found = sum(1 for value in status.values() if value == "earned")
        shown = sum(1 for value in status.values() if value == "shown")
        return f"in progress ({found} found" + (f", {shown} shown)" if shown else ")")
    return f"part {min(record.part, len(lesson.parts) - 1) + 1} of {len(lesson.parts)}"


def _fingerprint(raw: bytes) -> tuple[int, int, int]:
    """Length and two checksums of the file's bytes: enough to tell whether it changed since this
    copy last read or wrote it (hashlib would load OpenSSL, half a megabyte for every learner)."""
    return len(raw), zlib.crc32(raw), zlib.adler32(raw)


def practice_attempts(attempts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The practice attempts among a learner's attempts, in the store's order (its log's, which a
    clock set wrong cannot shuffle)."""
    return [a for a in attempts if a.get("lesson") == PRACTICE_ID and isinstance(a.get("level"), int)]
