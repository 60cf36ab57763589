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
