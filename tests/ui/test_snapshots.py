"""What a learner sees on the main screens at 80x24, compared with pictures a person has checked
(pytest-textual-snapshot: `tests/ui/__snapshots__/test_snapshots/*.svg`; after a change that is
meant to show, look at them again and run `.venv/bin/python -m pytest tests/ui/test_snapshots.py
--snapshot-update`).

Plain `def` tests, as the plugin runs the app itself. Nothing on these screens may move between
runs: the replay's timer never fires (a step interval of an hour; the learner steps it by hand),
the answer field's cursor does not blink (Input.cursor_blink off), animations are off, training is
skipped to its end, and the class view reads a frozen clock."""

from __future__ import annotations

import time
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.ui import classview
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.chrome import Footer, shown_keys
from tui_grad.ui.classview import ClassApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.train import DONE, TrainScreen

from tests.ui.test_curriculum_walk import finish_part
from tests.ui.test_exercise_app import ANSWERS

SIZE = (80, 24)
AN_HOUR = 3600.0
"""The replay's step interval: its timer never fires during a test, so only keys move it."""
MOMENT = 1_800_000_000.0
"""The frozen clock: 2027-01-15 08:00 UTC."""


def still_app(tmp_path: Path, animated: bool = False) -> TuiGradApp:
    """The tutor with no saved progress and a replay that moves only by keys; no animation unless
    `animated` (without animation a replay is over as it starts, as TEXTUAL_ANIMATIONS=none asks)."""
    app = TuiGradApp(load_catalog(), step_interval=AN_HOUR, store=ProgressStore(tmp_path / "home").load())
    if not animated:
        app.animation_level = "none"
    return app


async def settle(pilot: Pilot) -> None:
    """Let the screen finish what it is doing, then stop every text cursor from blinking."""
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def open_question(pilot: Pilot) -> ExerciseScreen:
    """The chain-rule lesson's first question, from the list of lessons."""
    app = pilot.app
    assert isinstance(app, TuiGradApp)
    app.open_lesson("chain-rule")
    await pilot.pause()
    await pilot.press("enter")  # past the introduction
    await pilot.pause()
    assert isinstance(app.screen, ExerciseScreen)
    return app.screen


def test_home(snap_compare, tmp_path):
    assert snap_compare(still_app(tmp_path), terminal_size=SIZE, run_before=settle)


def test_a_question_answered_wrong(snap_compare, tmp_path):
    async def wrong_answer(pilot: Pilot) -> None:
        await open_question(pilot)
        await pilot.press("9", "enter")
        await settle(pilot)
        assert "✗ Wrong" in str(pilot.app.screen.query_one("#feedback").render())

    assert snap_compare(still_app(tmp_path), terminal_size=SIZE, run_before=wrong_answer)


def test_a_step_of_the_replay(snap_compare, tmp_path):
    async def third_step(pilot: Pilot) -> None:
        screen = await open_question(pilot)
        while (asked := screen.session.asked) is not None:
            await pilot.press(*ANSWERS[asked], "enter")
            await pilot.pause()
        await pilot.press("n", "n", "n")  # three steps of the backward pass, by hand
        await settle(pilot)
        assert screen.session.replay is not None and not screen.session.replay.done

    assert snap_compare(still_app(tmp_path, animated=True), terminal_size=SIZE, run_before=third_step)


def test_a_finished_training_run(snap_compare, tmp_path):
    async def trained(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, TuiGradApp)
        app.open_lesson("line-fit")
        await pilot.pause()
        await pilot.press("enter")  # past the introduction
        await pilot.pause()
        for _ in range(10):  # answer the parts before the training run (line-fit has one)
            if isinstance(app.screen, TrainScreen):
                break
            await finish_part(app, pilot)
        await pilot.press("s")
        screen = app.screen
        for _ in range(100_000):  # a skip goes in slices: a bound on rounds, not on time
            if screen.state == DONE:
                break
            await pilot.pause()
        assert screen.state == DONE
        footer = screen.query_one(Footer)
        for _ in range(1_000):  # the footer is built anew for the finished run's keys, in full where they fit
            await pilot.pause()
            if footer.keys_drawn == shown_keys(screen) and footer.needed_width() <= footer.size.width:
                break
        await settle(pilot)

    assert snap_compare(still_app(tmp_path), terminal_size=SIZE, run_before=trained)


class FrozenClock:
    """The class view's `time`: always MOMENT (it says how long ago each learner worked)."""

    @staticmethod
    def time() -> float:
        return MOMENT

    @staticmethod
    def strftime(form: str) -> str:
        return time.strftime(form, time.gmtime(MOMENT))


def test_the_class_view(snap_compare, tmp_path, monkeypatch):
    class_dir = tmp_path / "class"
    with monkeypatch.context() as clock:
        clock.setattr(time, "time", lambda: MOMENT - 300)  # their answers, five minutes before the view
        ada = ProgressStore(class_dir / "ada").load()
        for node, text, right in (("L", "1", True), ("d", "2", False), ("d", "-2", True)):
            ada.record({"lesson": "chain-rule", "part": 1, "node": node, "text": text, "value": float(text),
                        "correct": right, "mistake": None if right else "sign", "at": MOMENT - 300})
        ada.lesson("chain-rule").part = 0
        assert ada.save() is None
        bob = ProgressStore(class_dir / "bob").load()
        bob.record({"lesson": "chain-rule", "part": 1, "node": "L", "text": "1", "value": 1.0, "correct": True,
                    "at": MOMENT - 7200})
        assert bob.save() is None
    monkeypatch.setattr(classview, "time", FrozenClock)
    monkeypatch.chdir(tmp_path)  # the view names its folder as given: "class", the same every run

    async def read(pilot: Pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)

    app = ClassApp(Path("class"), load_catalog(), interval=AN_HOUR)
    assert snap_compare(app, terminal_size=SIZE, run_before=read)

