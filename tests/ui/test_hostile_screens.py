"""A hostile lesson file in the real app at 80x24: its brackets are shown as text on every screen (home,
reading, exercise, training, recap), its escapes as glyphs, and a broken file as unavailable with its reason."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.core.safe_text import is_unsafe
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen
from tui_grad.ui.page import PageScreen
from tui_grad.ui.train import TrainScreen

from tests.core.test_hostile_lessons import ATTACKS, BRACKETS, HOSTILE_LESSON, WORDS
from tests.ui.screen_text import screen_text
from tests.ui.test_curriculum_walk import finish_part


@pytest.fixture
def catalog(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "hostile.toml").write_text(HOSTILE_LESSON, encoding="utf-8")
    (folder / "broken\x1b]0;pwned\x07.toml").write_text('id = "broken"\ntitle = "[/x] \x1b[2J', encoding="utf-8")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.toml")
    return load_catalog(folder)


def assert_shown_safely(app, *words: str) -> str:
    """The screen has no character a terminal would obey, and shows each of `words` literally."""
    text = screen_text(app)
    assert not [character for character in text if is_unsafe(character)]
    for word in words:
        assert word in text, (word, text)
    return text


async def test_home_lists_the_lesson_literally_and_broken_files_with_their_reason(catalog, tmp_path):
    app = TuiGradApp(catalog, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        text = assert_shown_safely(app, "Title [/x] w[i][j] [TODO] [bold]B[/bold]", "Summary [/x] w[i][j]")
        assert "broken␛]0;pwned␇.toml is unavailable" in text and "not valid TOML" in text
        if hasattr(os, "mkfifo"):
            assert "pipe.toml is unavailable" in text and "named pipe" in text


async def test_every_screen_of_the_lesson_shows_brackets_as_text(catalog, tmp_path):
    app = TuiGradApp(catalog, step_interval=0.01, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("hostile")
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        assert_shown_safely(app, "Intro " + " ".join(BRACKETS), "␛]52;c;aGk=␇")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        assert_shown_safely(app, "Gradient text [/x] w[i][j] [TODO]")
        await finish_part(app, pilot)
        assert isinstance(app.screen, TrainScreen)
        assert_shown_safely(app, "Training text [/x] w[i][j] [TODO]")
        await pilot.press("t")  # the whole text, in place of the plots
        await pilot.pause()
        assert_shown_safely(app, "Training text [/x] w[i][j] [TODO] [bold]B[/bold]")
        await pilot.press("t")
        await finish_part(app, pilot)
        assert isinstance(app.screen, PageScreen)
        assert_shown_safely(app, "Outro " + " ".join(BRACKETS), "<U+009B>2J")


@pytest.fixture
def short_tmp():
    """A scratch folder with a short path: the warning toast shows a few lines, and a long path (as
    pytest-xdist's workers give tmp_path) would push the lesson id out of them."""
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


async def test_a_warning_about_a_damaged_progress_file_is_shown_as_text(short_tmp):
    """The progress file's own strings (here a lesson id with markup and escapes) reach the warning
    toast as text: no MarkupError, nothing lost, nothing a terminal would obey."""
    home = short_tmp / "p[" / "q]"  # the path itself reads "p[/q]"
    home.parent.mkdir()
    home.mkdir(mode=0o700)
    damaged = {"format": "tui-grad-progress", "version": 1, "attempts": [],
               "lessons": {"L[/x] w[i][j]\x1b[2J": {"part": 0, "parts": [{"status": {"N": 3}}], "finished": False,
                                                     "seed": None, "updated": 1.0}}}
    (home / "progress.json").write_text(json.dumps(damaged), encoding="utf-8")
    store = ProgressStore(home).load()
    assert store.warnings
    app = TuiGradApp(load_catalog(), store=store)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        text = assert_shown_safely(app, "L[/x] w[i][j]␛[2J")
        assert "Progress" in text
        await pilot.press("down")  # the app still answers keys
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


OTHER_KINDS = f'''\
id = "hostile-kinds"
title = "Kinds {WORDS} {ATTACKS}"
summary = "Every other kind of part"
order = 2

[text]
intro = """Kinds intro"""
outro = """Kinds outro {WORDS} {ATTACKS}"""

[[parts]]
title = "Slope {WORDS} {ATTACKS}"
kind = "slope"
text = """Slope text {WORDS} {ATTACKS}"""
inputs = {{ x = 3.0 }}
nodes = ["f = x * x"]
output = "f"
ask = ["x"]

[[parts]]
title = "Update {WORDS} {ATTACKS}"
kind = "update"
text = """Update text {WORDS} {ATTACKS}"""
inputs = {{ a = 5.0, d = 2.0 }}
nodes = ["L = a * d"]
output = "L"
parameters = ["a"]
ask = ["a"]

[[parts]]
title = "Bug hunt {WORDS} {ATTACKS}"
kind = "bughunt"
text = """Bug hunt text {WORDS} {ATTACKS}"""
inputs = {{ a = 3.0 }}
nodes = ["b = a * a", "c = 3 * a", "L = b + c"]
output = "L"

[[parts]]
title = "Network {WORDS} {ATTACKS}"
kind = "network"
text = """Network text {WORDS} {ATTACKS}"""
dataset = "xor"
samples = 8
hidden = [3]
steps = 10
'''


async def test_slope_update_bug_hunt_and_network_parts_show_brackets_as_text(tmp_path):
    """The part kinds the first hostile lesson lacks, and the page of a finished lesson reopened."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "kinds.toml").write_text(OTHER_KINDS, encoding="utf-8")
    app = TuiGradApp(load_catalog(folder), step_interval=0.01, store=ProgressStore(tmp_path / "home").load())
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_lesson("hostile-kinds")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for kind in ("Slope", "Update", "Bug hunt"):
            assert isinstance(app.screen, ExerciseScreen), kind
            assert_shown_safely(app, f"{kind} text [/x] w[i][j] [TODO]")
            await finish_part(app, pilot)
        assert isinstance(app.screen, TrainScreen)
        assert_shown_safely(app, "Network text [/x] w[i][j] [TODO]")
        await finish_part(app, pilot)
        assert isinstance(app.screen, PageScreen)
        assert_shown_safely(app, "Kinds outro " + " ".join(BRACKETS))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert_shown_safely(app, "Kinds [/x] w[i][j] [TODO]")
        app.open_lesson("hostile-kinds")  # finished: the page offers to start again, with the outro
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        assert_shown_safely(app, "You finished this lesson before", "Kinds outro " + " ".join(BRACKETS))
