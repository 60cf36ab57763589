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
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.widgets import Footer as TextualFooter, Header as TextualHeader


def forget_watchers(watched: DOMNode, attribute: str, gone: object = None) -> None:
    """Drop the entries for `watched.attribute` of `gone`, or of every widget no longer attached."""
    entries = (getattr(watched, "__watchers", None) or {}).get(attribute)
    if entries:
        entries[:] = [(watcher, callback) for watcher, callback in entries
                      if watcher is not gone and (gone is not None or getattr(watcher, "is_attached", True))]


class Footer(TextualFooter):
    """Textual's footer; a rebuild lets the old keys go."""

    async def recompose(self) -> None:
        await super().recompose()
        forget_watchers(self, "compact")


class Header(TextualHeader):
    """Textual's header; leaving the screen lets it go."""

    def on_unmount(self) -> None:
        for attribute in ("title", "sub_title"):
            forget_watchers(self.app, attribute, gone=self)
