"""The training screen at 80x24: formulas and a network train live at the session's pace, pause,
step, change speed, skip, finish right and redraw on resize.

Every wait is on state (a step count, the session's phase, the worker finishing), never a sleep.
To show that a paused run stands still, the tests wait for an unrelated timer to tick several times.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from textual.app import App

from tui_grad.core.flow import TRAINING as TRAINING_RUN, LessonSession
from tui_grad.core.kinds.network import NetworkFlow
from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.parts import DONE as DONE_PHASE
from tui_grad.ui import plot
from tui_grad.ui.render import LeftLesson
from tui_grad.ui.train import DONE, FAILED, PAUSED, TRAINING, TrainScreen

from tests.core.test_network import NETWORK_LESSON
from tests.core.test_training import LINE_FIT, ONE_WEIGHT
from tests.ui.screen_text import screen_text

TINY_NETWORK = NETWORK_LESSON.replace('dataset = "moons"', 'dataset = "blobs"').replace(
    "samples = 60", "samples = 20").replace("hidden = [8, 8]", "hidden = [4]").replace("steps = 100", "steps = STEPS")
NEVER = 10_000.0
"""A time scale at which the pace's timer never fires within a test: only the keys move the run on."""


class TrainApp(App):
    """Pushes one TrainScreen over a session; counts its own ticks so tests can let time pass
    without sleeping."""

    def __init__(self, session: LessonSession | None = None, screen: TrainScreen | None = None,
                 **options) -> None:
        super().__init__()
        self.session, self.given_screen, self.options = session, screen, options
        self.finished = 0
        self.ticks = 0

    def on_mount(self) -> None:
        self.set_interval(0.01, self.count_tick)
        self.push_screen(self.given_screen or TrainScreen(self.session, self.done, **self.options))

    def on_left_lesson(self, _: LeftLesson) -> None:
        self.pop_screen()

    def count_tick(self) -> None:
        self.ticks += 1

    def done(self, session: LessonSession) -> None:
        self.finished += 1


def session_of(path) -> LessonSession:
    """A learner in the lesson at `path`, on its training part (nothing saved)."""
    session = LessonSession(load_lesson(path))
    assert session.phase == "watch"
    return session


async def wait_until(pilot, condition, limit: int = 100_000) -> None:
    """Let the app run until `condition()` holds (a bound on rounds, not on time)."""
    for _ in range(limit):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the condition never came true")


async def let_time_pass(pilot, app: TrainApp, ticks: int = 5) -> None:
    """Wait until the app's own 10 ms timer has ticked `ticks` more times."""
    start = app.ticks
    await wait_until(pilot, lambda: app.ticks >= start + ticks)


@pytest.fixture
def one_weight(write_lesson):
    return session_of(write_lesson(ONE_WEIGHT.replace("STEP_SIZE", "0.1").replace("STEPS", "30")))


@pytest.fixture
def line_fit(write_lesson):
    return session_of(write_lesson(LINE_FIT))


def network(write_lesson, steps: int) -> LessonSession:
    return session_of(write_lesson(TINY_NETWORK.replace("STEPS", str(steps)), "net.toml"))


@pytest.fixture
def tiny_network(write_lesson):
    return network(write_lesson, 30)


def gate_at(screen: TrainScreen, step: int) -> threading.Event:
    """Make the network's worker stop before `step` until the returned gate is opened, so a test
    can act at a known step however fast the machine trains."""
    gate, original = threading.Event(), screen.trainer.step

    def gated():
        if screen.trainer.steps_taken == step:
            gate.wait()
        return original()

    screen.trainer.step = gated
    return gate


def status(screen: TrainScreen) -> str:
    return str(screen.query_one("#status").render())


def footer(app: App) -> str:
    """The footer row, as the learner reads it, its labels written out in full (a footer too wide for
    80 columns writes Fast for Faster: see ui/chrome.py)."""
    from tui_grad.ui.chrome import SHORT_LABELS

    row = screen_text(app).splitlines()[-1]
    words = row.split(" ")
    full = {short: label for label, short in SHORT_LABELS.items() if short}
    return " ".join(full.get(word, word) for word in words)


async def test_one_weight_trains_to_two_and_enter_goes_on(one_weight):
    app = TrainApp(one_weight, time_scale=0.02)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        await wait_until(pilot, lambda: screen.state == DONE)
        assert screen.step_count == 30 and len(screen.losses) == 31
        assert screen.latest.params["w"] == pytest.approx(2 * (1 - 0.8 ** 30))
        assert all(later < earlier for earlier, later in itertools.pairwise(screen.losses))
        text = screen_text(app)
        assert "✓ done  step 30 of 30 · loss 6.13e-6 · w = 2.00   Enter: continue" in text
        assert "loss as w moves" in text and plot.BALL in screen.query_one("#picture").text()
        assert "Watch w approach 2." in text  # the part's text, Markdown marks dropped
        assert one_weight.phase == DONE_PHASE and one_weight.tutor.record.part_progress(0).updates == 30
        await pilot.press("enter")
        assert app.finished == 1


def test_a_short_run_takes_one_step_a_tick_and_a_long_one_more_later(one_weight, line_fit):
    """The pace is the flow's: each of 30 steps seen; 800 steps in about 100 ticks, few at first."""
    assert [one_weight.flow.steps_per_tick(position) for position in (0, 15, 29)] == [1, 1, 1]
    ticks, position = 0, 0
    while position < 800:
        position += line_fit.flow.steps_per_tick(position)
        ticks += 1
        if ticks == 10:
            assert position < 20  # the first big moves are watched step by step
    assert 85 <= ticks <= 110  # about 5 s at 0.05 s a tick


def test_the_small_network_is_slow_enough_to_watch(write_lesson):
    """Before: its 100 steps were over in 1.6 s. Now each step is drawn, 0.15 s apart at 1×."""
    from tui_grad.core.catalog import load_catalog

    session = LessonSession(load_catalog().find("small-network"))
    session.go_on()  # past the introduction
    assert isinstance(session.flow, NetworkFlow) and session.replay.kind == TRAINING_RUN
    assert session.flow.steps_per_tick(0) == 1 and session.flow.total_steps == 100
    assert session.tick_seconds * 100 >= 10  # seconds for the run at 1×
    session.slower()
    session.slower()
    assert session.tick_seconds * 100 >= 40 and "speed 0.25×" in str(session.status())
    for _ in range(5):
        session.faster()
    assert session.replay.speed == "10×" and session.tick_seconds * 100 <= 1.6


async def test_line_fit_lands_on_the_points(line_fit):
    app = TrainApp(line_fit, time_scale=0.02)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.state == DONE)
        params = screen.latest.params
        assert params["m"] == pytest.approx(2.0, abs=0.01) and params["b"] == pytest.approx(0.0, abs=0.02)
        assert "step 800 of 800" in status(screen) and "m = 2.00, b = 0.00" in status(screen)
        picture = screen.query_one("#picture").text()
        assert picture.count(plot.POINT) == 3 and "┊" not in picture  # on the line: no error strokes left
        assert "the line y = m·x + b" in screen_text(app)


async def test_early_on_the_line_is_far_from_the_points(line_fit):
    app = TrainApp(line_fit, time_scale=NEVER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.pause()
        assert screen.step_count == 0 and "step 0 of 800 · loss 56 · m = 0, b = 0" in status(screen)
        assert "▶ training" in status(screen) and "speed 1×" in status(screen)
        assert "┊" in screen.query_one("#picture").text()  # each point's error drawn to the line
        await pilot.press("enter")  # not done yet: Enter does nothing
        assert app.finished == 0 and app.screen is screen


async def test_formula_pause_stops_and_resume_goes_on(line_fit):
    app = TrainApp(line_fit, time_scale=1.0)  # the lesson's own pace: 100 ticks, 5 s
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.step_count >= 3)
        await pilot.press("space")
        assert screen.state == PAUSED and "⏸ paused" in status(screen) and screen.timer is None
        stopped_at = screen.step_count
        await let_time_pass(pilot, app, 10)
        assert screen.step_count == stopped_at
        await pilot.press("space")
        assert screen.state in (TRAINING, DONE)
        await wait_until(pilot, lambda: screen.step_count > stopped_at)


async def test_step_speed_and_the_status_while_paused(line_fit):
    """N takes exactly one update step and pauses; + and - show at once, paused or not, and change
    the timer's pace when it runs again."""
    app = TrainApp(line_fit, time_scale=NEVER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("n")
        assert screen.step_count == 1 and screen.state == PAUSED and "step 1 of 800" in status(screen)
        await pilot.press("n", "n")
        assert screen.step_count == 3 and line_fit.replay.position == 3
        assert "⏸ paused" in status(screen) and "speed 1×" in status(screen)
        await pilot.press("plus")
        assert "speed 2×" in status(screen) and screen.state == PAUSED and screen.step_count == 3
        await pilot.press("minus", "minus", "minus")
        assert "speed 0.25×" in status(screen)
        await pilot.press("space")
        assert screen.state == TRAINING and screen.timer_interval == pytest.approx(0.05 * NEVER * 4)
        await pilot.press("plus")
        assert "speed 0.5×" in status(screen) and screen.timer_interval == pytest.approx(0.05 * NEVER * 2)


async def test_the_footer_lists_the_training_keys_only_while_they_apply(line_fit):
    app = TrainApp(line_fit, time_scale=NEVER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        running = footer(app)
        for label in ("Pause", "Step", "Skip", "Faster", "Slower", "Lessons"):
            assert label in running, (label, running)
        assert "Continue" not in running and "Resume" not in running
        await pilot.press("space")
        await pilot.pause()
        assert "Resume" in footer(app) and "Pause" not in footer(app)  # the key says what it will do
        await pilot.press("space")
        await pilot.pause()
        assert "Pause" in footer(app) and "Resume" not in footer(app)
        await pilot.press("s")
        await wait_until(pilot, lambda: app.screen.state == DONE)  # a skip goes in slices of TICK_BUDGET
        # the footer's bindings are refreshed after the state changes, once the screen is idle
        await wait_until(pilot, lambda: "Continue" in footer(app))
        done = footer(app)
        assert "Continue" in done and "Lessons" in done
        for label in ("Pause", "Step", "Skip", "Faster", "Slower"):
            assert label not in done, (label, done)
        await pilot.press("space", "n", "plus")  # keys that no longer apply change nothing
        assert app.screen.step_count == 800 and line_fit.phase == DONE_PHASE


async def test_formula_skip_finishes_at_once(line_fit):
    app = TrainApp(line_fit, time_scale=NEVER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.state == DONE)  # no key needed: the slices run on their own
        assert screen.step_count == 800
        assert screen.latest.params["m"] == pytest.approx(2.0, abs=0.01)


async def test_a_long_skip_goes_in_slices_redrawn_between(write_lesson, monkeypatch):
    from tui_grad.ui import train

    monkeypatch.setattr(train, "TICK_BUDGET", 0.0)  # each slice: the smallest batch of steps
    session = session_of(write_lesson(ONE_WEIGHT.replace("STEP_SIZE", "0.1").replace("STEPS", "5000")))
    app = TrainApp(session, time_scale=NEVER)
    seen: list[str] = []  # the status on screen each time a slice's steps are handed to the session
    drawn = session.drawn
    monkeypatch.setattr(session, "drawn", lambda steps: (seen.append(status(app.screen)), drawn(steps)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        # Skip, then pause at once (Pilot.press waits for the app to go idle, which a skip in slices
        # only does at its end): pausing a skip holds it too.
        screen.action_flow("skip")
        screen.action_flow("toggle_pause")
        held = screen.step_count
        await let_time_pass(pilot, app, 5)
        assert screen.state == PAUSED and screen.step_count == held < 5000
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.state == DONE)
        finishing = [text for text in seen if "finishing" in text]
        assert len(finishing) > 10  # the interface got the loop back between slices
        assert screen.step_count == 5000 and screen.latest.params["w"] == pytest.approx(2.0)


async def test_no_animations_means_finished_on_arrival(line_fit):
    app = TrainApp(line_fit, time_scale=NEVER)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.screen.state == DONE)  # no key pressed: it skips on its own
        assert app.screen.step_count == 800


async def test_a_diverging_run_says_why(write_lesson):
    session = session_of(write_lesson(ONE_WEIGHT.replace("STEP_SIZE", "10").replace("STEPS", "1000")))
    app = TrainApp(session, time_scale=NEVER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await wait_until(pilot, lambda: app.screen.state == FAILED)
        assert "too large" in status(app.screen) and "✗ stopped" in status(app.screen)
        assert "too large" in session.failure
        await pilot.press("enter")
        assert app.finished == 1


async def test_text_toggle_shows_the_whole_part_text(write_lesson):
    long_text = ONE_WEIGHT.replace("STEP_SIZE", "0.1").replace("STEPS", "30").replace(
        'text = "Watch **w** approach 2."', 'text = """Watch **w** approach 2.\n\nA second paragraph to read."""')
    app = TrainApp(session_of(write_lesson(long_text)), time_scale=NEVER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Watch w approach 2. … (t: whole text)" in screen_text(app)
        assert "A second paragraph" not in screen_text(app)
        await pilot.press("t")
        assert "A second paragraph to read." in screen_text(app) and "step 0 of 30" in screen_text(app)
        await pilot.press("t")
        assert "loss as w moves" in screen_text(app)


async def test_log_scale_toggle(line_fit):
    app = TrainApp(line_fit, time_scale=NEVER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await wait_until(pilot, lambda: app.screen.state == DONE)
        await pilot.press("l")
        assert "loss (log scale)" in screen_text(app)
        assert "1e-6" in app.screen.query_one("#loss").text()


async def test_network_trains_at_the_pace_to_the_end(tiny_network):
    app = TrainApp(tiny_network, time_scale=0.01)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.state == DONE)
        await app.workers.wait_for_complete()
        assert screen.step_count == 30 and len(screen.losses) == 31
        assert screen.losses[-1] < screen.losses[0] / 5
        assert screen.accuracy == 1.0 and "step 30 of 30" in status(screen) and "accuracy 100%" in status(screen)
        view = screen.query_one("#picture")
        assert (len(screen.grid[0]), len(screen.grid)) == tuple(view.content_size)  # fills its view
        picture = view.text()
        assert plot.PLUS_POINT in picture and plot.MINUS_POINT in picture and plot.PLUS_REGION in picture
        text = screen_text(app)
        assert "decision boundary" in text and "● +1  ○ −1" in text
        await pilot.press("enter")
        assert app.finished == 1


async def test_network_waits_for_the_pace_and_steps_one_at_a_time(tiny_network):
    """With the timer never firing, the worker stands at step 0; each N lets exactly one step through."""
    screen = TrainScreen(tiny_network, time_scale=NEVER)
    app = TrainApp(screen=screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: screen.worker_waiting and screen.grid)
        await let_time_pass(pilot, app, 5)
        assert screen.trainer.steps_taken == 0 and screen.step_count == 0
        for expected in (1, 2, 3):
            await pilot.press("n")
            await wait_until(pilot, lambda expected=expected: screen.step_count == expected and screen.worker_waiting)
            assert screen.trainer.steps_taken == expected
        assert screen.state == PAUSED and "⏸ paused" in status(screen) and "step 3 of 30" in status(screen)
        await pilot.press("minus")
        assert "speed 0.5×" in status(screen) and screen.trainer.steps_taken == 3
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.state == DONE)
        assert screen.step_count == 30


async def test_network_pause_holds_the_worker_and_resume_finishes(write_lesson):
    session = network(write_lesson, 400)
    screen = TrainScreen(session, time_scale=0.01)
    gate = gate_at(screen, 3)
    app = TrainApp(screen=screen)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: screen.trainer.steps_taken == 3)  # held at the gate
            await pilot.press("space")
            assert screen.state == PAUSED and "⏸ paused" in status(screen)
            gate.set()
            await wait_until(pilot, lambda: screen.worker_waiting and screen.step_count == screen.trainer.steps_taken)
            stopped_at = screen.trainer.steps_taken
            assert stopped_at == 4  # the step under way when paused, and the screen shows it
            await let_time_pass(pilot, app, 10)
            assert screen.trainer.steps_taken == stopped_at and screen.state == PAUSED
            await pilot.press("space")
            await wait_until(pilot, lambda: screen.trainer.steps_taken > stopped_at)
            await pilot.press("s")
            await wait_until(pilot, lambda: screen.state == DONE)
            await app.workers.wait_for_complete()
            assert screen.step_count == 400 and "step 400 of 400" in status(screen)
    finally:
        gate.set()


async def test_network_escape_stops_the_worker(write_lesson):
    screen = TrainScreen(network(write_lesson, 10000), time_scale=0.01)
    gate = gate_at(screen, 2)
    app = TrainApp(screen=screen)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: screen.trainer.steps_taken == 2)
            await pilot.press("escape")
            assert app.screen is not screen
            gate.set()
            await app.workers.wait_for_complete()
            assert screen.trainer.steps_taken <= 3 and app.finished == 0
    finally:
        gate.set()


async def test_network_that_blows_up_says_why(tiny_network):
    from tui_grad.engine import EngineError

    screen = TrainScreen(tiny_network, time_scale=0.01)
    original = screen.trainer.step

    def overflowing():
        if screen.trainer.steps_taken == 2:
            raise EngineError("exp", ("w",), "w is too large; exp overflows a float")
        return original()

    screen.trainer.step = overflowing
    app = TrainApp(screen=screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: screen.state == FAILED)
        await app.workers.wait_for_complete()
        assert "✗ stopped" in status(screen) and "step 2" in status(screen) and "too large" in status(screen)


async def test_network_finishing_at_once_still_shows_the_start_and_the_end(tiny_network, monkeypatch):
    screen = TrainScreen(tiny_network)
    shown: list[int] = []  # each step count the screen draws and tells the session it drew
    drawn = tiny_network.drawn
    monkeypatch.setattr(tiny_network, "drawn", lambda steps: (shown.append(steps), drawn(steps)))
    app = TrainApp(screen=screen)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: screen.state == DONE)
        await app.workers.wait_for_complete()
        # the untrained guess, then the end, nothing in between (the end is told twice: drawn, then trained)
        assert list(dict.fromkeys(shown)) == [0, 30]


async def test_network_low_bandwidth_finishes_at_once(tiny_network):
    app = TrainApp(tiny_network)
    app.low_bandwidth = True
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.screen.state == DONE)
        await app.workers.wait_for_complete()
        assert app.screen.step_count == 30


@pytest.mark.parametrize("finished", [False, True], ids=["paused mid-run", "after the run"])
async def test_the_boundary_is_scored_again_at_the_new_size(tiny_network, finished):
    """Before: after a run at 160x50, shrinking to 80x24 left a cropped boundary, and growing left
    the small canvas in a corner."""
    screen = TrainScreen(tiny_network, time_scale=NEVER)
    app = TrainApp(screen=screen)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("n", "n")
        if finished:
            await pilot.press("s")
            await wait_until(pilot, lambda: screen.state == DONE)
        await wait_until(pilot, lambda: screen.step_count == (30 if finished else 2) and screen.grid)
        view = screen.query_one("#picture")
        big = tuple(view.content_size)
        assert (len(screen.grid[0]), len(screen.grid)) == big
        for size in ((80, 24), (120, 40)):
            await pilot.resize_terminal(*size)
            # the picture takes its new size, then the grid is scored again at it (the old grid
            # matches the old size until the layout has caught up, so wait for both)
            await wait_until(pilot, lambda: tuple(view.content_size) != big
                             and (len(screen.grid[0]), len(screen.grid)) == tuple(view.content_size))
            lines = view.text().splitlines()
            assert len(lines) == view.content_size.height and all(len(row) == view.content_size.width for row in lines)
        assert screen.step_count == (30 if finished else 2)


# --- the pictures, as plain text -----------------------------------------------------------------


def test_loss_curve_labels_and_falls():
    canvas = plot.loss_curve([4.0, 1.0, 0.25, 0.0625], 3, 20, 8)
    lines = canvas.lines()
    assert lines[0].startswith("4┤") and lines[-3].startswith("0┤")
    assert lines[-2].startswith(" └") and lines[-1].split() == ["0", "step", "3"]
    first_dot_row = next(row for row, line in enumerate(lines) if line[2] != " ")
    assert first_dot_row == 0  # starts at the top-left


def test_line_fit_marks_points_and_errors():
    far = plot.line_fit([(1, 2), (2, 4), (3, 6)], 0.0, 0.0, 30, 12).lines()
    near = plot.line_fit([(1, 2), (2, 4), (3, 6)], 2.0, 0.0, 30, 12).lines()
    assert sum(line.count(plot.POINT) for line in far) == 3 and any("┊" in line for line in far)
    assert not any("┊" in line for line in near)


def test_boundary_reads_without_colour():
    scores = [[1.0, 1.0, -1.0, -1.0]] * 2
    canvas = plot.boundary(scores, [(0.5, 1.5), (3.5, 0.5)], [1, -1], (0.0, 4.0, 0.0, 2.0))
    assert canvas.lines() == ["●·  ", "·· ○"]
    assert canvas.runs()[0] == [("●", "point-plus-right"), ("·", "region-plus"), ("  ", "region-minus")]


@pytest.mark.parametrize("value, text", [(56.0, "56"), (0.25, "0.25"), (1234.5, "1234"), (25000, "25k"),
                                         (3e-5, "3e-5"), (0.0, "0")])
def test_tick_labels_are_short(value, text):
    assert plot.tick(value) == text and len(text) <= 6


async def test_leaving_mid_run_and_coming_back_starts_the_run_again(write_lesson, tmp_path):
    """Esc mid-training goes back to the lessons; reopened, the run starts over at the lesson's
    pace with its keys, and finishing it finishes the lesson."""
    from tui_grad.core.catalog import load_catalog
    from tui_grad.core.progress import ProgressStore
    from tui_grad.ui.app import TuiGradApp
    from tui_grad.ui.home import HomeScreen

    folder = write_lesson(ONE_WEIGHT.replace("STEP_SIZE", "0.1").replace("STEPS", "30")).parent
    store = ProgressStore(tmp_path / "home").load()
    app = TuiGradApp(load_catalog(folder), step_interval=NEVER, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("one-weight")
        await pilot.pause()
        await pilot.press("n", "n")
        assert isinstance(app.screen, TrainScreen) and app.screen.step_count == 2
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and not store.lessons["one-weight"].finished
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrainScreen) and screen.step_count == 0 and screen.state == TRAINING
        assert "Pause" in footer(app) and "speed 1×" in status(screen)
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.state == DONE)
        await pilot.press("enter")
        await pilot.pause()
        assert store.lessons["one-weight"].finished and not isinstance(app.screen, TrainScreen)  # the recap
