"""Shared fixtures: the shipped lessons, and a writer for throwaway lesson files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_grad.core.catalog import load_catalog, shipped_lessons_dir
from tui_grad.core.lesson import Lesson
from tui_grad.core.lesson_file import load_lesson

GOOD_LESSON = '''\
id = "tiny"
title = "A tiny lesson"
summary = "One product and one sum."

[graph]
inputs = { x = 3.0, y = -2.0 }
nodes = [
    "p = x * y",
    "L = p + x",
]
parameters = ["x", "y"]

[update]
step_size = 0.1
direction = "descent"
'''


# Tests that take seconds each, mostly waiting on a tutor in tmux, a browser or a lab, or searching
# with Hypothesis (`pytest --durations=40` names them).
LONG_FIRST = ("tests/e2e/", "tests/web/", "tests/core/test_fuzz.py", "tests/ui/test_journeys.py",
              "tests/ui/test_graph_view_app.py", "tests/ui/test_curriculum_walk.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the long tests first: run in parallel (the README's `-n 4`), a long one drawn last keeps
    the run going on one worker while the others have nothing left to do."""
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_FIRST))  # stable: the rest keep their order


@pytest.fixture
def chain_rule() -> Lesson:
    """The design lesson, as shipped."""
    return load_lesson(shipped_lessons_dir() / "chain-rule.toml")


@pytest.fixture
def catalog():
    """Every shipped lesson."""
    return load_catalog()


@pytest.fixture
def write_lesson(tmp_path: Path):
    """Write lesson text to a file and return its path."""

    def write(text: str, name: str = "lesson.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
