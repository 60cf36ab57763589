"""The state file, `progress.json`: what it holds and how it is read, record by record.

`{"format": "tui-grad-progress", "version": 2, "generation": G, "seq": S, "lessons": {...},
"resets": {...}, "restarts": {...}, "history": {...}}`. `seq` is the last place given in the attempt
log (so numbering never goes back, even when the log is lost); `history` the summaries of every
answer up to a place in the log (see `history.py`). Both are new in this tutor; a file without
them reads as before. Whatever cannot be read is kept raw with its reason, to be set aside.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tui_grad.core.attempt_log import normalize_attempt
from tui_grad.core.records import LessonProgress, Marker, read_count

FORMAT = "tui-grad-progress"
VERSION = 2
"""Version 1 kept the attempts inside progress.json; it is read and moved into the log."""
MAX_PARTS = 1_000
"""The most parts a lesson's record may list: no lesson has nearly as many, and a file that claims
more (200,000 took half a minute to start) is damaged data."""


@dataclass
class OnDisk:
    """What the state file holds, with what could not be read kept raw for setting aside."""

    generation: int
    lessons: dict[str, LessonProgress]
    resets: dict[str, Marker]
    restarts: dict[str, Marker]
    old_attempts: list[dict[str, Any]]
    """A version 1 file's attempts, to be moved into the log."""
    damaged: dict[str, Any]
    reasons: list[str]
    seq: int | None = None
    """The last place given in the log when the file was written (None: an older tutor's file)."""
    history: Any = None
    """The summaries as written (raw: `history.History.from_json` reads them when the store wants them)."""


def parse_state(data: Mapping[str, Any], version: int) -> OnDisk:
    """Every readable record of a state file; what is not readable is kept raw with its reason."""
    from tui_grad.core.safe_text import safe_text

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
            except (ValueError, TypeError, RecursionError, OverflowError) as error:
                damaged.setdefault(name, {})[key] = value
                reasons.append(f"{name[:-1] if name == 'lessons' else name} '{safe_text(str(key))}': {error}")
        return good

    lessons = each("lessons", _lesson)
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
        return OnDisk(0, lessons, {}, {}, old_attempts, damaged, reasons)
    generation = _field(data, "generation", damaged, reasons) or 0
    seq = _field(data, "seq", damaged, reasons) if "seq" in data else None
    resets = each("resets", Marker.from_json)
    restarts = each("restarts", Marker.from_json)
    for name, markers in (("resets", resets), ("restarts", restarts)):
        for key, marker in list(markers.items()):
            if marker.generation > generation or (seq is not None and marker.seq > seq):
                damaged.setdefault(name, {})[key] = markers.pop(key).to_json()
                reasons.append(f"{name} '{safe_text(key)}' points past anything saved (generation "
                               f"{marker.generation} of {generation}, answer {marker.seq} of {seq or 0}); "
                               "it is ignored")
    return OnDisk(generation, lessons, resets, restarts, old_attempts, damaged, reasons, seq, data.get("history"))


def _lesson(data: Any) -> LessonProgress:
    parts = data.get("parts") if isinstance(data, dict) else None
    if isinstance(parts, list) and len(parts) > MAX_PARTS:
        raise ValueError(f"it lists {len(parts):,} parts (a lesson has at most {MAX_PARTS:,})")
    return LessonProgress.from_json(data)


def _field(data: Mapping[str, Any], name: str, damaged: dict[str, Any], reasons: list[str]) -> int | None:
    try:
        return read_count(data.get(name, 0), f"its {name}")
    except ValueError as error:
        damaged[name] = data.get(name)
        reasons.append(str(error))
        return None


def fingerprint(raw: bytes) -> tuple[int, int, int]:
    """Length and two checksums of the file's bytes: enough to tell whether it changed since this
    copy last read or wrote it (hashlib would load OpenSSL, half a megabyte for every learner)."""
    return len(raw), zlib.crc32(raw), zlib.adler32(raw)
