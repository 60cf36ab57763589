"""Every theme a learner can pick (Ctrl+P, or --theme) styles every screen: no undefined variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.app import App

from tui_grad.core.catalog import load_catalog
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen

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
