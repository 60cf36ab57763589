"""What a lesson shows, as plain data both faces render: the boxes of the graph, the messages in the
feedback area, and the names of the actions a learner can take.

The words are decided here, once. The full-screen app turns a `Span`'s role into a style and an
action name into its key; line mode prints the text and names the typed command instead. Neither
face writes a sentence of its own about the lesson.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from tui_grad.core.exercise import Verdict, format_number

# The actions a learner can take; a face maps each to a key (app) or a typed command (line mode).
ANSWER, HINT, NUDGE, REVEAL = "answer", "hint", "nudge", "reveal"
PAUSE, STEP, SKIP, FASTER, SLOWER = "toggle_pause", "step", "skip", "faster", "slower"
UPDATE, CONTINUE, RESTART, LEAVE = "update", "continue", "restart", "leave"
PICK_UP, PICK_DOWN, MOVE_UP, MOVE_DOWN = "pick_up", "pick_down", "move_up", "move_down"
REPLAY_ACTIONS = (PAUSE, STEP, SKIP, FASTER, SLOWER)
ARRANGE_ACTIONS = (PICK_UP, PICK_DOWN, MOVE_UP, MOVE_DOWN)
"""Picking a node of an arranged answer (the order of the backward pass) and moving it: the app's
keys; line mode types the whole order instead."""
ACTIONS = (ANSWER, HINT, NUDGE, REVEAL, *ARRANGE_ACTIONS, *REPLAY_ACTIONS, UPDATE, CONTINUE, RESTART, LEAVE)

REVEAL_ASK = "Press {{key:reveal}} again to show this answer: it will count as shown, not earned."
"""Said in a browser at the first press of the show-answer key on a question, which costs its credit."""
KEY_GUIDE = "Enter checks an answer"
"""The start of the line that names the keys of a part's questions (line mode words it as commands)."""

ROLES = ("", "bold", "muted", "right", "wrong", "shown", "unread", "hint", "italic", "key", "prose")
"""How a span reads: plain, bold, muted, a right/wrong/shown/unreadable mark, a hint label, an
aside, the name of an action (a face shows its key or command), or lesson Markdown."""


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text and the role it plays; a face styles the role (never by colour alone: the
    marks carry a glyph and a word too)."""

    text: str
    role: str = ""


Line = tuple[Span, ...]
Message = tuple[Line, ...]


def line(*parts: str | Span) -> Line:
    """A line from strings (plain spans) and spans."""
    return tuple(part if isinstance(part, Span) else Span(part) for part in parts if part != "")


def text_of(message: Message, key_name: Mapping[str, str] | None = None) -> str:
    """A message as plain text, one line per line, actions named by `key_name` (or their own name)."""
    names = key_name or {}
    return "\n".join("".join(names.get(span.text, span.text) if span.role == "key"
                             else name_keys(span.text, lambda action: names.get(action, action))
                             for span in row) for row in message)


KEY_REFERENCE = re.compile(r"\{\{\s*key:([a-z_]+)\s*\}\}")
"""`{{key:nudge}}` in a lesson's text or a hint: the key of a flow action, as the face showing it
names it (F3 in a browser, Ctrl+N in a terminal, the typed command in line mode)."""


def name_keys(text: str, key_name: Callable[[str], str]) -> str:
    """`text` with each `{{key:action}}` written as `key_name(action)`; an unknown action stays as written."""
    if "{{" not in text:
        return text

    def named(match: re.Match[str]) -> str:
        action = match.group(1)
        return key_name(action) if action in ACTIONS else match.group(0)

    return KEY_REFERENCE.sub(named, text)


@dataclass(frozen=True, slots=True)
class NodeView:
    """One box of the graph: its name, formula, children, and the value and gradient it shows in
    full. `state` is one of: asked, found (earned), shown, given (needed and not asked), unknown,
    engine (filled in by the replay, not asked), hidden (a gradient not to give away) or constant."""

    name: str
    title: str
    children: tuple[str, ...]
    value: str
    grad: str
    state: str


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One node after the backward pass: the learner's answer, the engine's, and how it was got."""

    node: str
    yours: str
    engine: str
    mark: str


MARKS = {"earned": "✓ earned", "shown": "~ shown", "given": "· given"}


def verdict_message(verdict: Verdict, typed: str = "") -> Message:
    """A verdict as the learner reads it: a glyph and a word, the sentence, what we read the answer
    as when it was arithmetic, the working, and a note when the answer was shown."""
    if verdict.correct:
        mark = Span("✓ Right: ", "right")
    elif verdict.shown:
        mark = Span("~ Shown: ", "shown")
    elif not verdict.readable:
        mark = Span("? ", "unread")
    else:
        mark = Span("✗ Wrong: ", "wrong")
    message = verdict.message.removeprefix("Shown: ")
    first = [mark, Span(message)]
    typed = typed.strip()
    if verdict.understood is not None and not verdict.shown and typed and typed != format_number(verdict.understood):
        first.append(Span(f" (read {typed} as {format_number(verdict.understood)})", "muted"))
    rows: list[Line] = [tuple(first)]
    if verdict.explanation:
        rows.append(line(verdict.explanation))
    if verdict.shown:
        rows.append(line(Span("Marked as shown, not earned.", "italic")))
    return tuple(rows)


def comparison_message(rows: Iterable[ComparisonRow], output: str) -> Message:
    """The comparison as lines: the score first, where a short screen still shows it, then one line
    per node, for line mode and narrow screens alike."""
    rows = list(rows)
    earned = sum(row.mark == MARKS["earned"] for row in rows)
    body = [line(Span(f"d{output}/d{row.node}", "bold"), f": {_beside(row)}") for row in rows]
    return (line(f"You earned {earned} of {len(rows)}. Your answers against the engine's:"), *body)


def _beside(row: ComparisonRow) -> str:
    """A node's answer beside the engine's: `yours 6, engine 6, ✓ earned` for an answer the learner
    found; one the tutor showed or gave is not called theirs (`engine 8, ~ shown to you`)."""
    if row.mark == MARKS["shown"]:
        return f"engine {row.engine}, {row.mark} to you"
    if row.mark == MARKS["given"]:
        return f"engine {row.engine}, {row.mark}"
    return f"yours {row.yours}, engine {row.engine}, {row.mark}"


PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)(?:\.(grad|after))?\s*\}\}")


def fill_numbers(text: str, values: Mapping[str, float], grads: Mapping[str, float],
                 after: Mapping[str, float]) -> str:
    """Lesson text with `{{a}}`, `{{a.grad}}` and `{{L.after}}` replaced by the numbers of the graph
    the learner sees (with `--seed`, their own); an unknown name stays as written."""

    def number(match: re.Match[str]) -> str:
        name, which = match.group(1), match.group(2)
        table = {"grad": grads, "after": after}.get(which or "", values)
        return format_number(table[name]) if name in table else match.group(0)

    return PLACEHOLDER.sub(number, text)
