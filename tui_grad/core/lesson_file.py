"""Lesson files: TOML an instructor writes, read into a `Lesson` the tutor can run.

The file is untrusted: it is read with bounds on size and nesting, every string is made safe to
print, and each `[[parts]]` table is read by its kind (`tui_grad.core.kinds`). Every problem becomes
a `LessonError` naming the file, the line and the fix.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tui_grad.core.kinds.registry import DEFAULT_KIND, find_kind, kind_names
from tui_grad.core.lesson import (
    COMMAND_NAMES,
    MAX_FILE_BYTES,
    MAX_GROUP_LENGTH,
    MAX_NESTING,
    Lesson,
    LessonError,
    Part,
)
from tui_grad.core.safe_text import UnsafeCharacter, safe_text, unsafe_characters
from tui_grad.core.tables import TableReader


def load_lesson(path: Path | str) -> Lesson:
    """Read and validate one lesson file; raise LessonError with file and line on any problem.

    The file is untrusted: only a regular file of at most MAX_FILE_BYTES is read, its nesting is
    bounded before the TOML parser sees it, and every string in it is made safe to print."""
    path = Path(path)
    source = read_lesson_source(path)
    nesting = deepest_nesting(source)
    if nesting is not None:
        raise LessonError(path, nesting, f"brackets are nested more than {MAX_NESTING} deep; a lesson needs "
                          "at most 3 (like points = [[1, 2], [2, 4]])")
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line = int(match.group(1)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error)).rstrip(".")
        column = f", column {match.group(2)}" if match else ""
        raise LessonError(path, line, f"not valid TOML{column}: {reason}") from None
    except RecursionError:  # a safety net: deepest_nesting should have refused the file already
        raise LessonError(path, None, "the file is nested too deeply to read") from None
    except ValueError:  # Python refuses to read a whole number of more than 4300 digits
        raise LessonError(path, _line_of_long_number(source), TOO_BIG) from None
    if _holds_number_too_big(data):
        raise LessonError(path, _line_of_long_number(source), TOO_BIG)
    found: list[UnsafeCharacter] = []
    lesson = LessonReader(path, source, _made_safe(data, found)).lesson()
    notices = tuple(LessonError(path, _line_of_character(source, unsafe.character), str(unsafe))
                    for unsafe in found)
    return replace(lesson, notices=notices) if notices else lesson


TOO_BIG = "a whole number here is too big to compute with; numbers in a lesson stay below 1.8e308"
_LONG_NUMBER = re.compile(r"(?<![\w.])[+-]?(?:0[xob])?[0-9a-fA-F_]{256,}")


def _holds_number_too_big(data: dict[str, Any]) -> bool:
    """True when some whole number in the parsed file, at any depth, is beyond what a float holds.

    The one gate every number of a lesson file passes, before any kind reads a field: without it
    `float()`, `math.isfinite()` and the engine raise OverflowError wherever the number is used."""
    stack: list[dict | list] = [data]
    while stack:
        container = stack.pop()
        for value in container.values() if isinstance(container, dict) else container:
            if isinstance(value, dict | list):
                stack.append(value)
            elif isinstance(value, int) and abs(value) > sys.float_info.max:
                return True
    return False


def _line_of_long_number(source: str) -> int | None:
    """The first line holding a run of digits long enough to be a number too big for a float."""
    match = _LONG_NUMBER.search(source)
    return source.count("\n", 0, match.start()) + 1 if match else None


def read_lesson_source(path: Path, what: str = "a lesson file") -> str:
    """The text of a lesson file (or another small text file, `what`: a roster), read so that nothing
    can hang or flood the reader: a FIFO, a device, a folder or anything over MAX_FILE_BYTES is
    refused with the reason."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)  # non-blocking: opening a FIFO returns at once
    except OSError as error:
        raise LessonError(path, None, f"cannot read the file ({error.strerror})") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or
                    stat.S_ISBLK(mode) else "a folder" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "not a regular file")
            raise LessonError(path, None, f"this is {kind}, not {what}; only regular files are read")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:  # at most one byte past the cap, whatever size fstat gave
            chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise LessonError(path, None, f"cannot read the file ({error.strerror})") from None
    finally:
        os.close(descriptor)
    if size > MAX_FILE_BYTES:
        advice = "; split it into several lessons" if what == "a lesson file" else ""
        raise LessonError(path, None, f"the file is larger than {MAX_FILE_BYTES // 1024} KiB, the most {what} "
                          f"may be{advice}")
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise LessonError(path, None, "the file is not UTF-8 text; save it as UTF-8") from None


_STRUCTURE = re.compile(r'"""|' + r"'''" + r"""|["'#\[\]{}]""")
_BASIC_STRING_END = re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_MULTILINE_BASIC_END = re.compile(r'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""', re.DOTALL)


def deepest_nesting(source: str) -> int | None:
    """The line where [ and { (outside strings and comments) first nest deeper than MAX_NESTING, or None.

    A linear scan over TOML's strings, comments and brackets, because tomllib recurses once per level."""
    depth, position = 0, 0
    while (match := _STRUCTURE.search(source, position)) is not None:
        token, position = match.group(), match.end()
        if token == "#":
            newline = source.find("\n", position)
            position = len(source) if newline < 0 else newline
        elif token == '"':
            end = _BASIC_STRING_END.match(source, position)
            position = end.end() if end else position
        elif token == '"""':
            end = _MULTILINE_BASIC_END.match(source, position)
            position = end.end() if end else len(source)
        elif token in ("'", "'''"):
            closing = source.find(token, position)
            position = len(source) if closing < 0 else closing + len(token)
        elif token in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return source.count("\n", 0, match.start()) + 1
        else:
            depth = max(depth - 1, 0)
    return None


def _made_safe(data: dict[str, Any], found: list[UnsafeCharacter]) -> dict[str, Any]:
    """The parsed TOML with every key and string made safe to print (in place and without recursion,
    since dotted keys nest as deep as they like); each unsafe character found is added to `found`."""

    def clean(text: str, where: str) -> str:
        found.extend(UnsafeCharacter(where, character) for character in unsafe_characters(text))
        return safe_text(text)

    stack: list[tuple[dict | list, str]] = [(data, "")]
    while stack:
        container, where = stack.pop()
        if isinstance(container, dict):
            items = list(container.items())
            container.clear()
            for key, value in items:
                key = clean(key, f"{where}.{key}" if where else key)
                place = f"{where}.{key}" if where else key
                container[key] = clean(value, place) if isinstance(value, str) else value
                if isinstance(value, dict | list):
                    stack.append((value, place))
        else:
            for index, value in enumerate(container):
                place = f"{where}[{index + 1}]"
                if isinstance(value, str):
                    container[index] = clean(value, place)
                elif isinstance(value, dict | list):
                    stack.append((value, place))
    return data


def _line_of_character(source: str, character: str) -> int | None:
    """The first line holding `character`, typed as itself or as a TOML escape (\\u001b, \\r, ...)."""
    code = ord(character)
    spellings = [re.escape(character), rf"\\u{code:04x}", rf"\\U{code:08x}"]
    spellings += {8: [r"\\b"], 12: [r"\\f"], 13: [r"\\r"], 27: [r"\\e"]}.get(code, [])
    match = re.search("|".join(spellings), source, re.IGNORECASE)
    return source.count("\n", 0, match.start()) + 1 if match else None


class LessonReader(TableReader):
    """Reads a whole lesson file: its header, then each part by its kind."""

    def lesson(self) -> Lesson:
        """The whole lesson: its id, title, summary, order, text and parts."""
        data = self.data
        lesson_id = self.field(data, "id", str, "", 'id = "chain-rule"')
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", lesson_id):
            raise self.fail(f"id '{lesson_id}' must be lowercase words joined by '-'", "id")
        if lesson_id in COMMAND_NAMES:
            raise self.fail(f"id '{lesson_id}' is the name of the command 'tui-grad {lesson_id}', so the lesson "
                            "could not be opened by its id; choose another id", "id")
        text = self.field(data, "text", dict, "", '[text] with intro = """...""" ', default={})
        title = self.field(data, "title", str, "", 'title = "The chain rule by hand"')
        summary = self.field(data, "summary", str, "", 'summary = "One line about the lesson"')
        order = self.field(data, "order", int, "", "order = 4", default=1000)
        intro = self.field(text, "intro", str, "[text]", 'intro = """Markdown"""', default="")
        outro = self.field(text, "outro", str, "[text]", 'outro = """Markdown"""', default="")
        group = self.field(data, "group", str, "", 'group = "Build the engine"', default="").strip()
        if len(group) > MAX_GROUP_LENGTH or "\n" in group:
            raise self.fail(f"'group' is a heading of at most {MAX_GROUP_LENGTH} characters on one line", "group")
        return Lesson(lesson_id, title, summary, self.path, order, intro, outro, self.parts(title), group=group)

    def parts(self, title: str) -> tuple[Part, ...]:
        """The `[[parts]]` of the file, or its one part written as [graph], [exercise] and [update]."""
        data = self.data
        if "parts" not in data:
            graph = self.field(data, "graph", dict, "", "[graph] with inputs and nodes, or [[parts]]")
            exercise = self.field(data, "exercise", dict, "", '[exercise] kind = "gradients"', default={})
            update = self.field(data, "update", dict, "", "[update] step_size = 0.01", default={})
            return (self.part({"title": title, **graph, **exercise, **update}, "[graph]"),)
        tables = data["parts"]
        if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
            raise self.fail("'parts' must be one or more [[parts]] tables", "parts")
        starts = [number for number, text in enumerate(self.lines) if text.strip() == "[[parts]]"]
        parts = []
        for index, table in enumerate(tables):
            self.start = starts[index] if index < len(starts) else 0
            parts.append(self.part(table, f"part {index + 1}"))
        self.start = 0
        return tuple(parts)


    def part(self, table: dict[str, Any], where: str) -> Part:
        """One part from a flat table of its settings, read by its kind."""
        name = self.field(table, "kind", str, where, 'kind = "gradients"', default=DEFAULT_KIND)
        kind = find_kind(name)
        if kind is None:
            raise self.fail(f"unknown kind '{name}' (kinds: {', '.join(kind_names())})", "kind")
        common = {
            "title": self.field(table, "title", str, where, 'title = "A first graph"', default=""),
            "kind": name,
            "text": self.field(table, "text", str, where, 'text = """Markdown"""', default=""),
            "path": self.path,
        }
        return kind.read(self, table, where, common)


def part_from_table(table: Mapping[str, Any], path: Path | str = "<generated>") -> Part:
    """A part built in code (a generated exercise, a typed formula) from the settings one [[parts]]
    table holds, checked exactly as a lesson file's part is; a problem raises LessonError."""
    return LessonReader(Path(path), "", {}).part(dict(table), "the part")
