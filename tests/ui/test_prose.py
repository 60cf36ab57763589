"""Lesson prose: the Markdown lessons use, drawn without a Markdown parser."""

from __future__ import annotations

from tui_grad.core.catalog import load_catalog
from tui_grad.ui.prose import inline, prose

TEXT = """
# The chain rule

Four numbers go in: **a = 2** and *b*, with `e = a * b`
written over two lines.

- for a sum the local derivative is **1**;
- for a product it is
  the other factor.

1. first
2. second

    d = a · b + c
"""


def test_blocks_read_as_a_learner_expects():
    assert prose(TEXT).plain.split("\n") == [
        "The chain rule",
        "",
        "Four numbers go in: a = 2 and b, with e = a * b written over two lines.",
        "",
        "  • for a sum the local derivative is 1;",
        "  • for a product it is the other factor.",
        "",
        "  1. first",
        "  2. second",
        "",
        "  d = a · b + c",
    ]


def test_emphasis_and_code_are_styled_not_shown_as_marks():
    assert inline("x **bold** `code` *it* _it_ a*b*c") == [
        ("x ", ""), ("bold", "bold"), (" ", ""), ("code", "$text-accent"), (" ", ""), ("it", "italic"), (" ", ""),
        ("it", "italic"), (" a*b*c", "")]


def test_every_shipped_text_renders_without_markdown_marks():
    for lesson in load_catalog().lessons:
        for text in (lesson.intro, lesson.outro, *(part.text for part in lesson.parts)):
            plain = prose(text).plain
            assert "**" not in plain and "`" not in plain, lesson.id


def test_a_wrapped_list_item_goes_on_under_its_own_text():
    """Wrapped by the widget, an item's second line began at the left edge ('and' alone at column 2
    in lesson 4's introduction)."""
    from textual.content import Content

    from tui_grad.ui.prose import HangingIndent

    text = "  1. the gradient of the node just above, which you have already found, and\n  2. short\nplain words"
    rows = HangingIndent(Content(text)).at_width(40).plain.split("\n")
    assert rows[0].startswith("  1. the gradient") and len(rows[0]) <= 40
    continued = rows[1:rows.index("  2. short")]
    assert continued and all(row.startswith("     ") and row[5] != " " for row in continued)
    assert rows[-1] == "plain words"


async def test_lesson_four_introduction_keeps_its_numbered_items_indented_at_80_columns():
    from tui_grad.ui.app import TuiGradApp

    from tests.ui.screen_text import screen_text

    app = TuiGradApp(load_catalog())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("chain-rule")
        await pilot.pause()
        rows = screen_text(app).split("\n")
        first = next(index for index, row in enumerate(rows) if "1. the gradient of the node just above" in row)
        text_column = rows[first].index("the gradient")
        assert rows[first + 1].strip() == "and" and rows[first + 1].index("and") == text_column
