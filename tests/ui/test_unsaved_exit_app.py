"""Leaving the full-screen tutor while its progress cannot be saved: the same exit status as line mode
(tests/core/test_progress_unsaved.py), through `run_app`, the path `tui-grad` takes."""

from __future__ import annotations

import errno

import pytest
from textual.pilot import Pilot

from tui_grad import cli
from tui_grad.core import home_files
from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import UNSAVED_STATUS, ProgressStore
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen


async def reveal_one_answer_and_quit(pilot: Pilot) -> None:
    """Go on to the lesson's first question, have its answer shown (an answer to save), and quit."""
    app = pilot.app
    for _ in range(200):
        screen = app.screen
        if isinstance(screen, ExerciseScreen) and screen.session.asked:
            break
        await pilot.press("enter")
        await pilot.pause()
    else:
        raise AssertionError(f"no question reached; stuck on {app.screen}")
    await pilot.press("ctrl+r")
    await pilot.pause()
    await pilot.press("ctrl+q")


@pytest.mark.parametrize("disk_full", [True, False])
def test_leaving_the_app_with_progress_it_cannot_save_exits_non_zero(tmp_path, monkeypatch, capsys, disk_full):
    """Before: 'could not be saved' and exit status 0 (line mode was fixed first; the app had no test)."""
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    original = TuiGradApp.run

    def headless(self, **kwargs):
        return original(self, headless=True, size=(80, 24), auto_pilot=reveal_one_answer_and_quit)

    monkeypatch.setattr(TuiGradApp, "run", headless)
    monkeypatch.delenv("TUI_GRAD_THEME", raising=False)
    monkeypatch.delenv("TUI_GRAD_LOW_BANDWIDTH", raising=False)
    if disk_full:
        monkeypatch.setattr(home_files.Home, "append", full)  # full for every answer and at the end
    store = ProgressStore(tmp_path).load()
    status = cli.run_app(cli.build_parser().parse_args(["chain-rule"]), load_catalog(), store,
                         start_lesson="chain-rule")
    errors = capsys.readouterr().err
    if disk_full:
        assert status == UNSAVED_STATUS != 0
        assert "progress could not be saved" in errors
    else:
        assert status == 0 and "could not be saved" not in errors
        assert ProgressStore(tmp_path).load().attempts, "the shown answer was saved"
