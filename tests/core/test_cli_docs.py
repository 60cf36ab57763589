"""What the command line and the README tell a newcomer matches what there is."""

from __future__ import annotations

import re
from pathlib import Path

from tui_grad.cli import COMMANDS, build_parser
from tui_grad.core.catalog import load_catalog

README = Path(__file__).resolve().parents[2] / "README.md"


def test_help_names_every_command():
    """`tui-grad --help` listed no practice."""
    text = " ".join(build_parser().format_help().split())
    for command in (*COMMANDS, "serve", "class"):
        assert re.search(rf"(commands: |, ){command}\b", text), f"--help does not list {command!r}"


def test_the_readme_lists_every_shipped_lesson_in_order():
    """The README's list stopped at lesson 9 of ten."""
    section = README.read_text(encoding="utf-8").split("## The lessons", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^(\d+)\. ([^:]+):", section, flags=re.MULTILINE)
    lessons = load_catalog().lessons
    assert [(int(number), title) for number, title in listed] == [
        (index, lesson.title) for index, lesson in enumerate(lessons, start=1)]
