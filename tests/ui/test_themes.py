"""Every theme a learner can pick (Ctrl+P, or --theme) styles every screen: no undefined variable, and
no text drawn in a colour too close to the one behind it, with NO_COLOR or without."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.app import App

from tui_grad.core.catalog import load_catalog
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.train import TrainScreen

from tests.ui.screen_text import faint_text

UI = Path(__file__).resolve().parents[2] / "tui_grad" / "ui"
THEMES = sorted(App().available_themes)


def variables_used() -> set[str]:
    """Every $variable the app's styles name, in .tcss files and in widgets' DEFAULT_CSS and styles."""
    used: set[str] = set()
    for path in [*UI.glob("*.py"), *UI.glob("*.tcss")]:
        used |= set(re.findall(r"\$([a-z][a-z0-9-]*)", path.read_text(encoding="utf-8")))
    return used


@pytest.mark.parametrize("theme", THEMES)
def test_every_style_variable_exists_in_every_theme(theme):
    app = App()
    app.theme = theme
    missing = sorted(name for name in variables_used() if name not in app.get_css_variables())
    assert not missing, f"theme {theme} has no {missing}"


async def test_the_terminal_palette_theme_draws_the_exercise():
    app = TuiGradApp(load_catalog())
    app.theme = "ansi-dark"  # the terminal's own colours: a learner's high-contrast palette carries through
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("chain-rule")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)


READABLE = 2.0
"""The least contrast (WCAG ratio, 1 to 21) text may have against its background: well below what
reading comfortably wants, well above the same colour on itself (1.0)."""


async def showing(pilot, screen_class: type, limit: int = 200) -> None:
    """Wait until the app shows a screen of `screen_class` (a lesson opened over another replaces it
    on a later turn of the loop)."""
    for _ in range(limit):
        if isinstance(pilot.app.screen, screen_class):
            await pilot.pause()
            return
        await pilot.pause()
    raise AssertionError(f"never showed {screen_class.__name__}: {type(pilot.app.screen).__name__}")


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
@pytest.mark.parametrize("theme", THEMES)
async def test_every_theme_draws_readable_text(theme, no_color, monkeypatch):
    """The list, an exercise (title, graph, the asked node, the answer's placeholder, key help,
    footer) and a training run, read cell by cell in the colours the terminal is sent: with
    NO_COLOR, ansi-dark and ansi-light drew all of these black on black."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = TuiGradApp(load_catalog())
    app.theme = theme  # as --theme does, before the app runs
    faint: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        faint += [f"list {cell}" for cell in faint_text(app, READABLE)]
        app.open_lesson("chain-rule")
        await pilot.pause()
        await pilot.press("enter")
        await showing(pilot, ExerciseScreen)
        faint += [f"exercise {cell}" for cell in faint_text(app, READABLE)]
        app.open_lesson("small-network")
        await pilot.pause()
        await pilot.press("enter")
        await showing(pilot, TrainScreen)
        faint += [f"training {cell}" for cell in faint_text(app, READABLE)]
    assert not faint, "\n".join(faint[:12])
