"""The attempt log's lines: every answer a learner typed, checked as it is read.

`attempts.jsonl` is a header line (`{"format": "tui-grad-attempts", "version": 1, "base": N}`,
N the last seq given before its first line) then one attempt a line, each with its `seq`, its
place in the log. This module reads and checks lines; the store (`progress.py`) decides when.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui_grad.core.home_files import Refused
from tui_grad.core.records import (
    LARGEST,
    read_count,
    read_flag,
    read_integer,
    read_moment,
    read_number,
)

LOG_FORMAT = "tui-grad-attempts"
LOG_VERSION = 1
PRACTICE_ID = "practice"
"""The lesson id practice attempts are saved under (a reserved word: no lesson file may use it)."""
ATTEMPT_KEYS = ("lesson", "part", "node", "kind", "text", "value", "correct", "shown", "mistake",
                "hints", "skills", "seed", "at", "seq")
"""Every attempt's keys, in the order they are saved and exported (`seq`: its place in the log,
None until saved). Other keys (practice's `level`, `practice_skill`, a `formula`) follow them."""


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
        "part": read_count(get("part", 0), "an attempt's part"),
        "node": node,
        "kind": str(get("kind") or "gradient"),
        "text": str(get("text") or ""),
        "value": None if value is None else read_number(value, "an attempt's value"),
        "correct": read_flag(get("correct", False), "correct"),
        "shown": read_flag(get("shown", False), "shown"),
        "mistake": None if mistake is None else str(mistake),
        "hints": read_count(get("hints", 0), "an attempt's hints"),
        "skills": list(skills),
        "seed": None if seed is None else read_integer(seed, "an attempt's seed"),
        "at": time.time() if at is None else read_moment(at),
        "seq": None if seq is None else read_count(seq, "an attempt's seq"),
    }
    if len(attempt) > len(normal) or any(key not in normal for key in attempt):
        normal.update((key, item) for key, item in attempt.items() if key not in normal)
    return normal


_COUNT = len(ATTEMPT_KEYS)
_NUMBER_TYPES = (float, int)


def logged_attempt(data: Any) -> dict[str, Any]:
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
                and type(seq) is int and 0 < seq < LARGEST and part < LARGEST and hints < LARGEST
                and (seed is None or -LARGEST < seed < LARGEST)):
            if type(value) is int:
                data["value"] = float(value)
            if type(at) is int:
                data["at"] = float(at)
            return data
    attempt = normalize_attempt(data)
    if attempt["seq"] is None or attempt["seq"] < 1:
        raise ValueError("an attempt has no 'seq'")
    return attempt


def attempt_key(attempt: Mapping[str, Any]) -> tuple:
    """What makes two attempts the same one (from two copies, or a version 1 file moved to the log)."""
    return (attempt["at"], attempt["lesson"], attempt["part"], attempt["node"], attempt["kind"], attempt["text"],
            repr(attempt["value"]), attempt["correct"], attempt["shown"], attempt["hints"])


@dataclass
class LogChunk:
    """What some lines of the log hold: the attempts, the lines that could not be read (with why),
    and the largest seq seen (a header's base counts)."""

    attempts: list[dict[str, Any]] = field(default_factory=list)
    damaged: list[bytes] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    last_seq: int = 0


def parse_lines(lines: list[bytes], *, header: bool, last_seq: int, where: Any) -> LogChunk:
    """The attempts in whole lines of the log (`header`: they start at its first line); unreadable
    lines are kept to be set aside. `where` names the log in a refusal."""
    chunk = LogChunk(last_seq=last_seq)
    start = 0
    if header and lines:
        try:
            first = json.loads(lines[0])
        except (ValueError, RecursionError):
            first = None
        if isinstance(first, dict) and "format" in first:
            chunk.last_seq = max(chunk.last_seq, header_base(first, where))
            start = 1
    body = lines[start:]
    try:  # one call of the C decoder for the whole log; line by line only when one is damaged
        parsed = json.loads(b"[" + b",".join(body) + b"]") if body else []
    except (ValueError, RecursionError):
        parsed = None
    if parsed is None or len(parsed) != len(body):
        parsed = [_loads_or_error(line) for line in body]
    last = chunk.last_seq
    for line, data in zip(body, parsed, strict=True):
        try:
            if isinstance(data, _Unreadable):
                raise data.error
            attempt = logged_attempt(data)
        except (ValueError, TypeError, RecursionError, OverflowError) as error:
            if line.strip():
                chunk.damaged.append(line)
                chunk.reasons.append(reason(error))
            continue
        seq = attempt["seq"]
        last = max(last, seq)
        chunk.attempts.append(attempt)
    chunk.last_seq = last
    return chunk


def header_base(data: Mapping[str, Any], where: Any) -> int:
    """The last seq given before the log's first line, from its header; ValueError when the line
    is not this log's header, Refused when a newer tutor wrote it."""
    version = data.get("version")
    if data.get("format") != LOG_FORMAT or not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("its first line is not a tui-grad attempt log's")
    if version > LOG_VERSION:
        raise Refused(f"Your attempt log {where} was written by a newer tui-grad (format {version}; "
                      f"this one reads {LOG_VERSION}). It is left untouched, so progress cannot be saved in "
                      "this session. You can go on; update tui-grad to keep your saved progress.")
    return read_count(data.get("base", 0), "the log's base")


def header_line(base: int) -> bytes:
    """The log's first line: its format and the last seq given before it."""
    return json.dumps({"format": LOG_FORMAT, "version": LOG_VERSION, "base": base}).encode("utf-8") + b"\n"


class _Unreadable:
    """A log line json could not read, with why."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _loads_or_error(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError) as error:
        return _Unreadable(error)


def reason(error: Exception) -> str:
    """Why a file or a line could not be read, in words."""
    if isinstance(error, json.JSONDecodeError):
        return f"unreadable JSON at line {error.lineno}, column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return "unreadable JSON: it is not UTF-8 text"
    if isinstance(error, RecursionError):
        return "unreadable JSON: nested too deeply"
    if isinstance(error, OverflowError):
        return "a number too big to read"
    return str(error)


def practice_attempts(attempts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The practice attempts among a learner's attempts, in the store's order (its log's, which a
    clock set wrong cannot shuffle)."""
    return [a for a in attempts if a.get("lesson") == PRACTICE_ID and isinstance(a.get("level"), int)]
