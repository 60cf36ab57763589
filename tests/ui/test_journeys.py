"""The journeys around the exercises, in both faces: leaving and coming back, reopening finished
lessons, replays, updates, --seed and review. Every one of these was broken before the lesson flow
moved into `tui_grad.core.flow`; each test walks the app with Pilot and line mode with a script."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import RUN, LessonSession
from tui_grad.core.parts import REPLAY
from tui_grad.core.progress import ProgressStore
from tui_grad.core.views import CONTINUE, LEAVE, REVEAL, SKIP, UPDATE, text_of
from tui_grad.plain import run_plain
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen
from tui_grad.ui.page import PageScreen
from tui_grad.ui.train import TrainScreen

from tests.core.test_your_engine_kind import write_rules

CATALOG = load_catalog()


def plain(lines: list[str], home: Path, lesson: str | None, seed: int | None = None) -> str:
    """Line mode with these input lines; everything it printed."""
    out = io.StringIO()
    run_plain(CATALOG, lesson, ProgressStore(home).load(), seed,
              stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=out)
    return out.getvalue()


def record(home: Path, lesson: str) -> dict:
    """The lesson's saved record, without its timestamp."""
    data = ProgressStore(home).load().lesson(lesson).to_json()
    data.pop("updated", None)
    return data


async def press_until_home(app, pilot, limit: int = 400) -> None:
    """Walk the open lesson to its end as a learner who asks to be shown each answer would."""
    for _ in range(limit):
        screen = app.screen
        if isinstance(screen, HomeScreen):
            return
        if isinstance(screen, ExerciseScreen):
            session = screen.session
            if session.asked:
                await pilot.press("ctrl+r")
            elif session.replay is not None and not session.replay.done:
                await pilot.press("s")
            else:
                await pilot.press("enter")
        elif isinstance(screen, TrainScreen):
            await pilot.press("s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("enter")
        else:
            await pilot.press("enter")
        await pilot.pause()
    raise AssertionError(f"the lesson never ended; stuck on {app.screen}")


def log_decisions(monkeypatch) -> list[tuple[str, str, tuple[str, ...]]]:
    """Record each learner decision a face sends the session, with the phase and the actions open."""
    log: list[tuple[str, str, tuple[str, ...]]] = []
    for name in ("answer", "hint", "reveal", "update", "go_on", "restart", "trained"):
        original = getattr(LessonSession, name)

        def wrapped(self, *args, _original=original, _name=name):
            log.append((_name, self.phase, self.allowed))
            return _original(self, *args)

        monkeypatch.setattr(LessonSession, name, wrapped)
    return log


@pytest.mark.parametrize("lesson", [lesson.id for lesson in CATALOG.lessons])
async def test_both_faces_offer_the_same_actions_and_save_the_same_state(lesson, tmp_path, monkeypatch):
    """The parity test: the same journey (every answer shown, every replay to its end, on to the
    recap) in the app and in line mode meets the same choices and leaves the same saved record."""
    if lesson == "your-engine":  # it runs the rules the learner wrote in backward-rules
        write_rules(tmp_path / "plain")
        write_rules(tmp_path / "app")
    log = log_decisions(monkeypatch)
    plain(["show", ""] * 200, tmp_path / "plain", lesson)
    plain_log, log[:] = list(log), []

    app = TuiGradApp(CATALOG, step_interval=0.01, store=ProgressStore(tmp_path / "app").load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson(lesson)
        await pilot.pause()
        await press_until_home(app, pilot)

    assert log == plain_log
    assert record(tmp_path / "app", lesson) == record(tmp_path / "plain", lesson)
    assert record(tmp_path / "app", lesson)["finished"]


@pytest.mark.parametrize("lesson", ["two-paths", "partial-derivatives", "chain-rule"])
async def test_a_lesson_left_after_its_replay_goes_on_when_reopened(lesson, tmp_path):
    """Before: reopened after the replay, Enter and U did nothing and the footer showed only Esc."""
    store = ProgressStore(tmp_path).load()
    app = TuiGradApp(CATALOG, step_interval=0.01, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson(lesson)
        await pilot.pause()
        if isinstance(app.screen, PageScreen):
            await pilot.press("enter")
            await pilot.pause()
        while app.screen.session.asked:
            await pilot.press("ctrl+r")
            await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        app.open_lesson(lesson)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen) and screen.session.phase == REPLAY
        await pilot.press("s")
        await pilot.pause()
        assert CONTINUE in screen.session.allowed
        assert "continue" in app.screen.query_one("#status").render().plain.lower()
        part = screen.session.part_index
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen and (getattr(app.screen, "session", None) is None
                                             or app.screen.session.part_index != part
                                             or app.screen.session.phase == "outro")

    home = tmp_path / "plain"
    plain(["show"] * 10 + ["lessons"], home, lesson)  # line mode: leave right after the replay
    out = plain(["", "show", ""] * 30, home, lesson)
    assert "Resuming at part 1" in out and "Enter to continue" in out and "Lesson finished" in out


async def two_paths_all_shown(app: TuiGradApp, pilot):
    """two-paths past its introduction with every answer shown: its replay comes next."""
    app.open_lesson("two-paths")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    session = app.screen.session
    while session.asked:
        await pilot.press("ctrl+r")
        await pilot.pause()
    return session


async def test_the_last_backward_step_stays_on_screen_with_the_summary(tmp_path):
    app = TuiGradApp(CATALOG, step_interval=30, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        session = await two_paths_all_shown(app, pilot)
        steps = session.flow.exercise.steps
        for _ in steps:
            await pilot.press("n")
            await pilot.pause()
        last = steps[-1]
        # the last step is shown as a step, its edge lit, before the pass is called done
        status = str(app.screen.query_one("#status").render())
        assert f"Step {len(steps)} of {len(steps)}" in status and "done" not in status
        assert session.active_edge == (last.node, last.child)
        assert "You earned" not in str(app.screen.query_one("#feedback").render())
        await pilot.press("n")
        await pilot.pause()
        feedback = str(app.screen.query_one("#feedback").render())
        assert f"{last.child}.grad +=" in feedback and "You earned" in feedback
        assert "Backward pass done" in str(app.screen.query_one("#status").render())
    assert f"{last.child}.grad +=" in plain(["show"] * 3, tmp_path / "p", "two-paths")


async def test_leaving_a_reopened_finished_lesson_keeps_it_finished(tmp_path):
    plain(["show", ""] * 100, tmp_path, "line-fit")
    assert record(tmp_path, "line-fit")["finished"]
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("line-fit")
        await pilot.pause()
        assert isinstance(app.screen, PageScreen) and "finished this lesson before" in str(
            app.screen.query_one("#text").render())
        await pilot.press("escape")
        await pilot.pause()
    assert record(tmp_path, "line-fit")["finished"]
    out = plain(["lessons"], tmp_path, "line-fit")
    assert "You finished this lesson before" in out
    assert record(tmp_path, "line-fit")["finished"]


def test_an_update_is_offered_only_where_it_gives_nothing_away():
    first_graph = LessonSession(CATALOG.find("first-graph"))
    first_graph.go_on()
    while first_graph.asked:
        first_graph.reveal()
    first_graph.skip()
    assert UPDATE not in first_graph.allowed  # part 2 asks for that very step by hand
    neuron = LessonSession(CATALOG.find("neuron"))
    neuron.go_on()
    while neuron.asked:
        neuron.reveal()
    neuron.skip()
    assert UPDATE not in neuron.allowed  # no step size: no update
    chain = LessonSession(CATALOG.find("chain-rule"))
    chain.go_on()
    while chain.asked:
        chain.reveal()
    chain.skip()
    assert UPDATE in chain.allowed


def test_boxes_give_nothing_away_and_marks_say_how_each_answer_was_got():
    session = LessonSession(CATALOG.find("loss-descent"))
    session.go_on()
    boxes = {node.name: node for node in session.nodes()}
    assert boxes["y"].grad == "" and boxes["x"].grad == ""  # leaves not asked: no gradient to copy
    session.answer("1")
    session.reveal()
    while session.asked:
        session.answer(str(session.flow.exercise.expected(session.asked)))
    session.skip()
    boxes = {node.name: node for node in session.nodes()}
    assert boxes["e"].state == "shown" and boxes["L"].state == "found"
    assert boxes["y"].state == "given" and boxes["y"].grad == "4"  # after the replay: the engine's, not "found"


def test_seeded_lesson_text_quotes_the_learners_own_numbers(tmp_path):
    session = LessonSession(CATALOG.find("chain-rule"), seed=7)
    values = session.tutor.inputs()
    intro = text_of(session.message)
    assert values != {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
    assert "**a = 2**" not in intro and f"a = {values['a']:g}" in intro
    out = plain(["show", ""] * 30, tmp_path, "chain-rule", seed=7)
    # the recap reports the steps taken with the learner's numbers: here none (Enter, no U)
    assert "-7.286496" not in out and "you took no update step, so L stayed at" in out
    assert "stayed at -8" not in out


async def test_review_uses_fresh_numbers_and_is_not_a_lesson(tmp_path):
    store = ProgressStore(tmp_path).load()
    app = TuiGradApp(CATALOG, step_interval=0.01, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("chain-rule")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for answer in ("1", "5", "-2"):  # dL/dd wrong first: product is due for review
            await pilot.press(*answer, "enter")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        session = app.screen.session
        assert session.review == "product"
        await press_until_home(app, pilot)
        assert isinstance(app.screen, HomeScreen)
    saved = json.loads((tmp_path / "progress.json").read_text())
    assert not any(key.startswith("review-") for key in saved.get("lessons", {}))
    assert any(attempt.get("lesson", "").startswith("review-") for attempt in ProgressStore(tmp_path).load().attempts)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_header_never_cuts_its_title_for_the_subtitle(tmp_path, size):
    """Practice's title carries the level, the streak and the skill: at 80 columns the subtitle
    gives way for them; at 120 there is room for both."""
    from tests.ui.screen_text import screen_text

    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load(), step_interval=0.01)
    async with app.run_test(size=size) as pilot:
        app.open_practice(level=1, seed=3)
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        title = app.screen.session.title
        assert title in header and "streak 0 of 3" in title and "…" not in header
        assert ("find each gradient" in header) == (size[0] == 120)


async def test_a_lesson_left_after_its_replay_keeps_the_chosen_speed(tmp_path):
    """Esc after a finished replay and back restarted it at 1×: the speed the learner chose was lost."""
    app = TuiGradApp(CATALOG, step_interval=30, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        session = await two_paths_all_shown(app, pilot)
        await pilot.press("plus", "plus")
        await pilot.pause()
        assert session.replay.speed == "4×"
        await pilot.press("s")
        await pilot.pause()
        assert session.replay.done
        await pilot.press("escape")
        await pilot.pause()
        app.open_lesson("two-paths")
        for _ in range(20):
            await pilot.pause()
            if getattr(app.screen, "session", None) is not None and app.screen.session is not session:
                break
        again = app.screen.session
        assert again is not session and again.replay is not None and again.replay.speed == "4×"


async def test_a_training_run_left_after_it_ran_comes_back_as_a_run_in_both_faces(tmp_path):
    session = LessonSession(CATALOG.find("line-fit"), ProgressStore(tmp_path).load())
    while session.screen != RUN:  # through the two parts by hand, each answer shown
        action = REVEAL if session.asked else SKIP if SKIP in session.allowed else CONTINUE
        assert session.act(action)
    session.act(LEAVE)
    out = plain(["lessons"], tmp_path, "line-fit")
    assert "Resuming at part 3 of 3" in out and "Training: 800 descent steps" in out and "After 800 steps" in out
    assert record(tmp_path, "line-fit")["part"] == 2 and not record(tmp_path, "line-fit")["finished"]
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("line-fit")
        await pilot.pause()
        assert isinstance(app.screen, TrainScreen) and app.screen.session.part_index == 2
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.step_count == 800 and "✓ done" in str(app.screen.query_one("#status").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert record(tmp_path, "line-fit")["part"] == 2 and not record(tmp_path, "line-fit")["finished"]
    out = plain(["", "", ""], tmp_path, "line-fit")
    assert "Resuming at part 3 of 3" in out and "After 800 steps" in out and "Lesson finished: Fitting a line" in out
    assert record(tmp_path, "line-fit")["finished"]


@pytest.mark.parametrize("level", [9, 10])
async def test_practice_left_mid_exercise_at_a_new_level_comes_back_in_both_faces(tmp_path, level):
    """Level 9 (a layer) and 10 (a neuron, its loss, a step), left after the first answer in the app,
    resume in line mode at the second, and left there resume in the app at the third, with the
    gradients found so far in the graph."""
    from tui_grad.core.exercise import format_number

    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_practice(level=level)
        await pilot.pause()
        session = app.screen.session
        exercise = session.flow.exercise
        first, second, third = exercise.order[:3]
        assert f"Practice · level {level}" in session.title and exercise.current == first
        seed = session.tutor.extra["seed"]
        await pilot.press(*format_number(exercise.expected(first)), "enter")
        await pilot.pause()
        assert exercise.current == second
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    answer = format_number(exercise.expected(second))
    out = plain(["p", answer, "quit"], tmp_path, None)
    asked = session.flow.prompt(second)
    assert f"Practice · level {level}" in out and f"Resuming at part 1 of 1, question {asked}." in out
    assert f"{session.flow.prompt(second)} = {answer}\nRight." in out
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, ExerciseScreen) and again.session.tutor.extra["seed"] == seed
        assert again.session.flow.exercise.current == third
        grads = {view.name: view.grad for view in again.session.flow.nodes({})}
        found = {exercise.gradient_questions.get(name, name) if level == 10 else name for name in (first, second)}
        assert all(grads[name] for name in found)
        assert level == 10 or not grads[third]  # at level 10 the step is asked, every gradient now in view
        assert "back where you left off" in screen_text_of(app)


def screen_text_of(app) -> str:
    from tests.ui.screen_text import screen_text

    return screen_text(app)
