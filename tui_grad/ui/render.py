"""How the full-screen app shows the core's plain data: each flow action's keys and footer label,
and a message's spans as styled Content (the styles come from the theme; every mark also carries
a glyph and a word, so nothing rests on colour)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.screen import Screen

from tui_grad.core.flow import LessonSession
from tui_grad.core.views import (
    CONTINUE,
    FASTER,
    HINT,
    LEAVE,
    MOVE_DOWN,
    MOVE_UP,
    NUDGE,
    PAUSE,
    PICK_DOWN,
    PICK_UP,
    RESTART,
    REVEAL,
    SKIP,
    SLOWER,
    STEP,
    UPDATE,
    Line,
    Message,
    name_keys,
)
from tui_grad.terminal import served
from tui_grad.ui.prose import HangingIndent, prose

KEYS: dict[str, tuple[str, str, str]] = {
    HINT: ("ctrl+g,f2", "Hint", "A hint that goes one step further each time (also F2)"),
    NUDGE: ("ctrl+n,f3", "Nudge", "Nudge this node by h and run forward again; again for a smaller h (also F3)"),
    REVEAL: ("ctrl+r,f4", "Show answer", "Show this answer, marked as shown, not earned (also F4)"),
    PICK_UP: ("up", "Pick ↑", "Pick the node above in the order"),
    PICK_DOWN: ("down", "Pick ↓", "Pick the node below in the order"),
    MOVE_UP: ("ctrl+up", "Move up", "Move the picked node up the order"),
    MOVE_DOWN: ("ctrl+down", "Move down", "Move the picked node down the order"),
    PAUSE: ("space", "Pause", "Pause or resume the replay"),
    STEP: ("n,right", "Step", "Show one more step"),
    SKIP: ("s,end", "Skip", "Jump to the end of the replay"),
    FASTER: ("plus,equals_sign", "Faster", "Shorter pauses between steps"),
    SLOWER: ("minus", "Slower", "Longer pauses between steps"),
    UPDATE: ("u", "Update", "Step the parameters and run forward again"),
    CONTINUE: ("enter", "Continue", "On to what comes next"),
    RESTART: ("r", "Start again", "Start this lesson again from the beginning"),
    LEAVE: ("escape", "Lessons", "Back to the lessons; your progress is saved"),
}
"""Keys, footer label and tooltip of each flow action. Actions that must work while an answer is
typed use Ctrl or function keys, since a focused Input takes plain letters; the function keys
are for browsers, which keep Ctrl+N and others for themselves."""

LABELS = {action: _label for action, (keys, _label, _tip) in KEYS.items()}


BROWSER_KEYS = ("ctrl+n", "ctrl+r", "ctrl+t", "ctrl+w")
"""Keys a browser keeps (a new window, reload, a new tab, close the tab): a served tab binds none of
them, and its page passes Ctrl+R on to the browser (a reload must never show an answer)."""


def action_keys(action: str) -> str:
    """The keys of `action`, the one to show first. In a browser the function keys come first and the
    browser's own keys go, so the footer and the tutor's words name the key that works there."""
    keys = KEYS[action][0].split(",")
    if served():
        keys = [key for key in keys if key not in BROWSER_KEYS]
        keys.sort(key=lambda key: not (key.startswith("f") and key[1:].isdigit()))
    return ",".join(keys)


def key_label(action: str) -> str:
    """The key a learner presses for `action`, as the footer writes it: `Ctrl+G`, `U`, `Enter`."""
    first = action_keys(action).split(",")[0]
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in first.split("+"))


def palette_commands(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """The command palette's own commands, less Screenshot in a browser: it would write the SVG into the
    tutor's folder on the server, where the learner never sees it."""
    for command in commands:
        if not (served() and command.title == "Screenshot"):
            yield command


RESUME = "resume"
"""The pause key's second face: while a replay is paused the footer offers Resume, not Pause."""


def bindings(*actions: str) -> list[BindingType]:
    """The footer bindings of these flow actions, each calling `action_flow('<name>')` (the pause key
    twice: as Pause, and as Resume while paused; `offered` shows one)."""
    result: list[BindingType] = []
    for a in actions:
        result.append(Binding(action_keys(a), f"flow('{a}')", KEYS[a][1], tooltip=KEYS[a][2], id=f"flow.{a}"))
        if a == PAUSE:
            result.append(Binding(action_keys(a), f"flow('{a}', '{RESUME}')", "Resume", tooltip=KEYS[a][2],
                                  id=f"flow.{a}.{RESUME}"))
    return result


def offered(session: LessonSession, action: str, parameters: tuple[object, ...]) -> bool:
    """Whether a screen offers this key now: flow actions the session allows (Pause or Resume as the
    replay stands); every other action."""
    if action != "flow" or not parameters:
        return True
    if parameters[0] not in session.allowed:
        return False
    if parameters[0] == PAUSE:
        paused = session.replay is not None and session.replay.paused
        return paused == (parameters[1:] == (RESUME,))
    return True


STYLES = {"": "", "bold": "bold", "muted": "$text-muted", "right": "bold $text-success", "wrong": "bold $text-error",
          "shown": "bold $text-warning", "unread": "bold $text-warning", "hint": "bold $text-accent",
          "italic": "italic", "key": "bold"}


def line_content(row: Line) -> Content:
    """One line of a message as Content: styled runs, keys named as the footer names them."""
    pieces: list[Content | tuple[str, str] | str] = []
    for span in row:
        if span.role == "prose":
            pieces.append(prose(name_keys(span.text, key_label)))
        elif span.role == "key":
            pieces.append((key_label(span.text), "bold"))
        else:
            pieces.append((name_keys(span.text, key_label), STYLES.get(span.role, "")))
    return Content.assemble(*pieces)


def message_content(message: Message) -> HangingIndent:
    """A whole message, one line per line; list items wrap under their own text."""
    return HangingIndent(Content("\n").join(line_content(row) for row in message))


HEADER_MARGIN = 16
"""Columns the header keeps for its icon and padding around the centred title."""


def header_texts(title: str, subtitle: str, width: int) -> tuple[str, str]:
    """The header's title and subtitle for a window `width` columns wide: the subtitle goes when
    both would not fit, so the title (a lesson's name, practice's level and streak) is never cut
    for it; the status line already says what is happening."""
    room = width - HEADER_MARGIN
    return (title, subtitle) if len(title) + 3 + len(subtitle) <= room else (title, "")


class LeftLesson(TextualMessage):
    """A lesson's screen was left for the list of lessons (Escape): the app decides what shows next."""


class SessionScreen(Screen):
    """A screen that renders a `LessonSession`: its keys are the session's actions, each offered
    (and shown in the footer) only while the session allows it."""

    session: LessonSession

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return offered(self.session, action, parameters)
