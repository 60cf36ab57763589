"""The tui-grad application: wires the screens together; each screen lives in its own module."""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.binding import Binding

from tui_grad.core.catalog import Catalog
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen
from tui_grad.ui.reading import ReadingScreen
from tui_grad.ui.too_small import TooSmallScreen, too_small


class TuiGradApp(App):
    """The tutor: the lesson list, then each lesson's reading and exercise screens."""

    TITLE = "tui-grad"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", tooltip="Leave tui-grad", priority=True, id="app.quit"),
    ]

    def __init__(self, catalog: Catalog, start_lesson: str | None = None, step_interval: float = 0.8) -> None:
        super().__init__()
        self.catalog = catalog
        self.start_lesson = start_lesson
        self.step_interval = step_interval

    def on_mount(self) -> None:
        self.push_screen(HomeScreen(self.catalog))
        if self.start_lesson:
            self.open_lesson(self.start_lesson)
        self.check_size(self.size.width, self.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self.check_size(event.size.width, event.size.height)

    def check_size(self, width: int, height: int) -> None:
        """Cover the screen with a notice while the window is too small; lift it when it grows."""
        covered = isinstance(self.screen, TooSmallScreen)
        if too_small(width, height):
            if covered:
                self.screen.show_size(width, height)
            else:
                self.push_screen(TooSmallScreen())
        elif covered:
            self.pop_screen()

    def open_lesson(self, lesson_id: str) -> None:
        """Show a lesson's introduction; Enter there starts its exercise."""
        lesson = self.catalog.find(lesson_id)
        if lesson is None:
            self.notify(f"No lesson called '{lesson_id}'.", severity="error")
            return
        start = lambda: self.push_screen(ExerciseScreen(lesson, self.step_interval))  # noqa: E731
        if lesson.intro:
            self.push_screen(ReadingScreen(lesson.title, lesson.intro, go_on=start))
        else:
            start()
