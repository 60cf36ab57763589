"""The training screen: watch many update steps train a formula or a small network, drawn live.

The pace is the session's (`LessonSession`): its replay keeps the steps the learner may see, the
pause and the speed, and its flow says how many steps a tick takes. The run is the kind's
(`TrainFlow.run`): it takes the steps and words them as `Frame`s. This screen runs the timer, asks
the run for the steps up to the pace (a quick run on the interface's thread in slices, a slow one,
a network's, from a worker thread that waits whenever it has caught up) and paints the frames. The
pictures come from the pure `tui_grad.ui.plot`; this module only lays them out and colours them
with theme variables.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from tui_grad.core.flow import RUN, LessonSession
from tui_grad.core.kinds.network import NetworkRun
from tui_grad.core.kinds.train import FormulaRun, Frame, TrainFlow, TrainingRun
from tui_grad.core.parts import WATCH
from tui_grad.core.training import (
    TrainStep,
)
from tui_grad.core.views import CONTINUE, LEAVE, REPLAY_ACTIONS, SKIP
from tui_grad.ui import plot
from tui_grad.ui.chrome import Footer, Header
from tui_grad.ui.plot_view import PlotView
from tui_grad.ui.prose import HangingIndent, prose
from tui_grad.ui.render import LeftLesson, bindings, line_content, offered

TICK_BUDGET = 0.04
"""Seconds of formula training one timer tick may spend before it hands the keys back."""
REDRAWS_PER_SECOND, LOW_BANDWIDTH_REDRAWS_PER_SECOND = 10.0, 2.0
TRAINING, PAUSED, DONE, FAILED = "training", "paused", "done", "failed"
BOUNDARY = "boundary"
LEGENDS = {BOUNDARY: f"{plot.PLUS_POINT} +1  {plot.MINUS_POINT} −1  {plot.PLUS_REGION * 2} predicted +1",
           "line": f"{plot.POINT} points  ┊ errors", "landscape": f"{plot.BALL} now  {plot.TRAIL} earlier steps"}
"""The legend under each kind of picture a run draws."""


class TrainScreen(Screen):
    """Many update steps, drawn as they happen: the loss, and what the parameters are learning."""

    CSS_PATH = "train.tcss"
    BINDINGS = [
        *bindings(*REPLAY_ACTIONS, CONTINUE, LEAVE),
        Binding("l", "toggle_log", "Log", tooltip="Loss axis in decades or linear", id="train.log"),
        Binding("t", "toggle_text", "Text", tooltip="Read the whole text of this part, or the plots again",
                id="train.text"),
    ]

    def __init__(self, session: LessonSession, on_change: Callable[[LessonSession], None] | None = None,
                 time_scale: float = 1.0) -> None:
        super().__init__()
        part, flow = session.tutor.part, session.flow
        if session.screen != RUN or session.phase != WATCH or not isinstance(flow, TrainFlow):
            raise ValueError(f"TrainScreen shows a training run, not a '{part.kind}' part in phase {session.phase}")
        self.session, self.part, self.on_change = session, part, on_change
        self.time_scale = time_scale
        """Multiplies the session's pace (tests pass a small one)."""
        self.log_scale = False
        self.run: TrainingRun = flow.run(session.inputs, remote=True)
        self.frame = Frame(0, self.run.total)
        """The run as painted now: its step, losses, parameters or accuracy, and words."""
        self.timer: Timer | None = None
        self.timer_interval = 0.0
        self.catching_up = False
        """True while a formula's skip is computed in slices, one timer callback after another."""
        self.footer_for: tuple[object, ...] = ()
        """The session's actions the footer shows now."""
        if isinstance(self.run, NetworkRun):
            self.trainer = self.run.trainer
            self.trainer_lock = threading.Lock()
            """One call at a time to the training process (the worker and a redraw after a resize)."""
            self.allowed = 0
            """The steps the worker may take: the session's position, copied for its thread."""
            self.wake = threading.Event()
            self.skipping = False
            self.worker_waiting = False
            """True while the worker thread sits caught up with the pace, taking no steps."""
            self.grid: list[list[float]] = []
            self.grid_size = (38, 14)

    @property
    def step_count(self) -> int:
        """Update steps taken and shown so far."""
        return self.frame.step

    @property
    def losses(self) -> tuple[float, ...]:
        """The loss after each step shown so far."""
        return self.frame.losses

    @property
    def latest(self) -> TrainStep | None:
        """A formula's parameters and loss as shown now."""
        return self.frame.latest

    @property
    def accuracy(self) -> float:
        """A network's accuracy as shown now (nan before its first step)."""
        return self.frame.accuracy

    @property
    def state(self) -> str:
        """training, paused, done or failed: what the status line says in a glyph and a word."""
        session = self.session
        if session.phase == WATCH:
            return PAUSED if session.replay is not None and session.replay.paused else TRAINING
        return FAILED if session.failure else DONE

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="about")
        with Horizontal(id="plots"):
            yield PlotView("loss", id="loss")
            if self.run.picture:
                yield PlotView(self.run.picture_title, id="picture")
        with VerticalScroll(id="text"):
            yield Static(HangingIndent(prose(self.part.text or "_This part has no text._")))
        yield Static(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title, self.sub_title = self.session.title, self.session.subtitle
        about = self.query_one("#about", Static)
        # Content, not a str: a str would be read as markup, and a lesson's "[/x]" would end the app.
        about.update(Content(_first_paragraph(self.part.text, room=3 * max(self.app.size.width - 4, 20))))
        if isinstance(picture := self.query_one_optional("#picture"), PlotView):
            picture.border_subtitle = LEGENDS[self.run.picture]
        if self.run.slow:
            self.call_after_refresh(self._start_network)  # once laid out, so the grid fits the view
        else:
            self._catch_up()  # the start: step 0, before any update
        self.sync()

    def _low_bandwidth(self) -> bool:
        return bool(getattr(self.app, "low_bandwidth", False))

    # --- the pace: the session's replay, on a timer ---------------------------------------------

    def sync(self) -> None:
        """Draw the status and footer from the session, and run the timer while the run plays."""
        session, replay = self.session, self.session.replay
        playing = session.phase == WATCH and replay is not None and not replay.paused and not replay.done
        if playing and (self.app.animation_level == "none" or self._low_bandwidth()):
            session.act(SKIP)
            playing = False
        interval = session.tick_seconds * self.time_scale
        if self.timer is not None and (not playing or self.timer_interval != interval):
            self._stop_timer()
        if playing and self.timer is None:
            self.timer_interval = interval
            self.timer = self.set_interval(max(interval, 0.001), self.tick)
        self._release()
        self.query_one("#status", Static).update(self.status_text())
        keys = (session.allowed, replay is not None and replay.paused)  # Pause shows as Resume while paused
        if keys != self.footer_for:  # the footer is rebuilt only when the keys change, not every tick
            self.footer_for = keys
            self.refresh_bindings()

    def tick(self) -> None:
        """One tick of the pace: once the steps shown have caught up, the session allows more."""
        replay = self.session.replay
        if replay is None:
            return
        in_flight = 1 if self.run.slow else 0  # the worker may compute the next step meanwhile
        if self.step_count + in_flight >= replay.position:
            self.session.advance()
        self.sync()

    def _release(self) -> None:
        """Let the computing side go up to the session's position."""
        replay = self.session.replay
        if replay is None:
            return
        if self.run.slow:
            self.skipping = replay.skipping
            self.allowed = replay.position
            self.wake.set()
        elif self.step_count < replay.position:
            self._catch_up()

    # --- a formula, on the interface's thread -------------------------------------------------

    def _catch_up(self) -> None:
        """Have the run take its steps up to the session's position, for at most TICK_BUDGET seconds
        so the keys stay live on a long skip (the rest follows in slices, redrawn between), then paint."""
        replay = self.session.replay
        if self.session.phase != WATCH or replay is None or not isinstance(self.run, FormulaRun):
            return
        self.frame = self.run.advance(replay.position, time.monotonic() + TICK_BUDGET)
        if self.frame.over:
            self._finish()
            return
        self.session.drawn(self.frame.step)
        self._draw()
        if self.frame.step < replay.position and not self.catching_up:
            self.catching_up = True
            self.set_timer(0.001, self._next_slice)

    def _next_slice(self) -> None:
        self.catching_up = False
        if self.is_attached:
            self._catch_up()
            self.query_one("#status", Static).update(self.status_text())

    def _finish(self) -> None:
        """The run is over (or stopped early): the session remembers it and offers Enter."""
        self.session.painted(self.frame)
        self._stop_timer()
        self._draw()
        self.sync()

    def _stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    # --- a network, in a worker thread --------------------------------------------------------

    def _train_network(self) -> None:
        """The worker: step up to the allowed count, post a frame now and then, wait when caught up;
        stop when cancelled. The steps run in the trainer's own process, so this thread mostly waits."""
        from textual.worker import get_current_worker

        worker, run, lock = get_current_worker(), self.run, self.trainer_lock
        assert isinstance(run, NetworkRun)
        rate = LOW_BANDWIDTH_REDRAWS_PER_SECOND if self._low_bandwidth() else REDRAWS_PER_SECOND
        with lock:  # the starting picture first, even when finishing at once: the data, the untrained guess
            grid = run.grid(*self.grid_size)
        self._post(self._network_progress, run.frame(), grid)
        last_post, posted = -math.inf, 0
        while not run.done:
            if run.step >= self.allowed:  # caught up with the pace: show where it stands, wait
                if posted != run.step:
                    posted = run.step
                    with lock:
                        frame, grid = run.frame(), run.grid(*self.grid_size)
                    self._post(self._network_progress, frame, grid)
                self._post(self._set_waiting, True)
                while not self.wake.wait(0.1):
                    if worker.is_cancelled:
                        return
                self.wake.clear()
                self._post(self._set_waiting, False)
                continue
            if worker.is_cancelled:
                return
            with lock:
                run.take_step()
            if run.failure:  # a weight or the loss overflowed
                self._post(self._network_failed, run.frame())
                return
            now = time.monotonic()
            if not self.skipping and now - last_post >= 1.0 / rate and run.step < self.allowed:
                last_post, posted = now, run.step
                with lock:
                    frame, grid = run.frame(), run.grid(*self.grid_size)
                self._post(self._network_progress, frame, grid)
        with lock:
            run.finish()
            frame, grid = run.frame(), run.grid(*self.grid_size)
        self._post(self._network_progress, frame, grid)

    def _start_network(self) -> None:
        self.grid_size = self._grid_size()
        self.run_worker(self._train_network, thread=True, exit_on_error=False, group="training",
                        name="train network")

    def _post(self, callback: Callable[..., object], *args: object) -> None:
        """Run `callback(*args)` on the interface's thread, unless the screen or app is gone."""
        with contextlib.suppress(RuntimeError):  # the app stopped while the worker was still stepping
            self.app.call_from_thread(callback, *args)

    def _network_failed(self, frame: Frame) -> None:
        if not self.is_attached:
            return
        self.frame = frame
        self._finish()

    def _set_waiting(self, waiting: bool) -> None:
        self.worker_waiting = waiting

    def _network_progress(self, frame: Frame, grid: list[list[float]]) -> None:
        """Paint what the worker posted: the run's frame and the boundary."""
        if not self.is_attached:
            return
        self.frame, self.grid = frame, grid
        self.session.drawn(frame.step)
        if frame.step >= frame.total and self.session.phase == WATCH:
            self._finish()
            return
        self._draw()

    def _grid_size(self) -> tuple[int, int]:
        width, height = self.query_one("#picture", PlotView).content_size
        return max(width, 8), max(height, 4)

    def on_resize(self) -> None:
        if self.run.picture == BOUNDARY:
            self.call_after_refresh(self._resize_grid)

    def _resize_grid(self) -> None:
        """Score the boundary again at the picture's new size (until it comes, the old grid is
        stretched to fit), whether the run goes on, waits or is over."""
        size = self._grid_size()
        if size == self.grid_size or not self.is_attached:
            return
        self.grid_size = size
        if self.grid:
            self.run_worker(self._regrid, thread=True, exit_on_error=False, group="regrid", exclusive=True,
                            name="redraw the boundary")

    def _regrid(self) -> None:
        with self.trainer_lock:
            if self.trainer.closed:
                return
            try:
                assert isinstance(self.run, NetworkRun)
                grid = self.run.grid(*self.grid_size)
            except ArithmeticError:
                return
        self._post(self._show_grid, grid)

    def _show_grid(self, grid: list[list[float]]) -> None:
        if self.is_attached:
            self.grid = grid
            self._draw()

    # --- drawing --------------------------------------------------------------------------------

    def _draw(self) -> None:
        losses, total, log_scale = list(self.frame.losses), self.run.total, self.log_scale
        self.query_one("#loss", PlotView).paint(lambda w, h: plot.loss_curve(losses, total, w, h, log_scale))
        picture = self.query_one_optional("#picture")
        if isinstance(picture, PlotView):
            painter = self._picture_painter()
            if painter is not None:
                picture.paint(painter)
        self.query_one("#status", Static).update(self.status_text())

    def _picture_painter(self) -> Callable[[int, int], plot.Canvas] | None:
        """How to paint the run's picture as it stands: the boundary, the fitted line, or the one
        parameter on its loss landscape."""
        run = self.run
        if isinstance(run, NetworkRun):
            if not self.grid:
                return None
            grid, data = self.grid, self.trainer.dataset
            return lambda w, h: plot.boundary(plot.fit_grid(grid, w, h), data.points, data.labels, data.bounds())
        if not isinstance(run, FormulaRun) or run.latest is None:
            return None
        line, points = run.line(), self.part.plot
        if line is not None and points is not None:
            slope, intercept = line
            return lambda w, h: plot.line_fit(points.points, slope, intercept, w, h)
        curve, trail, name = run.landscape(), list(run.trail), self.part.parameters[0]
        return lambda w, h: plot.landscape(curve(w * 2), trail, name, w, h)

    def status_text(self) -> Content:
        """The status line: the session's state word and speed around the step, loss, and parameters
        or accuracy this screen has drawn; Enter once it is over."""
        row = self.session.training_status(self.frame.words)
        keys = next((index for index, span in enumerate(row) if span.role == "key"), len(row))
        first, rest = line_content(row[:max(keys - 1, 0)]), line_content(row[max(keys - 1, 0):])
        room = self.query_one("#status").content_size.width or self.app.size.width - 2
        if keys < len(row) and first.cell_length + rest.cell_length > room:  # what comes next on a line of its own
            return Content("\n").join([first, line_content(row[keys:])])
        return line_content(row)

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return offered(self.session, action, parameters)

    def action_flow(self, action: str, _face: str = "") -> None:
        """Send a key's action to the session (pause, step, skip, faster, slower, continue, leave),
        then draw what it says: a new speed shows at once, paused or not."""
        session = self.session
        if not session.act(action):
            return
        if action == LEAVE:
            self._stop_timer()
            self._stop_worker()
            self.post_message(LeftLesson())
            return
        if action == CONTINUE:
            if self.on_change is not None:
                self.on_change(session)
            else:
                self.app.pop_screen()
            return
        self.sync()

    def action_toggle_log(self) -> None:
        """Switch the loss axis between linear and decades."""
        self.log_scale = not self.log_scale
        self.query_one("#loss", PlotView).border_title = "loss (log scale)" if self.log_scale else "loss"
        self._draw()

    def action_toggle_text(self) -> None:
        """Show the part's whole text in place of the plots (training goes on), or the plots again."""
        reading = not self.query_one("#text").display
        self.query_one("#text").display = reading
        self.query_one("#plots").display = not reading
        self.query_one("#about").display = not reading

    def on_unmount(self) -> None:
        self._stop_timer()
        self._stop_worker()

    def _stop_worker(self) -> None:
        if self.run.slow:
            self.app.workers.cancel_group(self, "training")
            self.wake.set()
            self._close_later()

    def _close_later(self) -> None:
        """Stop the training process once no thread uses it (a worker may be mid-call)."""
        def close() -> None:
            with self.trainer_lock:
                self.trainer.close()
        threading.Thread(target=close, daemon=True).start()


def _first_paragraph(markdown: str, room: int) -> str:
    """The part's first paragraph without Markdown's emphasis marks, cut to `room` characters on a
    word boundary with a pointer to the whole text when there is more to read."""
    paragraphs = markdown.strip().split("\n\n")
    text = " ".join(paragraphs[0].replace("**", "").replace("`", "").split())
    more = " … (t: whole text)"
    if len(text) <= room and len(paragraphs) == 1:
        return text
    if len(text) + len(more) > room:
        text = text[: max(room - len(more), 0)].rsplit(" ", 1)[0]
    return text + more
