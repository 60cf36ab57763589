"""The tui-grad application: wires the screens together; each screen lives in its own module."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter, Monochrome, NoColor
from textual.screen import Screen

from tui_grad.core.activity import Activity
from tui_grad.ui.driver import quiet_driver_class
from tui_grad.ui.hangup import Lifeline
from tui_grad.ui.render import LeftLesson, palette_commands
from tui_grad.ui.too_small import TooSmallScreen, too_small

if TYPE_CHECKING:  # the list and the lesson screens load when first shown, not at start-up
    from textual.driver import Driver

    from tui_grad.core.catalog import Catalog
    from tui_grad.core.flow import LessonSession
    from tui_grad.core.lesson import Lesson
    from tui_grad.core.progress import ProgressStore
    from tui_grad.ui.home import HomePlace


REPLAY_INTERVAL = 0.8
"""Seconds between two steps of the backward replay at 1×; a training run's pace scales with it."""


class TuiGradApp(App):
    """The tutor: the lesson list, then each lesson's reading, exercise and training screens."""

    TITLE = "tui-grad"
    CSS = """
    /* The footer's keys in the colour of its descriptions, bold: some light themes draw them in their
       accent, which on the footer's grey is too faint to read (1.8:1 in atom-one-light). */
    FooterKey .footer-key--key { color: $footer-description-foreground; text-style: bold; }
    """
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", tooltip="Leave tui-grad (your progress is saved)", priority=True,
                id="app.quit"),
    ]

    def __init__(self, catalog: Catalog, start_lesson: str | None = None, step_interval: float = REPLAY_INTERVAL,
                 store: ProgressStore | None = None, seed: int | None = None, low_bandwidth: bool = False,
                 start: Callable[[TuiGradApp], None] | None = None) -> None:
        super().__init__()
        self.start = start
        """What to open over the lessons at start-up (practice, a formula), if anything."""
        self.catalog = catalog
        self.start_lesson = start_lesson
        self.step_interval = step_interval
        self.store = store
        self.seed = seed
        self.low_bandwidth = low_bandwidth
        """No animation, no cursor blink, no mouse-motion tracking: for slow SSH links."""
        if low_bandwidth:
            self.animation_level = "none"
        self.home_place: HomePlace | None = None
        """Where the learner stands on the list of lessons, kept while a lesson takes its place."""
        self.shown_session: LessonSession | None = None
        """The session on screen (or left last), whose replay speed the next session takes up."""
        self._terminal_colours = NoColor()
        """NO_COLOR's filter for a theme of the terminal's own colours (see get_line_filters)."""
        self.activity = Activity(store.folder if store is not None else None)
        """Marks the learner active on any key or click, for the class view's "last active"."""

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, with NO_COLOR's matched to the theme in use now.

        Textual picks NO_COLOR's filter once, for the theme it starts with: greys for a theme of its
        own colours. A theme of the terminal's colours (ansi-dark, ansi-light, chosen with --theme or
        Ctrl+P after that) has only "default" and the sixteen ANSI colours, which the greys filter
        turns to black, on black: title, values, placeholder and footer all unreadable. Such a theme
        under NO_COLOR gets the terminal's default colours instead, as Textual does when it starts
        with one."""
        filters = super().get_line_filters()
        if not self.no_color or not self.native_ansi_color:
            return filters
        return [self._terminal_colours if isinstance(line_filter, Monochrome) else line_filter
                for line_filter in filters]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.activity.mark()  # a clock reading a key; the file is touched at most once a minute
        await super().on_event(event)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        return palette_commands(super().get_system_commands(screen))

    def get_driver_class(self) -> type[Driver]:
        # An idle tutor's input thread sleeps instead of waking ten times a second (driver.py).
        return quiet_driver_class(super().get_driver_class())

    def on_mount(self) -> None:
        if not self.is_headless:  # a real terminal; tests drive a headless app and keep their own handlers
            # SIGTERM, SIGHUP or a terminal that has gone: save, leave cleanly, and never linger.
            terminal = sys.__stdin__.fileno() if sys.__stdin__ is not None else None
            Lifeline(self.exit, self._save_progress, terminal_fd=terminal).install()
        if not self.start_lesson and self.start is None:
            self.show_lessons()
        for warning in self.store.warnings if self.store else ():
            self.notify(warning, title="Progress", severity="warning", timeout=12, markup=False)
        if self.start_lesson:
            self.open_lesson(self.start_lesson)
        elif self.start is not None:
            self.start(self)
        self.check_size(self.size.width, self.size.height)

    def _save_progress(self) -> None:
        """Save on the way out what is not saved yet (progress is saved after every answer, so
        usually nothing: a lab's hundred tutors hung up at once then write nothing)."""
        if self.store is not None and self.store.unsaved():
            self.store.save()

    def on_resize(self, event: events.Resize) -> None:
        self.check_size(event.size.width, event.size.height)

    def check_size(self, width: int, height: int) -> None:
        """Cover the screen with a notice while the window is too small; lift it when it grows."""
        screen = self.screen
        if too_small(width, height):
            if isinstance(screen, TooSmallScreen):
                screen.show_size(width, height)
            else:
                self.push_screen(TooSmallScreen())
        elif isinstance(screen, TooSmallScreen):
            self.pop_screen()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.low_bandwidth and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def open_lesson(self, lesson_id: str, lesson: Lesson | None = None, seed: int | None = None,
                    review: str | None = None) -> None:
        """Open a lesson where the learner stands: its introduction the first time, the question they
        were on when they come back, a choice to start again when it is finished."""
        from tui_grad.core.flow import LessonSession

        lesson = lesson or self.catalog.find(lesson_id)
        if lesson is None:
            self.notify(f"No lesson called '{lesson_id}'.", severity="error", markup=False)
            if len(self.screen_stack) < 2:
                self.show_lessons()
            return
        self.show_session(LessonSession(lesson, self.store, self.seed if seed is None else seed, review=review))

    def show_session(self, session: LessonSession) -> None:
        """Push the screen the session says it is shown on: a page, an exercise or a training run. The
        replay speed the learner chose in the session shown before goes on in this one."""
        from tui_grad.core.flow import PAGE, RUN

        if self.shown_session is not None and session is not self.shown_session:
            session.keep_speed(self.shown_session.speed_index)
        self.shown_session = session

        if session.screen == PAGE:
            from tui_grad.ui.page import PageScreen

            self._show(PageScreen(session, self.follow))
        elif session.screen == RUN:
            from tui_grad.ui.train import TrainScreen

            self._show(TrainScreen(session, self.follow, time_scale=self.step_interval / REPLAY_INTERVAL))
        else:
            from tui_grad.ui.exercise import ExerciseScreen

            self._show(ExerciseScreen(session, self.step_interval, on_change=self.follow))

    def show_lessons(self) -> None:
        """The list of lessons, built anew where the learner left it."""
        from tui_grad.ui.home import (  # not loaded by a tutor opened on a lesson until here
            HomePlace,
            HomeScreen,
        )

        self.home_place = self.home_place or HomePlace()
        self._show(HomeScreen(self.catalog, self.store, self.home_place))

    def _show(self, screen: Screen) -> None:
        """Put `screen` in place of the list or the lesson screen showing; one of them is ever open
        (the formula form and the too-small notice go over it and come off again)."""
        covered = isinstance(self.screen, TooSmallScreen)
        if covered:
            self.pop_screen()
        remember = getattr(self.screen, "remember_place", None)  # the list: removed as the lesson replaces it
        if remember is not None:
            remember()
        # Started from the app's own context: a screen's message loop keeps the context it was started
        # in, and with it the screen that was running then (the list, the previous page) for its life.
        with self._context():
            if len(self.screen_stack) < 2:  # only Textual's empty default screen: at start-up
                self._push_shown(screen, covered)
            else:
                self.call_later(self._replace_screen_with, screen, covered)

    async def _replace_screen_with(self, screen: Screen, covered: bool) -> None:
        """Take the screen showing away, free it, then show `screen`, in one repaint.

        A screen's widgets point at each other, so only the cyclic collector frees them. Built while
        the old one still held its memory, the new screen took fresh memory and left the old one's as
        holes no later allocation filled: 1.5 MB more for a learner who came through the list, 0.4 MB
        for one who turned a page (bench/idle_lab.py, docs/performance.md). The collection takes a few
        tens of milliseconds, once per screen change."""
        with self.batch_update():
            await self.pop_screen()
            gc.collect()
            self._push_shown(screen, covered)

    def _push_shown(self, screen: Screen, covered: bool) -> None:
        """Show `screen`, under the too-small notice again if it was up."""
        self.push_screen(screen)
        if covered:
            self.push_screen(TooSmallScreen())

    def on_left_lesson(self, _: LeftLesson) -> None:
        self.show_lessons()

    def open_practice(self, level: int | None = None, seed: int | None = None) -> None:
        """Start practice: the exercise left unfinished, or the next one at the learner's level."""
        from tui_grad.core.practice import PracticeRun

        self.show_session(PracticeRun(self.store, level, seed).session())

    def open_formula(self, formula: str, values: dict[str, float]) -> None:
        """Work the learner's own formula like a lesson (raises FormulaError for one that cannot be)."""
        from tui_grad.core.flow import LessonSession
        from tui_grad.core.formula import formula_lesson

        self.show_session(LessonSession(formula_lesson(formula, values), self.store, transient=True,
                                        extra={"formula": formula}))

    def follow(self, session: LessonSession) -> None:
        """The session moved on: replace the lesson's screen with the next one, or go back to the
        lessons once the recap has been read."""
        following = session.successor() if session.over else session  # practice: the next exercise
        if following is None:
            self.show_lessons()
        else:
            self.show_session(following)
