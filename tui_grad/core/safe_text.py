"""Text from files, made safe to print: control characters shown as visible glyphs, never obeyed.

A lesson or progress file is written by someone else and copied around. An escape sequence in a
title (OSC 52 sets the clipboard, `ESC[2J` blanks the screen) or a bidi override in a summary must
reach the terminal as something the learner can see, not as a command. `safe_text` is applied where
file text is read, so every screen and command that prints it is safe by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Marks, embeddings, overrides and isolates that reorder the text around them on screen."""
_C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB "
             "CAN EM SUB ESC FS GS RS US").split()
_BIDI_NAMES = dict(zip(_BIDI_CONTROLS, "ALM LRM RLM LRE RLE PDF LRO RLO LRI RLI FSI PDI".split(), strict=True))
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
"""Every character is_unsafe accepts, as one class: a file's text is searched in C, not a Python
call a character (which was most of the time lessons took to load before the first frame)."""


def is_unsafe(character: str) -> bool:
    """True for a character a terminal could obey rather than show: C0 and C1 controls other than
    newline and tab, DEL, and the bidi controls that reorder text."""
    code = ord(character)
    if code < 0x20:
        return character not in "\n\t"
    return code == 0x7F or 0x80 <= code <= 0x9F or character in _BIDI_CONTROLS


def visible(character: str) -> str:
    """How an unsafe character is shown: its Control Pictures glyph (ESC is ␛, DEL is ␡), or its
    code point in angle brackets for C1 and bidi controls, which have no glyph."""
    code = ord(character)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def describe(character: str) -> str:
    """The character's name and code point, for a message: `ESC (U+001B)`."""
    code = ord(character)
    name = (_C0_NAMES[code] if code < 0x20 else "DEL" if code == 0x7F else _BIDI_NAMES.get(character, "C1 control"))
    return f"{name} (U+{code:04X})"


def safe_text(text: str) -> str:
    """The text with every unsafe character replaced by its visible form; newlines and tabs kept.

    Idempotent (the visible forms are printable), and the identity on text that needs nothing."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda match: visible(match.group()), text)


@dataclass(frozen=True, slots=True)
class UnsafeCharacter:
    """One unsafe character found in a file's text: where (the field) and which."""

    where: str
    character: str

    def __str__(self) -> str:
        return f"{self.where} contains the control character {describe(self.character)}, shown as " \
               f"'{visible(self.character)}'"


def unsafe_characters(text: str) -> list[str]:
    """The distinct unsafe characters in `text`, in order of first appearance."""
    return list(dict.fromkeys(_UNSAFE.findall(text)))


def utc_time(moment: float, timespec: str = "milliseconds") -> str:
    """A time read from a file in UTC, ISO 8601 to `timespec`; a time no calendar holds (1e20, inf)
    is shown as the number it is, so one odd record never stops an export or a screen."""
    from datetime import datetime

    try:
        when = datetime.fromtimestamp(moment, UTC)
    except (OverflowError, OSError, ValueError):
        return f"not a date: {moment!r}"
    return when.isoformat(timespec=timespec).replace("+00:00", "Z")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula: such a cell is exported with a ' in front."""


def csv_cell(value: object) -> object:
    """A CSV cell from file data that a spreadsheet shows as text, never runs as a formula
    (`=HYPERLINK(...)` gets a ' in front), and a terminal shows, never obeys (as `safe_text`).

    A number stays a number (-6 is no formula) and None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = safe_text(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_data(data: object) -> object:
    """JSON-like data read from a file with `safe_text` applied to every string in it, keys included;
    numbers, booleans and None as they are. For exports that print a file's records whole."""
    if isinstance(data, str):
        return safe_text(data)
    if isinstance(data, dict):
        return {safe_text(str(key)): safe_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [safe_data(item) for item in data]
    return data
