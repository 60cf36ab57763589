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

The pieces live beside this module: the records and reset markers (`records.py`), the log's lines
(`attempt_log.py`), the state file's shape (`state_file.py`) and the summaries a start reads
instead of the log (`history.py`). This module is the store that ties them together: locking,
merging another copy's work, setting aside what is damaged, and writing.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from tui_grad.core.attempt_log import (
    ATTEMPT_KEYS,
    LOG_FORMAT,
    LOG_VERSION,
    PRACTICE_ID,
    attempt_key,
    header_line,
    logged_attempt,
    normalize_attempt,
    parse_lines,
    practice_attempts,
    reason,
)
from tui_grad.core.history import History, LogPlace
from tui_grad.core.home_files import Home, Refused
from tui_grad.core.records import (
    STATUSES,
    LessonProgress,
    Marker,
    PartProgress,
    seed_key,
    settled,
)
from tui_grad.core.state_file import FORMAT, VERSION, OnDisk, fingerprint, parse_state

__all__ = ["ATTEMPT_KEYS", "EVERY_LESSON", "FILE_NAME", "FORMAT", "LOCK_NAME", "LOG_FORMAT", "LOG_NAME", "LOG_VERSION",
           "PRACTICE_ID", "STATUSES", "VERSION", "Home", "LessonProgress", "Marker", "PartProgress", "ProgressStore",
           "data_dir", "logged_attempt", "normalize_attempt", "practice_attempts", "seed_key"]

FILE_NAME = "progress.json"
LOG_NAME = "attempts.jsonl"
LOCK_NAME = ".progress.lock"
TEMP_PREFIX = ".progress-"
TEMP_SUFFIX = ".tmp"
LOCK_WAIT = 5.0
"""Seconds a save waits for another copy of the tutor to finish saving before giving up."""
EVERY_LESSON = "*"
"""The key in `resets` for a reset of every lesson (lesson ids are lowercase words and '-')."""
PLACE_CHECK = 4_096
"""Bytes read before the summaries' place in the log, to check the line there is the one they end with."""
STREAM_BLOCK = 1 << 20
"""Bytes of the log an export reads at a time."""
UNTOLD_LIMIT = 200
"""Answers logged since the summaries were last written before a save writes them anyway (a start
reads the log from where they end)."""

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


# --- the store -------------------------------------------------------------------------------


class ProgressStore:
    """Loads, merges and saves one learner's progress.

    `load()` then read and change `lesson(id)` records in place and `record()` each answer;
    `save()` after each change. `history` summarises every answer (mastery, practice, what is due),
    read from the state file at a start. `attempts` lists every answer, in the order they were
    logged (those not saved yet last): read from the log the first time it is asked for, as only an
    export, the class view or a reset needs them all. `warnings` collects sentences for the learner
    (a damaged file set aside, a newer file left alone, a folder other users may write in).
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else data_dir()
        self.lessons: dict[str, LessonProgress] = {}
        self._attempts: list[dict[str, Any]] = []
        self._loaded = True
        """Whether `_attempts` holds every logged attempt (else only those not logged yet)."""
        self.history = History()
        """The summaries of every attempt in `attempts`, kept up to date as each is recorded or read."""
        self._adopt = False
        """At a start: take the summaries the state file holds instead of reading the whole log."""
        self._stale = False
        """The summaries must be built again from every attempt (another copy's reset, a replaced log)."""
        self._untold = 0
        """Attempts taken into the summaries since the state file last held them."""
        self._adopted: int | None = None
        """The last seq the adopted summaries cover: checked against the log's line before their place."""
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
        self._unscanned = False
        """Read-only, without summaries: the load left the log for `each_attempt` to walk (and to report its
        damaged lines)."""

    @property
    def attempts(self) -> list[dict[str, Any]]:
        """Every answer in the order logged (those not saved yet last); read from the log when first asked."""
        if not self._loaded:
            self._load_everything()
        return self._attempts

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
        self._adopt = not self._attempts and self.history.count == 0
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
        self._adopt = False
        self._warn_damage_left()
        self._remember_content()
        if not read_only and self._loaded and not self._pending and not self._untold and self._log_inode is not None:
            self._attempts, self._loaded = [], False  # in the summaries now: read again only if asked for
        return self

    def lesson(self, lesson_id: str) -> LessonProgress:
        """This lesson's record, created empty if the learner has not started it."""
        return self.lessons.setdefault(lesson_id, LessonProgress())

    def record(self, attempt: Mapping[str, Any]) -> None:
        """Add one answer to the log (see ATTEMPT_KEYS); it is written by the next save()."""
        normal = normalize_attempt(attempt)
        normal["seq"] = None
        key = attempt_key(normal)
        if key not in self._pending_keys:
            self._pending_keys[key] = normal
            self._attempts.append(normal)
            self._pending += 1
            self._take(normal)

    def reset(self, lesson_id: str | None = None, *, attempts: bool = True) -> None:
        """Start one lesson over (its record and its attempts), or everything when None.

        With `attempts=False` the attempt log stays (for mastery and the instructor's export): what
        "start this lesson again" in the app wants. Clearing a record by hand is not enough, as the
        next save merges the copy on disk back in; this leaves a marker that stops that.
        """
        key = EVERY_LESSON if lesson_id is None else lesson_id
        if attempts and not self._loaded:
            self._load_everything()
        markers = self.resets if attempts else self.restarts
        marker = Marker(self._generation, self._last_seq, _now())
        if key in markers:
            marker = markers[key].union(marker)
        markers[key] = marker
        self._state_dirty = True
        self._compact = self._compact or attempts
        self._apply_reset(key, marker, attempts, keep=set(), local=True)
        if attempts:
            self._rebuild_history()

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
        if self._read_only and self._loaded and not self._attempts and self._log_inode is None:
            # no summaries to start from: the class walks the log a block at a time instead of holding it
            self._loaded, self._stale, self._unscanned = False, False, True
            return
        self._read_log(home)
        if self._stale:
            self._read_everything(home)
        if self._adopt and self._loaded and self.history.count:  # no summaries to read: write them once
            self._untold = max(self._untold, UNTOLD_LIMIT + 1)

    def _read_state(self, home: Home) -> OnDisk | None:
        """What the state file adds; None when there is none, nothing new, or it was set aside whole."""
        try:
            raw = home.read(FILE_NAME)
        except OSError as error:
            raise Refused(f"Your progress file {self.path} cannot be read ({error.strerror or error}), so "
                          "progress cannot be saved over it. You can go on; this session starts afresh.") from None
        if raw is None:
            return None
        digest = fingerprint(raw)
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
            self._set_aside_file(home, "it is empty" if not raw.strip() else reason(error))
            return None
        if version > VERSION:
            raise Refused(f"Your progress file {self.path} was written by a newer tui-grad (format {version}; "
                          f"this one reads {VERSION}). It is left untouched, so progress cannot be saved in "
                          "this session. You can go on; update tui-grad to keep your saved progress.")
        on_disk = parse_state(data, version)
        if version < VERSION:
            self._state_dirty = True  # written back as version 2, its attempts moved to the log
        if on_disk.damaged:
            self._damaged_records.update(on_disk.damaged)
            self._damaged_reasons.extend(on_disk.reasons)
        self._state_digest = digest
        return on_disk

    def _merge_state(self, on_disk: OnDisk) -> None:
        """Take in another copy's resets first, then its lessons; a version 1 file's attempts wait to
        be logged."""
        self._generation = max(self._generation, on_disk.generation)
        adopted = self._adopt and self._adopt_history(on_disk.history)
        for theirs_markers, markers, attempts in ((on_disk.resets, self.resets, True),
                                                  (on_disk.restarts, self.restarts, False)):
            for key, marker in theirs_markers.items():
                current = markers.get(key)
                merged = marker if current is None else current.union(marker)
                if merged != current:
                    markers[key] = merged
                    self._apply_reset(key, merged, attempts, keep=self._changed, local=False)
                    if attempts and not adopted:  # a reset the summaries do not know of yet
                        self._stale = True
                self._last_seq = max(self._last_seq, markers[key].seq)  # numbering never goes back past a reset
        self._last_seq = max(self._last_seq, on_disk.seq or 0)
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
        back = min(self._log_offset, PLACE_CHECK) if self._adopted is not None else 0
        got = home.read_from(LOG_NAME, self._log_offset - back, self._log_inode)
        if got is not None and back:
            inode, start, data = got
            if (inode, start) == (self._log_inode, self._log_offset - back) and \
                    self._adopted == _last_seq_in(data[:back]):
                got = inode, self._log_offset, data[back:]
            else:  # not the log the summaries were made of (edited, replaced): all of it is read again
                got = inode, 0, data if not start else home.read(LOG_NAME) or b""
        self._adopted = None
        if got is None:
            if self._log_inode is not None:  # the log was removed by hand: what this copy holds goes back in
                if not self._loaded:  # the summaries covered answers that are gone with it
                    self._loaded, self._stale = True, True
                self._pending = len(self._attempts)
                for attempt in self._attempts:
                    attempt["seq"] = None
                    self._pending_keys[attempt_key(attempt)] = attempt
                self._log_inode, self._log_offset = None, 0
            return
        inode, start, data = got
        if not self._loaded and start == 0 and self._log_offset:  # replaced: the summaries cover another log
            self._loaded, self._stale, self._log_inode = True, True, None
        whole = data.endswith(b"\n") or not data
        end = len(data) if whole else data.rfind(b"\n") + 1
        if not whole:  # a line cut short by a kill: never acknowledged, set aside whole
            self._damaged_lines.append(data[end:])
            self._damaged_line_reasons.append("an answer cut short while it was being saved")
        lines = data[:end].split(b"\n")[:-1] if end else []
        replaced = inode != self._log_inode or start == 0
        chunk = parse_lines(lines, header=start == 0, last_seq=self._last_seq, where=self.log_path)
        self._damaged_lines += chunk.damaged
        self._damaged_line_reasons += chunk.reasons
        self._last_seq = chunk.last_seq
        attempts = self._attempts
        if replaced and self._log_inode is not None:  # compacted by another copy: its lines are the truth
            del attempts[: len(attempts) - self._pending]
            self._stale = True
        position = len(attempts) - self._pending
        fresh = []
        hidden = self.resets and self._hidden
        for attempt in chunk.attempts:
            if hidden and hidden(attempt):
                continue
            if self._echo or self._pending_keys:
                key = attempt_key(attempt)
                if self._echo.pop(key, None) is not None:
                    continue  # this copy's own line, read back after an unlocked append
                waiting = self._pending_keys.pop(key, None)
                if waiting is not None:  # one of ours (or a version 1 file's), logged already: summarised
                    tail = len(attempts) - self._pending
                    del attempts[next(index for index in range(tail, len(attempts)) if attempts[index] is waiting)]
                    self._pending -= 1
                    if self._loaded:
                        fresh.append(attempt)
                    continue
            self._take(attempt)
            if self._loaded:
                fresh.append(attempt)
        attempts[position:position] = fresh
        self._log_inode, self._log_offset = inode, start + end

    def each_attempt(self) -> Iterator[dict[str, Any]]:
        """Every answer, in the log's order and those not saved yet last, read a block at a time
        rather than all held at once: what an export walks, however long the log."""
        if self._loaded:
            yield from self._attempts
            return
        waiting = list(self._attempts)
        try:
            home = Home.open(self.folder, create=False, own=not self._read_only)
        except (Refused, OSError):
            home = None  # said at load already
        if home is not None:
            with home:
                stream = home.open_reader(LOG_NAME)
                if stream is not None:
                    with stream:
                        yield from self._stream(stream)
        yield from waiting

    def _stream(self, stream: BinaryIO) -> Iterator[dict[str, Any]]:
        hidden = self.resets and self._hidden
        header, last, rest = True, 0, b""
        damaged, reasons = 0, list[str]()
        while block := stream.read(STREAM_BLOCK):
            data = rest + block
            end = data.rfind(b"\n") + 1
            rest = data[end:]
            chunk = parse_lines(data[:end].split(b"\n")[:-1], header=header, last_seq=last, where=self.log_path)
            header, last = False, chunk.last_seq
            damaged += len(chunk.damaged)
            reasons += chunk.reasons[:3 - len(reasons)]
            yield from (attempt for attempt in chunk.attempts if not (hidden and hidden(attempt)))
        if self._unscanned:  # the load did not read these lines: their damage is said now, once
            self._unscanned = False
            if rest.strip():
                damaged += 1
                reasons += ["an answer cut short while it was being saved"][:3 - len(reasons)]
            if damaged:
                self._warn_lines_left(damaged, reasons)

    def _adopt_history(self, stored: Any) -> bool:
        """At a start: take the state file's summaries and read the log only from where they end."""
        found = History.from_json(stored)
        if found is None:
            return False
        self.history, place = found
        self._adopted = place.seq
        self._log_inode, self._log_offset = place.inode, place.offset
        self._last_seq = max(self._last_seq, place.seq)
        self._loaded = False
        return True

    def _take(self, attempt: Mapping[str, Any]) -> None:
        if not self._stale:
            self.history.take(attempt)
            self._untold += 1

    def _rebuild_history(self) -> None:
        """The summaries again from every attempt (all of them are in memory)."""
        self.history = History.rebuild(self._attempts)
        self._stale, self._untold = False, len(self._attempts) or 1

    def _read_everything(self, home: Home, *, damage_known: bool = False,
                         summarised: tuple[int | None, int] | None = None) -> None:
        """Read the whole log again into `attempts` (those not logged yet stay last) and rebuild the
        summaries, unless they cover it already (`summarised`: the log and place they end at, and
        the log read ends there too); `damage_known`: what cannot be read was set aside already."""
        known = self._damaged_lines, self._damaged_line_reasons
        self._damaged_lines, self._damaged_line_reasons = [], []
        del self._attempts[: len(self._attempts) - self._pending]
        self._loaded, self._stale = True, True
        self._log_inode, self._log_offset = None, 0
        self._read_log(home)
        if damage_known:
            self._damaged_lines, self._damaged_line_reasons = known
        if summarised is not None and summarised == (self._log_inode, self._log_offset):
            self._stale = False
        else:
            self._rebuild_history()

    def _load_everything(self) -> None:
        """Read every logged attempt, the first time `attempts` is asked for after a start."""
        self._loaded = True
        try:
            home = Home.open(self.folder, create=False, own=not self._read_only)
            if home is None:
                return
            with home:
                self._read_everything(home, summarised=(self._log_inode, self._log_offset))
        except Refused as refusal:
            self._warn(refusal.sentence)
        except OSError as error:
            self._warn(f"Your attempt log {self.log_path} cannot be read ({error.strerror or error}).")

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
        committed = len(self._attempts) - self._pending
        kept, pending = [], 0
        for index, attempt in enumerate(self._attempts):
            waiting = index >= committed
            if key in (EVERY_LESSON, attempt["lesson"]) and (
                    (waiting and local) or (not waiting and attempt["seq"] <= marker.seq)):
                if waiting:
                    self._pending_keys.pop(attempt_key(attempt), None)
                continue
            kept.append(attempt)
            pending += waiting
        if len(kept) != len(self._attempts):
            self._attempts, self._pending = kept, pending

    def _changed_lessons(self) -> set[str]:
        """The records changed since the last load or save, stamped with the current time."""
        moment = _now()
        changed = set()
        empty = LessonProgress().content()
        for lesson_id, lesson in self.lessons.items():
            if lesson.content() != self._saved_content.get(lesson_id, empty):
                changed.add(lesson_id)
                lesson.updated = max(lesson.updated, moment)
        return changed

    def _remember_content(self) -> None:
        self._saved_content = {lesson_id: lesson.content() for lesson_id, lesson in self.lessons.items()}

    def unsaved(self) -> bool:
        """Whether this copy holds anything its last load or successful save did not: a record
        changed, an answer logged, a reset made. Cheap (no file access): what leaving asks first."""
        empty = LessonProgress().content()
        return bool(self._pending or self._state_dirty
                    or any(settled(lesson.content()) != settled(self._saved_content.get(lesson_id, empty))
                           for lesson_id, lesson in self.lessons.items()))

    def _warn(self, sentence: str) -> None:
        """Record a warning for the learner; a file's strings (ids, paths) in it are made visible,
        whoever prints it."""
        sentence = _plain(sentence)
        if sentence not in self.warnings:
            self.warnings.append(sentence)

    # --- setting aside ---

    def _needs_repair(self) -> bool:
        return bool(self._damaged_records or self._damaged_lines or self._state_dirty or self._pending
                    or self._untold > UNTOLD_LIMIT)

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
            self._warn_lines_left(len(self._damaged_lines), self._damaged_line_reasons)

    def _warn_lines_left(self, count: int, reasons: list[str]) -> None:
        """Lines of the log that could not be read, not set aside yet (`reasons`: the first ones at least)."""
        shown = _listed(reasons) if len(reasons) >= count else \
            "; ".join(_plain(reason) for reason in reasons[:3]) + f"; and {count - len(reasons[:3])} more"
        self._warn(f"{count} line(s) of your attempt log {self.log_path} could not be read: "
                   f"{shown}. The next save keeps them in a separate file.")

    # --- writing ---

    def _commit(self, home: Home, *, locked: bool) -> None:
        """After a sync (under the lock where there is one): set aside what is damaged, append the new
        answers, write the state when it changed, and compact the log after a reset."""
        self._set_aside_pieces(home)
        self._append_pending(home, locked=locked)
        if self._changed or self._state_dirty or self._state_digest is None or self._untold > UNTOLD_LIMIT:
            self._write_state(home)  # a reset's marker first: a kill before the compaction loses nothing
        if self._compact:
            self._compact_log(home)
            self._write_state(home)  # the summaries now cover the new log

    def _append_pending(self, home: Home, *, locked: bool) -> None:
        """Append the answers not logged yet, one line each with its seq, and fsync: the whole cost of
        an answer, however long the log."""
        if not self._pending:
            return
        waiting = self._attempts[len(self._attempts) - self._pending:]
        lines = [header_line(self._last_seq)] if self._log_offset == 0 else []
        first = self._last_seq
        for number, attempt in enumerate(waiting, start=first + 1):
            attempt["seq"] = number
            lines.append(json.dumps(attempt, ensure_ascii=False).encode("utf-8") + b"\n")
        data = b"".join(lines)
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
        if not self._loaded:
            del self._attempts[:]  # logged and summarised: read again only if asked for
        if (before == self._log_offset and inode == self._log_inode) or before == 0:
            self._log_inode, self._log_offset = inode, after
        else:  # another copy wrote in between (no lock on this disk): read on from where this copy was,
            self._echo.update((attempt_key(attempt), attempt) for attempt in waiting)  # skipping its own

    def _write_state(self, home: Home) -> None:
        """The state file, whole and atomically, one generation on: small, whatever the log's length."""
        generation = self._generation + 1
        empty = LessonProgress().content()
        lessons = {}
        for lesson_id, lesson in sorted(self.lessons.items()):
            if lesson.content() == empty:
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
                "restarts": {key: marker.to_json() for key, marker in sorted(self.restarts.items())},
                "seq": self._last_seq}
        summarised = not self._pending and not self._stale
        if summarised:  # what a start reads instead of the log
            head["history"] = self.history.to_json(LogPlace(self._log_inode, self._log_offset, self._last_seq))
        raw = json.dumps(head, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"
        home.write_atomically(FILE_NAME, [raw], TEMP_PREFIX, TEMP_SUFFIX)
        self._generation, self._state_digest, self._state_dirty = generation, fingerprint(raw), False
        if summarised:
            self._untold = 0

    def _compact_log(self, home: Home) -> None:
        """Rewrite the log with only the attempts no reset removed (renamed over the old one). The
        header keeps the last seq given, so seqs never repeat."""
        if not self._loaded:
            self._read_everything(home, damage_known=True)
        chunks = [header_line(self._last_seq)]
        chunks += [(json.dumps(attempt, ensure_ascii=False) + "\n").encode("utf-8") for attempt in self._attempts]
        home.write_atomically(LOG_NAME, chunks, TEMP_PREFIX, TEMP_SUFFIX)
        self._log_inode, self._log_offset = home.inode(LOG_NAME)
        self._compact = False

    def _remove_stale_temporaries(self, home: Home) -> None:
        """Temporary files left by a copy that was killed mid-write (only ever called under the lock)."""
        for name in home.names():
            if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    home.unlink(name)


UNSAVED_STATUS = 1
"""The exit status of a tutor that leaves with progress it could not save (the disk still full)."""


def exit_status(store: ProgressStore | None) -> int:
    """How a tutor that is done should exit, in both faces: 0 when everything is saved (or nothing
    is kept), UNSAVED_STATUS when a last save still cannot write what the learner did."""
    if store is None or not store.unsaved():
        return 0
    return UNSAVED_STATUS if store.save() is not None else 0


def _last_seq_in(data: bytes) -> int | None:
    """The seq of the last whole line in `data` (ending in a newline), or a header's base; None if none."""
    if not data.endswith(b"\n"):
        return None
    start = data.rfind(b"\n", 0, len(data) - 1) + 1
    if not start and len(data) >= PLACE_CHECK:
        return None  # a line longer than the window: cannot tell
    try:
        line = json.loads(data[start:])
    except (ValueError, RecursionError):
        return None
    if not isinstance(line, dict):
        return None
    seq = line.get("seq", line.get("base") if "format" in line else None)
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def _listed(reasons: list[str]) -> str:
    shown = "; ".join(_plain(reason) for reason in reasons[:3])
    return shown + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")


def _plain(text: Any) -> str:
    from tui_grad.core.safe_text import safe_text

    return safe_text(str(text))
