"""A learner walks every shipped lesson in the real app at 80x24, and comes back after a restart."""

from __future__ import annotations

import pytest

from tui_grad.core.bughunt import WHICH, BugHuntExercise
from tui_grad.core.catalog import load_catalog
from tui_grad.core.exercise import GradientExercise, format_number
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.order_exercise import OrderExercise
from tui_grad.core.progress import ProgressStore
from tui_grad.core.rule_exercise import RuleExercise, answer_of
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen
from tui_grad.ui.page import PageScreen
from tui_grad.ui.train import DONE, FAILED

from tests.ui.screen_text import screen_text

CATALOG = load_catalog()


def right_answer(screen: ExerciseScreen) -> str:
    """What a learner who knows the answer types for the question on screen."""
    exercise = screen.session.flow.exercise
    name = exercise.current
    if isinstance(exercise, BugHuntExercise) and name == WHICH:
        return exercise.culprit
    if isinstance(exercise, RuleExercise):
        return answer_of(name)
    if isinstance(exercise, OrderExercise):
        return " ".join(exercise.right_order())
    value = exercise.expected(name) if isinstance(exercise, GradientExercise) else exercise.move(name).after
    return format_number(value)


async def finish_part(app, pilot) -> None:
    """Answer or watch the part on screen to its end, then continue."""
    screen = app.screen
    if isinstance(screen, ExerciseScreen):
        while screen.session.flow.exercise.current is not None:
            if screen.session.asked is None:  # a bug hunt shows the buggy pass before it asks
                await pilot.press("s", "enter")
            else:
                await pilot.press(*right_answer(screen), "enter")
            await pilot.pause()
        await pilot.press("s")  # skip what the engine replays
        await pilot.pause()
    else:  # a training screen: a skip runs in slices (or a worker), and Enter continues once it is done
        await pilot.press("s")
        await app.workers.wait_for_complete()
        for _ in range(100_000):  # a bound on rounds, not on time
            if screen.state in (DONE, FAILED):
                break
            await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("lesson", CATALOG.lessons, ids=[lesson.id for lesson in CATALOG.lessons])
async def test_walk_through_every_lesson(tmp_path, lesson):
    store = ProgressStore(tmp_path).load()
    app = TuiGradApp(CATALOG, step_interval=0.01, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson(lesson.id)
        await pilot.pause()
        if lesson.intro:
            assert isinstance(app.screen, PageScreen)
            await pilot.press("enter")
            await pilot.pause()
        for index, part in enumerate(lesson.parts):
            assert app.screen.__class__.__name__ == ("ExerciseScreen" if kind_of(part).asks
                                                      else "TrainScreen"), (index, part.kind)
            await finish_part(app, pilot)
        assert isinstance(app.screen, PageScreen), "the recap follows the last part"
        assert ProgressStore(tmp_path).load().lessons[lesson.id].finished


async def test_restarted_app_resumes_mid_lesson(tmp_path):
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("chain-rule")
        await pilot.pause()
        await pilot.press("enter")  # past the introduction
        await pilot.pause()
        for answer in ("1", "-2", "5"):  # two right, then a wrong one for f
            await pilot.press(*answer, "enter")
            await pilot.pause()
        await pilot.press("ctrl+g")  # and a hint
        await pilot.pause()

    again = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())  # a new process, as after a dropped link
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = again.screen
        assert isinstance(home, HomeScreen)
        text = screen_text(again)
        assert "in progress (2 found)" in text
        assert "Skills:" in text and "product" in text
        await pilot.press("down")  # the lesson left last is highlighted; Enter opens it
        highlighted = home.query_one("#lessons").highlighted
        assert CATALOG.lessons[home.resume_index()].id == "chain-rule"
        home.query_one("#lessons").highlighted = home.resume_index()
        await pilot.press("enter")
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, ExerciseScreen), "a started lesson skips its introduction"
        assert screen.session.flow.exercise.current == "f" and screen.session.flow.exercise.hints == {"f": 1}
        assert "Find dL/df" in screen_text(again) and "back where you left off" in screen_text(again)
        assert highlighted is not None
        await pilot.press("4", "enter")
        await pilot.pause()
        assert screen.session.flow.exercise.current == "e"
        assert format_number(screen.session.flow.exercise.answers["d"]) == "-2"


async def test_back_home_shows_progress_and_offers_a_review(tmp_path):
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("chain-rule")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for answer in ("1", "5", "-2"):  # dL/dd wrong first time: a product node not mastered
            await pilot.press(*answer, "enter")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        text = screen_text(app)
        assert "in progress (2 found)" in text and "Review due: product" in text
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen) and screen.session.tutor.lesson.id == "review-product"
        assert all("product" in screen.session.tutor.skills_of(name) for name in screen.session.flow.exercise.order)
