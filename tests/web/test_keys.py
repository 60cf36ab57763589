"""Keys that belong to the browser: a lesson names each key as the learner's face shows it (F3 in a
browser, where Ctrl+N opens a window; Ctrl+N in a terminal; `nudge` in line mode); in a browser the
answer is shown by F4 alone, after asking once, and Ctrl+R does nothing to the tutor (the page
leaves it to the browser, to reload); the palette offers no Screenshot that would land on the server."""

from __future__ import annotations

import aiohttp

from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.ui.app import TuiGradApp

from tests.core.test_plain import run
from tests.ui.screen_text import screen_text
from tests.web.lab import LabProcess, open_tab
from tests.web.test_serve import ADA, open_chain_rule

F4, CTRL_R, CTRL_P = "\x1bOS", "\x12", "\x10"


def test_the_slope_lesson_names_the_nudge_key_as_a_terminal_and_line_mode_show_it(tmp_path):
    _status, out = run(["lessons", "q"], tmp_path, lesson="derivative-slope")
    assert "Press nudge to nudge x" in " ".join(out.split())
    assert "Ctrl+N" not in out and "{{" not in out


async def test_the_slope_lesson_in_a_terminal_says_ctrl_n(tmp_path, monkeypatch):
    monkeypatch.setenv("TUI_GRAD_HOME", str(tmp_path))
    app = TuiGradApp(load_catalog(), start_lesson="derivative-slope", step_interval=0.01)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "Press Ctrl+N to nudge x" in text and "{{" not in text


async def test_in_a_browser_keys_are_the_browsers_and_show_answer_asks_once(tmp_path):
    lab = LabProcess(tmp_path, [ADA])
    try:
        async with aiohttp.ClientSession() as http:
            tab = await open_tab(http, lab.link(ADA), width=110, height=40)
            await tab.wait_for("1. A derivative is a slope")
            await tab.keys("Enter")
            screen = " ".join((await tab.wait_for("type the slope")).split())
            assert "Press F3 to nudge x" in screen and "Ctrl+N" not in screen and "{{" not in screen
            await tab.keys("Escape")
            await open_chain_rule(tab)
            screen = await tab.wait_for("f4 Show answer")
            assert "^r" not in screen and "^n" not in screen
            await tab.keys(CTRL_R, F4)  # in order: the reload key reached the tutor first, and did nothing
            screen = await tab.wait_for("Press F4 again to show this answer")
            assert "Find dL/dL" in screen and "Shown" not in screen
            await tab.keys(F4)
            await tab.wait_for("Shown: dL/dL")
            await tab.wait_for("Find dL/dd")
            await tab.keys(CTRL_P)
            screen = await tab.wait_for("Quit the application")
            assert "Screenshot" not in screen and "Keys" in screen
            await tab.close()
    finally:
        lab.stop()
    attempts = ProgressStore(lab.homes / "ada-lovelace").load().attempts
    assert [(attempt["node"], attempt.get("shown")) for attempt in attempts] == [("L", True)]
