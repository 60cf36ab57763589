"""The training screen: watch many update steps train a formula or a small network, drawn live.

A "train" part replays `tui_grad.core.training.train_steps` on a timer, several steps a tick: the
loss falling beside the line closing in on its points (or, with one parameter, the ball rolling
down the loss). A "network" part trains `NetworkTrainer` in a worker thread that the screen can
pause and stop; it posts what to draw at most a few times a second. The pictures come from the
pure `tui_grad.ui.plot`; this module only lays them out and colours them with theme variables.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static

from tui_grad.core.lesson import Part
from tui_grad.core.training import (TrainingError, TrainStep, describe_loss, describe_params, loss_at,
                                    train_steps)
from tui_grad.ui import plot
from tui_grad.ui.plot_view import PlotView
from tui_grad.ui.prose import prose

TICKS_PER_RUN = 100
"""A formula run lasts about this many timer ticks, whatever its step count (5 s at 0.05 s a tick)."""
TICK_BUDGET = 0.04
"""Seconds of formula training one timer tick may spend before it hands the keys back."""
SKIP_AT_ONCE = 2000
"""A skip finishes this many remaining formula steps or fewer in one go (under a second)."""
LOOKAHEAD = 2000
"""How far ahead a one-parameter run is traced to frame its loss landscape."""
REDRAWS_PER_SECOND, LOW_BANDWIDTH_REDRAWS_PER_SECOND = 10.0, 2.0
TRAINING, PAUSED, DONE, FAILED = "training", "paused", "done", "failed"


class TrainScreen(Screen):
    """Many update steps, drawn as they happen: the loss, and what the parameters are learning."""

    CSS_PATH = "train.tcss"
    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", tooltip="Stop or restart the training", id="train.pause"),
        Binding("s", "skip", "Skip", tooltip="Take every remaining step at once", id="train.skip"),
        Binding("l", "toggle_log", "Log", tooltip="Loss axis in decades or linear", id="train.log"),
        Binding("t", "toggle_text", "Text", tooltip="Read the whole text of this part, or the plots again",
                id="train.text"),
        Binding("enter", "continue", "Continue", tooltip="Go on once training is done", id="train.continue"),
        Binding("escape", "back", "Back", id="train.back"),
    ]

    def __init__(self, part: Part, inputs: Mapping[str, float] | None = None,
                 on_done: Callable[[], None] | None = None, step_interval: float = 0.05) -> None:
        super().__init__()
        if part.kind not in ("train", "network") or (part.kind == "network" and part.network is None):
            raise ValueError(f"TrainScreen shows train and network parts, not '{part.kind}'")
        self.part, self.on_done, self.step_interval = part, on_done, step_interval
        self.inputs = dict(part.inputs if inputs is None else inputs)
        self.state = TRAINING
        """training, paused, done or failed (the status line says which, in a word and a glyph)."""
        self.log_scale = False
        self.losses: list[float] = []
        """The loss after each step so far; index 0 is before the first update."""
        self.step_count = 0
        """Update steps taken and shown so far."""
        self.message = ""
        self.timer: Timer | None = None
        self.ticks, self.tick_count, self.interval = TICKS_PER_RUN, 0, step_interval
        if part.kind == "network":
            from tui_grad.core.network import RemoteTrainer

            self.trainer = RemoteTrainer(part.network)
            self.total_steps = part.network.steps
            self.accuracy = math.nan
            self.resume = threading.Event()
            self.resume.set()
            self.skipping = False
            self.worker_waiting = False
            """True while the worker thread sits paused, taking no steps."""
            self.grid: list[list[float]] = []
            self.grid_size = (38, 14)
        else:
            self.total_steps = part.update.steps
            self.steps = train_steps(part, self.inputs)
            self.skipping = False
            self.latest: TrainStep | None = None
            self.trail: list[tuple[float, float]] = []
            self.span: tuple[float, float] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="about")
        with Horizontal(id="plots"):
            yield PlotView("loss", id="loss")
            if self.part.kind == "network":
                yield PlotView("decision boundary", id="picture")
            elif self.part.plot is not None:
                yield PlotView(f"the line y = {self.part.plot.slope}·x + {self.part.plot.intercept}", id="picture")
            elif len(self.part.parameters) == 1:
                yield PlotView(f"loss as {self.part.parameters[0]} moves", id="picture")
        with VerticalScroll(id="text"):
            yield Static(prose(self.part.text or "_This part has no text._"))
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.part.title or "Training"
        self.sub_title = "watch it train"
        about = self.query_one("#about", Static)
        # Content, not a str: a str would be read as markup, and a lesson's "[/x]" would end the app.
        about.update(Content(_first_paragraph(self.part.text, room=3 * max(self.app.size.width - 4, 20))))
        instant = self.app.animation_level == "none"
        if self.part.kind == "network":
            picture = self.query_one("#picture", PlotView)
            picture.border_subtitle = f"{plot.PLUS_POINT} +1  {plot.MINUS_POINT} −1  " \
                                      f"{plot.PLUS_REGION * 2} predicted +1"
            self.skipping = instant
            self.call_after_refresh(self._start_network)  # once laid out, so the grid fits the view
        else:
            if isinstance(picture := self.query_one_optional("#picture"), PlotView):
                picture.border_subtitle = (f"{plot.POINT} points  ┊ errors" if self.part.plot is not None
                                           else f"{plot.BALL} now  {plot.TRAIL} earlier steps")
            self._advance(1)
            if instant:
                self.action_skip()
            else:
                slow = 5 if self._low_bandwidth() else 1
                self.ticks = TICKS_PER_RUN // slow
                self.interval = self.step_interval * slow * max(1.0, self.ticks / max(self.total_steps, 1))
                self.timer = self.set_interval(self.interval, self._tick)
        self._draw()

    def _low_bandwidth(self) -> bool:
        return bool(getattr(self.app, "low_bandwidth", False))

    # --- a formula, on a timer ----------------------------------------------------------------

    def _tick(self) -> None:
        """One timer tick: a few steps early on, more and more later (steps done grow with the square
        of the time), so the first big moves can be watched and the long fine-tuning does not drag."""
        self.tick_count += 1
        target = math.ceil(self.total_steps * min(self.tick_count / self.ticks, 1.0) ** 2)
        self._advance(max(1, target - self.step_count))

    def _advance(self, count: int, budget: float = TICK_BUDGET) -> None:
        """Take up to `count` more steps of the formula's training, for at most `budget` seconds so
        the keys stay live on a long run (it then lags its schedule), then redraw."""
        if self.state in (DONE, FAILED):
            return
        deadline = time.monotonic() + budget
        try:
            for index in range(count):
                if index % 16 == 15 and time.monotonic() > deadline:
                    break
                step = next(self.steps, None)
                if step is None:
                    self._finish()
                    break
                self.latest = step
                self.losses.append(step.loss)
                self.step_count = step.step
                if len(self.part.parameters) == 1:
                    self.trail.append((step.params[self.part.parameters[0]], step.loss))
            else:
                if self.step_count >= self.total_steps:
                    self._finish()
        except TrainingError as error:
            self.state, self.message = FAILED, error.message
            self._stop_timer()
        self._draw()

    def _finish(self) -> None:
        self.state = DONE
        self._stop_timer()
        self.refresh_bindings()

    def _stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    # --- a network, in a worker thread --------------------------------------------------------

    def _train_network(self) -> None:
        """The worker: step, and post a picture now and then; waits while paused, stops when cancelled.

        The steps themselves run in the trainer's own process, so this thread mostly waits."""
        try:
            self._drive_network()
        finally:
            self.trainer.close()

    def _drive_network(self) -> None:
        from textual.worker import get_current_worker

        worker, trainer = get_current_worker(), self.trainer
        rate = LOW_BANDWIDTH_REDRAWS_PER_SECOND if self._low_bandwidth() else REDRAWS_PER_SECOND
        losses: list[float] = []
        last_post = -math.inf
        # the starting picture first, even when finishing at once: the data, and the untrained guess
        self._post(self._network_progress, 0, [], math.nan, trainer.score_grid(*self.grid_size))
        while not trainer.done:
            if not self.resume.is_set():  # show exactly where it stopped, then wait
                self._post(self._network_progress, trainer.steps_taken, list(losses), trainer.accuracy,
                           trainer.score_grid(*self.grid_size))
                self._post(self._set_waiting, True)
                while not self.resume.wait(0.1):
                    if worker.is_cancelled:
                        return
                self._post(self._set_waiting, False)
            if worker.is_cancelled:
                return
            try:
                loss, accuracy = trainer.step()
            except ArithmeticError as error:  # EngineError: a weight or the loss overflowed
                self._post(self._network_failed, trainer.steps_taken, str(error))
                return
            losses.append(loss)
            now = time.monotonic()
            if not self.skipping and now - last_post >= 1.0 / rate:
                last_post = now
                self._post(self._network_progress, trainer.steps_taken, list(losses), accuracy,
                           trainer.score_grid(*self.grid_size))
        loss, accuracy = trainer.evaluate()
        losses.append(loss)
        self._post(self._network_progress, trainer.steps_taken, losses, accuracy, trainer.score_grid(*self.grid_size))

    def _start_network(self) -> None:
        self.grid_size = self._grid_size()
        self.run_worker(self._train_network, thread=True, exit_on_error=False, group="training",
                        name="train network")

    def _post(self, callback: Callable, *args) -> None:
        """Run `callback(*args)` on the interface's thread, unless the screen or app is gone."""
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app stopped while the worker was still stepping
            pass

    def _network_failed(self, steps_taken: int, reason: str) -> None:
        if not self.is_attached:
            return
        self.state, self.step_count = FAILED, steps_taken
        self.message = (f"Training stopped at step {steps_taken}: {reason}. The step size "
                        f"{self.part.network.step_size:g} is too large for this network; try a smaller one.")
        self.refresh_bindings()
        self._draw()

    def _set_waiting(self, waiting: bool) -> None:
        self.worker_waiting = waiting

    def _network_progress(self, steps_taken: int, losses: list[float], accuracy: float,
                          grid: list[list[float]]) -> None:
        """Show what the worker posted: the step count, the loss so far, accuracy and the boundary."""
        if not self.is_attached:
            return
        self.step_count, self.losses, self.accuracy, self.grid = steps_taken, losses, accuracy, grid
        if steps_taken >= self.total_steps:
            self.state = DONE
            self.refresh_bindings()
        self._draw()

    def _grid_size(self) -> tuple[int, int]:
        width, height = self.query_one("#picture", PlotView).content_size
        return max(width, 8), max(height, 4)

    def on_resize(self) -> None:
        if self.part.kind == "network":
            self.call_after_refresh(self._resize_grid)

    def _resize_grid(self) -> None:
        self.grid_size = self._grid_size()

    # --- drawing --------------------------------------------------------------------------------

    def _draw(self) -> None:
        losses, total, log_scale = list(self.losses), self.total_steps, self.log_scale
        self.query_one("#loss", PlotView).paint(lambda w, h: plot.loss_curve(losses, total, w, h, log_scale))
        picture = self.query_one_optional("#picture")
        if isinstance(picture, PlotView):
            painter = self._picture_painter()
            if painter is not None:
                picture.paint(painter)
        self.query_one("#status", Static).update(self.status_text())

    def _picture_painter(self) -> Callable[[int, int], plot.Canvas] | None:
        part = self.part
        if part.kind == "network":
            if not self.grid:
                return None
            grid, data = self.grid, self.trainer.dataset
            return lambda w, h: plot.boundary(grid, data.points, data.labels, data.bounds())
        if self.latest is None:
            return None
        if part.plot is not None:
            slope, intercept = self.latest.params[part.plot.slope], self.latest.params[part.plot.intercept]
            return lambda w, h: plot.line_fit(part.plot.points, slope, intercept, w, h)
        name, trail = part.parameters[0], list(self.trail)
        low, high = self._landscape_span()
        inputs = {**self.inputs, **self.latest.params}

        def paint(width: int, height: int) -> plot.Canvas:
            samples = [low + (high - low) * i / (width * 2) for i in range(width * 2 + 1)]
            return plot.landscape([(x, loss_at(part, inputs, name, x)) for x in samples], trail, name, width, height)
        return paint

    def _landscape_span(self) -> tuple[float, float]:
        """The stretch of the one parameter drawn: everywhere it will go (looked up ahead once, at
        most LOOKAHEAD steps) with room either side, widened if it still heads out of it."""
        values = [value for value, _ in self.trail]
        if self.span is None:
            name, path = self.part.parameters[0], list(values)
            try:
                for step in train_steps(self.part, self.inputs, min(self.total_steps, LOOKAHEAD)):
                    path.append(step.params[name])
            except TrainingError:
                pass
            low, high = min(path), max(path)
            pad = max((high - low) * 0.5, 1.0)
            self.span = (low - pad, high + pad)
        low, high = self.span
        if min(values) < low or max(values) > high:
            width = high - low
            self.span = (min(low, min(values) - width / 2), max(high, max(values) + width / 2))
        return self.span

    def status_text(self) -> Content:
        """The status line: state (glyph and word), step, loss, and parameters or accuracy."""
        glyph, word, style = {TRAINING: ("▶", "training", "$accent"), PAUSED: ("⏸", "paused", "$warning"),
                              DONE: ("✓", "done", "$success"), FAILED: ("✗", "stopped", "$error")}[self.state]
        if self.state == TRAINING and self.skipping:
            word = "finishing"
        parts = [f"step {self.step_count} of {self.total_steps}"]
        if self.losses:
            parts.append(f"loss {describe_loss(self.losses[-1])}")
        if self.part.kind == "network":
            if not math.isnan(self.accuracy):
                parts.append(f"accuracy {self.accuracy:.0%}")
        elif self.latest is not None:
            parts.append(describe_params(self.latest))
        text = " · ".join(parts)
        if self.state == DONE:
            text += " · Enter to go on"
        if self.state == FAILED:
            text = self.message
        return Content.assemble((f"{glyph} {word} ", f"bold {style}"), text)

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "continue":
            return self.state in (DONE, FAILED) or None
        if action in ("toggle_pause", "skip"):
            return self.state in (TRAINING, PAUSED) or None
        return True

    def action_toggle_pause(self) -> None:
        """Pause the training where it is, or go on from there."""
        if self.state == TRAINING:
            self.state = PAUSED
            if self.part.kind == "network":
                self.resume.clear()
            elif self.timer is not None:
                self.timer.pause()
        elif self.state == PAUSED:
            self.state = TRAINING
            if self.part.kind == "network":
                self.resume.set()
            elif self.skipping:
                self._skip_some()
            elif self.timer is not None:
                self.timer.resume()
        self._draw()

    def action_skip(self) -> None:
        """Take every remaining step at once and show the end."""
        if self.state not in (TRAINING, PAUSED):
            return
        if self.part.kind == "network":
            self.skipping = True
            self.state = TRAINING
            self.resume.set()
            self._draw()
            return
        self.state = TRAINING
        self._stop_timer()
        self.skipping = True
        self._skip_some()

    def _skip_some(self) -> None:
        """Skip ahead: a short run all at once; a long one in slices, redrawn between them, so the
        interface answers keys (Escape) while it catches up."""
        if self.state != TRAINING:  # paused in the middle: Space goes on from here
            return
        remaining = self.total_steps + 1 - self.step_count
        if remaining <= SKIP_AT_ONCE:
            self._advance(remaining, budget=math.inf)
            return
        self._advance(remaining, budget=TICK_BUDGET)
        if self.state == TRAINING:
            self.set_timer(0.001, self._skip_some)

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

    def action_continue(self) -> None:
        """Go on: the caller's next step, or back where the screen came from."""
        if self.state not in (DONE, FAILED):
            return
        if self.on_done is not None:
            self.on_done()
        else:
            self.app.pop_screen()

    def action_back(self) -> None:
        """Leave the screen, stopping any training still running."""
        self._stop_worker()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        self._stop_timer()
        self._stop_worker()

    def _stop_worker(self) -> None:
        if self.part.kind == "network":
            self.app.workers.cancel_group(self, "training")
            self.resume.set()


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
