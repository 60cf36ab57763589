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


def test_list_and_the_line_mode_menu_show_no_markdown_marks(capsys):
    """`tui-grad list` printed two-bugs' summary with its backticks."""
    import io

    from tui_grad.cli import main
    from tui_grad.plain import run_plain

    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "two-bugs" in listed and "`" not in listed  # the table folds the summary over rows
    stdout = io.StringIO()
    run_plain(load_catalog(), None, None, stdin=io.StringIO(""), stdout=stdout)
    menu = stdout.getvalue()
    assert "Find the gradient = lost" in menu and "`" not in menu
