"""The header and the key footer every screen shows: Textual's, without the widgets they leak.

Textual keeps a watcher as an entry on the object watched, and drops the entries of widgets that
have gone only when the watched value next changes (textual#6666). Two of its widgets watch values
that never change here, so every widget they let go stayed alive:

- `Footer` rebuilds its keys whenever the screen's bindings change (a hint, a verdict, each replay
  step) and binds each new key's `compact` to the footer: ten dead keys an answer, for as long as
  the lesson is open.
- `Header` watches the app's title: every screen's header stayed alive, with its children, after
  the screen had gone (two a lesson part).

Both subclasses drop those entries themselves. `tests/ui/test_chrome.py` counts the widgets alive
after many answers and screens, so a Textual that changes how it keeps watchers shows up there.

The exercise screen's footer (`SteadyFooter`) also rebuilds only when the keys it would show differ
from the ones it shows: the screen announces its bindings after every answer whether or not they
changed, and a rebuild (ten new widgets, styled and laid out again) was a third of the work between
Enter and the verdict.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter, Header as TextualHeader
from textual.widgets._footer import FooterKey  # the footer's key widget; Textual exports no name for it


def forget_watchers(watched: DOMNode, attribute: str, gone: object = None) -> None:
    """Drop the entries for `watched.attribute` of `gone`, or of every widget no longer attached."""
    entries = (getattr(watched, "__watchers", None) or {}).get(attribute)
    if entries:
        entries[:] = [(watcher, callback) for watcher, callback in entries
                      if watcher is not gone and (gone is not None or getattr(watcher, "is_attached", True))]


SHORT_LABELS = {"Show answer": "Show", "Start again": "Again", "Continue": "On", "Lessons": "Back",
                "Faster": "Fast", "Slower": "Slow", "Resume": "Go", "Update": "Upd", "palette": "", "Quit": "Quit"}
"""A shorter word for each footer label, for a footer that does not fit its window."""

SHORTEST = 4
"""How far the footer shortens: 1 compact spacing, 2 short labels, 3 no palette key, 4 keys alone."""


def shown_keys(screen: Screen) -> tuple:
    """What a footer on `screen` shows: each binding it lists, whether it is enabled, its tooltip."""
    return tuple((binding, enabled, tooltip) for _, binding, enabled, tooltip in screen.active_bindings.values()
                 if binding.show)


class Footer(TextualFooter):
    """Textual's footer; a rebuild lets the old keys go. A footer wider than its window shortens
    itself, step by step, before any key is cut: Textual's cut the last keys (the replay's ended
    "esc Lessons ^q Qu" at 80 columns, the training run's lost Quit)."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self.brevity = 1 if compact else 0
        """How far the labels are shortened now (see SHORTEST)."""
        self.wide_enough = 0
        """The width the footer was last found to fit at its least brevity; wider undoes the shortening."""
        self.fullest = self.brevity
        """The brevity new keys start from: fewer keys may fit in full where the last ones did not."""
        self.keys_seen: tuple | None = None
        """The keys the footer was last told about."""
        self.keys_drawn: tuple | None = None
        """The keys its widgets show now."""

    def compose(self) -> ComposeResult:
        self.keys_drawn = shown_keys(self.screen) if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey) and self.brevity >= 2:
                widget.description = "" if self.brevity >= SHORTEST else SHORT_LABELS.get(
                    widget.description, widget.description)
            yield widget

    async def recompose(self) -> None:
        await super().recompose()
        forget_watchers(self, "compact")
        self.call_after_refresh(self.fit)

    def needed_width(self) -> int:
        """The columns the keys take, margins included."""
        return sum(child.outer_size.width + child.styles.margin.width for child in self.children)

    def fit(self) -> None:
        """Shorten one step more while the keys do not fit."""
        if not self.is_attached or not self.children or not self.size.width:
            return
        if self.keys_drawn != shown_keys(self.screen):
            return  # these are the last keys: the footer is about to be built anew for the new ones
        if self.needed_width() <= self.size.width:
            self.wide_enough = max(self.wide_enough, self.size.width) if self.brevity == 0 else self.wide_enough
            return
        if self.brevity < SHORTEST:
            self.brevity += 1
            self.compact = True
            self.show_command_palette = self.brevity < 3
            self.call_later(self.recompose)

    def bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen and (keys := shown_keys(screen)) != self.keys_seen:
            if self.keys_seen is not None and self.brevity > self.fullest:  # other keys: try them in full
                self.brevity, self.wide_enough = self.fullest, 0
                self.compact, self.show_command_palette = bool(self.fullest), True
            self.keys_seen = keys
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        if self.brevity > self.fullest and not (self.wide_enough and event.size.width < self.wide_enough):
            self.brevity = self.fullest  # room again, maybe: start from full labels and shorten as needed
            self.compact = bool(self.fullest)
            self.show_command_palette = True
            self.call_later(self.recompose)
        else:
            self.call_after_refresh(self.fit)


class SteadyFooter(Footer):
    """A footer that rebuilds only when the keys it would show change: the exercise screen's, which
    announces its bindings after every answer. (Only there: the list of lessons is laid out by the
    rebuilds it gets at start, and its screen scrolled without them.)"""

    _composed_keys: tuple | None = None
    """The keys the footer's widgets show now (None before the first build)."""

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed_keys = shown_keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._composed_keys is not None and screen is self.screen and shown_keys(screen) == self._composed_keys:
            return  # announced, but nothing the learner would see differs
        super().bindings_changed(screen)


class Header(TextualHeader):
    """Textual's header; leaving the screen lets it go."""

    def on_unmount(self) -> None:
        for attribute in ("title", "sub_title"):
            forget_watchers(self.app, attribute, gone=self)
