"""The home screen at 80x24: every lesson, practice and the own formula in view; the cursor goes on
to the next lesson once one is finished; the skills line wraps between skills; practice and the own
formula open from it, can be left mid-exercise and come back; what is due for review is said."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tui_grad.core.catalog import load_catalog, shipped_lessons_dir
from tui_grad.core.practice import DAY, PRACTICE_ID, PracticeRun
from tui_grad.core.progress import ProgressStore
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.formula_form import FormulaForm
from tui_grad.ui.home import HomeScreen

from tests.history_helpers import aged
from tests.ui.screen_text import screen_text
from tests.ui.test_journeys import press_until_home

CATALOG = load_catalog()


def catalog_with(tmp_path: Path, extra: int, first_group_only: bool = False) -> object:
    """The shipped lessons (or only the first group's ten) and `extra` more (copies of the first,
    under new ids), as a catalog."""
    folder = tmp_path / "lessons"
    shutil.copytree(shipped_lessons_dir(), folder)
    if first_group_only:
        for path in folder.glob("*.toml"):
            if "\ngroup = " in path.read_text(encoding="utf-8"):
                path.unlink()
    text = (folder / "first-graph.toml").read_text(encoding="utf-8")
    for number in range(extra):
        copy = re.sub(r'^id = ".*"$', f'id = "extra-{number}"', text, count=1, flags=re.MULTILINE)
        copy = re.sub(r'^order = .*$', f"order = {20 + number}", copy, count=1, flags=re.MULTILINE)
        copy = re.sub(r'^title = ".*"$', f'title = "Extra lesson {number}"', copy, count=1, flags=re.MULTILINE)
        (folder / f"extra-{number}.toml").write_text(copy, encoding="utf-8")
    catalog = load_catalog(folder)
    shipped = 10 if first_group_only else len(CATALOG.lessons)
    assert len(catalog.lessons) == shipped + extra and not catalog.broken
    return catalog


def practised_store(tmp_path: Path, days_ago: float = 0.0) -> ProgressStore:
    """A learner who has worked one practice exercise (every answer shown), `days_ago` days ago,
    and answered lessons with every skill (so the skills line is as long as it gets)."""
    store = ProgressStore(tmp_path).load()
    session = PracticeRun(store).session()
    while session.asked:
        session.reveal()
    for lesson_id in ("neuron", "two-paths", "line-fit"):
        from tui_grad.core.flow import LessonSession

        lesson = LessonSession(CATALOG.find(lesson_id), store)
        if lesson.phase == "intro":
            lesson.go_on()
        while lesson.asked:
            lesson.answer("12345")  # wrong: every skill practised, none mastered
            lesson.reveal()
    return aged(store, days_ago * DAY)


def highlighted_id(app) -> str:
    option_list = app.screen.query_one("#lessons")
    return option_list.get_option_at_index(option_list.highlighted).id


async def test_ten_lessons_practice_and_own_formula_fit_at_80x24(tmp_path):
    """Before: two rows a lesson put lesson 9 below the fold with only a scrollbar as a cue. (The
    shipped list has a second group now; its fourteen lessons scroll, with the cue below.)"""
    catalog = catalog_with(tmp_path, 1, first_group_only=True)
    app = TuiGradApp(catalog, store=practised_store(tmp_path / "home", days_ago=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        for number, lesson in enumerate(catalog.lessons, start=1):
            assert f"{number:>2}. {lesson.title}" in text, lesson.id
        assert "P. Practice" in text and "F. Your own formula" in text
        assert "Due for review:" in text and "Review due:" in text  # the longest the top gets
        assert "more row" not in text and app.screen.query_one("#lessons").max_scroll_y == 0


async def test_the_shipped_list_shows_both_groups_with_their_headings(tmp_path):
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path / "home").load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "── Backpropagation by hand ──" in text and re.search(r"▼ \d+ more rows? below", text)
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "── Build the engine ──" in text and "11. Write the backward rules" in text


async def test_a_list_too_long_for_the_screen_says_so(tmp_path):
    app = TuiGradApp(catalog_with(tmp_path, 6), store=ProgressStore(tmp_path / "home").load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert re.search(r"▼ \d+ more rows? below", screen_text(app))
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "F. Your own formula" in text and "▼" not in text and "▲" in text


async def test_after_finishing_a_lesson_the_cursor_moves_to_the_next_unfinished(tmp_path):
    store = ProgressStore(tmp_path).load()
    app = TuiGradApp(CATALOG, step_interval=0.01, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ids = [lesson.id for lesson in CATALOG.lessons]
        app.screen.query_one("#lessons").highlighted = ids.index("two-paths")
        await pilot.press("enter")
        await pilot.pause()
        await press_until_home(app, pilot)
        assert store.lessons["two-paths"].finished
        assert highlighted_id(app) == ids[ids.index("two-paths") + 1]
        assert "▶  6. " in screen_text(app)  # the pointer, not only the colour, says where it is
        # Opening a finished lesson and leaving it keeps the cursor where it is.
        app.screen.query_one("#lessons").highlighted = ids.index("two-paths")
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert highlighted_id(app) == "two-paths"


async def test_the_skills_line_wraps_between_skills_never_inside_a_meter(tmp_path):
    app = TuiGradApp(CATALOG, store=practised_store(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for width in (80, 100, 140):
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
            rows = app.screen.query_one("#skills").render().plain.splitlines()
            assert rows[0].startswith("Skills: ")
            pieces = [piece for row in rows for piece in re.split(r" {2,}", row.removeprefix("Skills: ").strip())]
            assert len(pieces) == 5 and all(re.fullmatch(r"[a-z]+ [●○]{5}( ✓)?", piece) for piece in pieces), rows
            assert all(len(row) <= width - 4 for row in rows)
            assert (len(rows) > 1) == (width < 100)


async def test_due_for_review_says_which_skills_and_when(tmp_path):
    app = TuiGradApp(CATALOG, store=practised_store(tmp_path, days_ago=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert re.search(r"Due for review: [a-z]+ now", screen_text(app))
    fresh = TuiGradApp(CATALOG, store=practised_store(tmp_path / "fresh", days_ago=0))
    async with fresh.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert re.search(r"Due for review: [a-z]+ in 1 day", screen_text(fresh))


async def test_practice_opens_from_home_and_resumes_after_escape(tmp_path):
    store = ProgressStore(tmp_path).load()
    app = TuiGradApp(CATALOG, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("end")  # the list's last row: practice is above it
        await pilot.pause()
        assert "starts at level 1" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormulaForm)
        await pilot.press("escape", "up", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen) and screen.session.lesson.id == PRACTICE_ID
        assert "Practice · level 1" in screen.session.title
        exercise = screen.session.flow.exercise
        first, seed = exercise.current, screen.session.tutor.extra["seed"]
        await pilot.press("ctrl+r")  # one answer shown, then leave mid-exercise
        await pilot.pause()
        asked = exercise.current
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and "level 1 · streak 0 of 3" in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, ExerciseScreen) and again.session.tutor.extra["seed"] == seed
        assert again.session.flow.exercise.current == asked != first
        assert "back where you left off" in screen_text(app)


async def test_own_formula_shows_the_error_under_the_field_and_keeps_what_was_typed(tmp_path):
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormulaForm)
        await pilot.press(*"(x+2)**2 + lg(x)", "enter", *"x=5", "enter")
        await pilot.pause()
        assert app.screen is form and form.error is not None and form.error.column == 12
        shown = form.query_one("#formula-error").render().plain.splitlines()
        assert shown[0] == "(x+2)**2 + lg(x)" and shown[1].index("^") == 11 and "'lg'" in shown[1]
        assert form.query_one("#formula").value == "(x+2)**2 + lg(x)"  # kept, cursor at the column
        assert form.query_one("#formula").cursor_position == 11
        await pilot.press("ctrl+a", "ctrl+k", *"(x+2)**2 + x**3", "enter")  # retype it
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen) and "(x+2)**2 + x**3" in screen.session.title
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("escape")  # leave mid-exercise
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#formula").value == "(x+2)**2 + x**3" and form.query_one("#values").value == "x=5"
        await pilot.press("enter")  # values are there: Enter works it again
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.session.flow.exercise.current == "L"


@pytest.mark.parametrize(("formula", "values", "field", "words"), [
    ("x*y", "x=1", "formula", "unknown name 'y'"),
    ("log(x)", "x=-1", "formula", "not positive"),
    ("x", "x=abc", "values", "'abc' in 'x=abc' is not a number"),
])
async def test_each_kind_of_formula_error_lands_under_its_field(tmp_path, formula, values, field, words):
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*formula, "enter", *values, "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormulaForm) and form.error.field == field
        assert words in form.query_one(f"#{field}-error").render().plain
        other = "values" if field == "formula" else "formula"
        assert not form.query_one(f"#{other}-error").display


async def test_a_summary_with_code_shows_no_backticks(tmp_path):
    """two-bugs' summary read "Find the gradient `=` lost" with the backticks showing."""
    app = TuiGradApp(CATALOG, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        while highlighted_id(app) != "two-bugs":
            await pilot.press("down")
        await pilot.pause()
        text = screen_text(app)
        assert "Find the gradient = lost" in text and "`" not in text
