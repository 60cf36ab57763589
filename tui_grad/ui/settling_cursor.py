"""A text cursor that blinks while the learner is busy and holds still once they pause.

A blinking cursor repaints its whole input line twice a second, forever: on an idle exercise
screen that was almost all of the tutor's CPU (0.43% of a core a learner, 43% for a lab of a
hundred) and all of its output. Desktop toolkits stop the blink after a while for the same reason
(GTK's cursor-blink-timeout is 10 s). Here the cursor blinks for `BLINK_FOR` seconds after focus
or the last key, then stays shown, solid, until the next key or focus starts it blinking again.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

BLINK_FOR = 10.0
"""Seconds the cursor keeps blinking after focus or a key; then it stays on without blinking."""
BLINK_PERIOD = 0.5
"""Textual's Input toggles its cursor every half second."""


class SettlingCursorInput(Input):
    """An Input whose cursor stops blinking, visible, after `BLINK_FOR` seconds without a key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._toggles_left = round(BLINK_FOR / BLINK_PERIOD)

    @property
    def cursor_settled(self) -> bool:
        """Whether the cursor has stopped blinking (shown, timer paused) until the next key."""
        return self._toggles_left <= 0 and self._cursor_visible

    @property
    def cursor_blinking(self) -> bool:
        """Whether the blink timer runs (it wakes the app twice a second)."""
        timer = self._blink_timer
        return timer is not None and timer._active.is_set()

    def _restart_blink(self) -> None:
        """Focus, a key or a click: blink again from the start."""
        self._toggles_left = round(BLINK_FOR / BLINK_PERIOD)
        super()._restart_blink()

    def _toggle_cursor(self) -> None:
        super()._toggle_cursor()
        self._toggles_left -= 1
        if self.cursor_settled and self._blink_timer is not None:
            self._blink_timer.pause()  # the cursor stays drawn; nothing wakes the app until a key
