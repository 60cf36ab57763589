"""Line mode's menu decides what the home screen does: the lesson to go on with (Enter), practice
(p) and the own formula (f), and what is due for review; the core functions behind both faces."""

from __future__ import annotations

import io
from pathlib import Path

from tui_grad.core.catalog import load_catalog
from tui_grad.core.home import FieldError, next_unfinished, read_formula, resume_index
from tui_grad.core.practice import DAY
from tui_grad.core.progress import ProgressStore
from tui_grad.plain import run_plain

from tests.history_helpers import aged

CATALOG = load_catalog()
IDS = [lesson.id for lesson in CATALOG.lessons]


def plain(lines: list[str], home: Path, lesson: str | None = None, store: ProgressStore | None = None) -> str:
    out = io.StringIO()
    run_plain(CATALOG, lesson, store or ProgressStore(home).load(), None,
              stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=out)
    return out.getvalue()


def test_the_menu_offers_practice_and_the_own_formula(tmp_path):
    out = plain(["q"], tmp_path)
    assert "p. Practice: " in out and "[starts at level 1]" in out
    assert "f. Your own formula: " in out
    # nothing started: no suggestion
    assert f"Lesson number or id (1 to {len(CATALOG.lessons)}, p, f, q to quit): " in out


def test_enter_goes_on_with_the_next_lesson_not_finished(tmp_path):
    plain(["show", ""] * 200, tmp_path, "two-paths")
    assert ProgressStore(tmp_path).load().lessons["two-paths"].finished
    following = CATALOG.lessons[IDS.index("two-paths") + 1]
    out = plain(["", "quit"], tmp_path)
    assert f"Enter for {IDS.index(following.id) + 1}. {following.title}" in out
    assert f"\n{following.title}\n" in out  # Enter opened it


def test_a_formula_error_points_at_its_column_and_enter_keeps_what_was_typed(tmp_path):
    out = plain(["f", "(x+2)**2 + lg(x)", "x=5", "(x+2)**2 + x**3", "", "show", "quit"], tmp_path)
    lines = out.splitlines()
    at = lines.index("Formula: (x+2)**2 + lg(x)")
    assert lines[at + 1].index("^") == len("Formula: ") + 11 and "'lg'" in lines[at + 1]
    assert "(Enter keeps x=5)" in out and "Your formula: (x+2)**2 + x**3" in out
    assert "Traceback" not in out


def test_values_errors_are_said_without_a_column(tmp_path):
    out = plain(["f", "x**2", "x=abc", "", "x=2", "quit"], tmp_path)
    assert "Values: 'abc' in 'x=abc' is not a number\n" in out and "Your formula: x**2" in out
    assert "Progress is saved" in out.splitlines()[-1]


def test_practice_from_the_menu_resumes_after_quitting(tmp_path):
    out = plain(["p", "show", "quit"], tmp_path)
    assert "Practice · level 1" in out and "Shown." in out
    again = plain(["p", "quit"], tmp_path)
    assert "Resuming at part 1 of 1, question" in again
    assert "[level 1 · streak 0 of 3]" in again


def test_due_for_review_is_said_with_when(tmp_path):
    plain(["p", "show", "show", "show", "show", "show", "quit"], tmp_path)
    store = aged(ProgressStore(tmp_path).load(), 2 * DAY)
    out = plain(["q"], tmp_path, store=store)
    assert "Due for review: " in out and " now" in out and "Practice (p) takes them first." in out


def test_next_unfinished_and_resume_index():
    class Record:
        def __init__(self, finished: bool, updated: float = 0.0) -> None:
            self.finished, self.updated = finished, updated

    ids = ["a", "b", "c", "d"]
    records = {"a": Record(True), "b": Record(True), "d": Record(False, 5.0)}
    assert next_unfinished(ids, records, "a") == 2 and next_unfinished(ids, records, "d") == 2
    assert next_unfinished(ids, records, None) == 2
    assert next_unfinished(ids, {name: Record(True) for name in ids}, "b") is None
    assert resume_index(ids, records) == 3  # touched last and not finished
    records["b"].updated = 9.0
    assert resume_index(ids, records) == 2  # finished last: the next one not finished after it
    assert resume_index(ids, {"a": Record(True)}) == 1 and resume_index(ids, {}) is None
    assert resume_index(ids, {name: Record(True) for name in ids}) is None


def test_read_formula_names_the_field_and_the_column():
    assert read_formula("(x+2)**2 + x**3", "x=5") == {"x": 5.0}
    error = read_formula("x*y", "x=1")
    assert isinstance(error, FieldError) and error.field == "formula" and error.column == 3
    assert error.pointer("x*y") == ("x*y", "  ^ unknown name 'y' at column 3: use a number or one of the names x")
    assert read_formula("x", "x=") == FieldError("values", "'' in 'x=' is not a number")
    assert read_formula("  ", "x=1").field == "formula"


def test_a_summary_keeps_a_code_span_as_written():
    """`x**3` in a summary is code, not bold: the list and line mode print it with its stars."""
    from tui_grad.core.home import summary_text

    assert summary_text("like `(x+2)**2 + x**3` at x=5, **all** of it") == "like (x+2)**2 + x**3 at x=5, all of it"
