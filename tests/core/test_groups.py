"""Lesson groups: the shipped lessons list as two groups, "Backpropagation by hand" and "Build the
engine", in both faces and in `tui-grad list`; a folder of one group lists as it always did."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.home import group_headings
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.progress import ProgressStore
from tui_grad.plain import run_plain

CATALOG = load_catalog()
ENGINE = ["backward-rules", "topological-order", "your-engine", "mlp-step"]


def test_the_shipped_lessons_form_two_groups_the_engine_after_lesson_ten():
    assert group_headings(CATALOG.lessons) == {0: "Backpropagation by hand", 10: "Build the engine"}
    assert [lesson.id for lesson in CATALOG.lessons[10:]] == ENGINE
    assert group_headings(CATALOG.lessons[:10]) == {}


def test_line_mode_lists_each_group_under_its_heading(tmp_path):
    out = io.StringIO()
    run_plain(CATALOG, None, ProgressStore(tmp_path).load(), None, stdin=io.StringIO("q\n"), stdout=out)
    text = out.getvalue()
    assert text.index("Backpropagation by hand:") < text.index("1. A derivative") < text.index(
        "Build the engine:") < text.index("11. Write the backward rules")


def test_tui_grad_list_shows_the_groups():
    result = subprocess.run([sys.executable, "-m", "tui_grad", "list"], capture_output=True, text=True,
                            timeout=120, check=False, env={"COLUMNS": "120", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("Backpropagation by hand") < result.stdout.index("Build the engine") < \
        result.stdout.index("backward-rules")


@pytest.mark.parametrize(("group", "message"), [('"' + "x" * 41 + '"', "'group' is a heading of at most 40"),
                                                ("3", "'group' has the wrong type")])
def test_a_group_is_a_short_heading(tmp_path, group, message):
    source = (CATALOG.find("chain-rule").path.read_text(encoding="utf-8")
              .replace('order = 4', f'group = {group}\norder = 4'))
    path = tmp_path / "grouped.toml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(LessonError, match=message):
        load_lesson(path)
