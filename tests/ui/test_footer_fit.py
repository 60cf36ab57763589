"""At 80 columns every footer shows every key it offers: labels shorten before any key is cut
(the replay's footer ended "esc Lessons ^q Qu", the training run's lost Quit)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tui_grad.core.catalog import load_catalog
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.chrome import Footer
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.train import TrainScreen

from tests.ui.screen_text import screen_text
from tests.ui.test_themes import showing


async def settled(pilot) -> None:
    """Wait until the footer has shortened itself as far as it needs (it steps once a refresh)."""
    for _ in range(20):
        await pilot.pause()
        footer = pilot.app.screen.query_one(Footer)
        if footer.needed_width() <= footer.size.width:
            return
    raise AssertionError("the footer never fitted")


def footer_shows_every_key(app) -> str:
    """The footer row, after checking that each key it offers is drawn whole with its label."""
    row = screen_text(app).split("\n")[-1]
    keys = list(app.screen.query_one(Footer).query(FooterKey))
    assert keys
    for key in keys:
        shown = f"{key.key_display} {key.description}".strip()
        assert shown in row, f"{shown!r} is cut from the footer: {row!r}"
    assert "^q" in row, row
    return row


async def test_the_replay_footer_keeps_every_key_at_80_columns():
    app = TuiGradApp(load_catalog(), step_interval=60.0)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("chain-rule")
        await pilot.pause()
        await pilot.press("enter")
        await showing(pilot, ExerciseScreen)
        session = app.screen.session
        while session.asked:
            await pilot.press(*repr(session.flow.exercise.expected(session.asked)), "enter")
            await pilot.pause()
        assert session.replay is not None and not session.replay.done
        await settled(pilot)
        row = footer_shows_every_key(app)
        assert "Pause" in row and "Lessons" in row and "Quit" in row  # shortened only as far as needed
        await pilot.press("space")
        await settled(pilot)
        assert "Resume" in footer_shows_every_key(app)


async def open_training_run(app: TuiGradApp, pilot) -> None:
    """small-network's training run, past its introduction, settled."""
    app.open_lesson("small-network")
    await pilot.pause()
    await pilot.press("enter")
    await showing(pilot, TrainScreen)
    await settled(pilot)


async def test_the_training_footer_keeps_quit_running_and_paused():
    app = TuiGradApp(load_catalog(), step_interval=60.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training_run(app, pilot)
        footer_shows_every_key(app)
        await pilot.press("space")
        await settled(pilot)
        footer_shows_every_key(app)


async def test_a_wide_window_keeps_the_full_labels():
    app = TuiGradApp(load_catalog(), step_interval=60.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training_run(app, pilot)
        await pilot.resize_terminal(160, 40)
        await settled(pilot)
        row = footer_shows_every_key(app)
        assert "+ Faster" in row and "esc Lessons" in row and "palette" in row


def test_a_hint_is_shortened_clause_by_clause_to_fit():
    from tui_grad.ui.answer import fitted

    hint = "a number, a fraction or a little arithmetic; Enter to check"
    assert fitted(hint, 80) == hint
    assert fitted(hint, 40) == "a number; Enter to check"
    assert fitted(hint, 10) == "a number"
    assert fitted(hint, 5) == "a nu…"
    assert fitted("a node's name, as its box shows it; Enter to check", 40) == "a node's name; Enter to check"


async def test_the_answer_placeholder_fits_after_lesson_ones_long_question():
    """Lesson 1's field showed '... a little arithmetic; Enter to' at 80 columns."""
    from textual.widgets import Input

    app = TuiGradApp(load_catalog(), step_interval=60.0)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("derivative-slope")
        await pilot.pause()
        await pilot.press("enter")
        await showing(pilot, ExerciseScreen)
        await pilot.pause()
        field = app.screen.query_one("#answer-input", Input)
        assert len(field.placeholder) < field.content_size.width
        row = next(line for line in screen_text(app).split("\n") if "slope df/dx at x = 3:" in line)
        assert row.rstrip().endswith("Enter to check"), row
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        await pilot.pause()
        assert field.placeholder == "a number, a fraction or a little arithmetic; Enter to check"
