"""One learner, two windows on one progress folder (issue 20, "a second tab can take back credit"):
a window whose question was found in the other says so and asks the next one, for an answer, a
hint or showing the answer, in line mode as in the session both faces drive; and the class view
counts the found question once."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.classroom import export, read_class
from tui_grad.core.flow import LessonSession
from tui_grad.core.lesson import Lesson
from tui_grad.core.parts import ANSWERING
from tui_grad.core.progress import ProgressStore
from tui_grad.core.views import ANSWER, HINT, REVEAL, text_of
from tui_grad.plain import run_plain

CATALOG = load_catalog()
CHAIN_RULE = {"L": "1", "d": "-2", "f": "4", "e": "-2", "c": "-2", "a": "6", "b": "-4"}
"""The right answers of the chain-rule lesson, in the order it asks them."""


def chain_rule() -> Lesson:
    lesson = CATALOG.find("chain-rule")
    assert lesson is not None
    return lesson


def other_window(home: Path, answer: str = "-4") -> LessonSession:
    """The same link opened again: it resumes at the question the first window is on and finds it."""
    session = LessonSession(chain_rule(), ProgressStore(home).load())
    assert session.asked == "b"
    assert session.act(ANSWER, answer)
    return session


def to_the_last_question(session: LessonSession) -> None:
    for node in list(CHAIN_RULE)[:-1]:
        assert session.asked == node and session.act(ANSWER, CHAIN_RULE[node])
    assert session.asked == "b"


@pytest.mark.parametrize("action", [ANSWER, HINT, REVEAL])
def test_a_window_whose_question_was_found_in_the_other_says_so_and_moves_on(tmp_path, action):
    first = LessonSession(chain_rule(), ProgressStore(tmp_path).load())
    first.act("continue")  # past the introduction
    to_the_last_question(first)
    other_window(tmp_path)

    assert first.act(action, "-5" if action == ANSWER else None)

    said = text_of(first.message)
    assert "dL/db was found in your other window: -4" in said, said
    assert first.asked is None and first.phase != ANSWERING  # the lesson goes on, to the replay
    assert first.tutor.record.parts[0].status["b"] == "earned"
    again = ProgressStore(tmp_path).load()  # and stays found after both windows close
    assert again.lesson("chain-rule").parts[0].status["b"] == "earned"
    assert [a["text"] for a in again.attempts if a["node"] == "b"] == ["-4"]  # nothing from the first window
    assert again.lesson("chain-rule").parts[0].hints.get("b", 0) == 0


def test_a_question_only_shown_in_the_other_window_can_still_be_found_here(tmp_path):
    first = LessonSession(chain_rule(), ProgressStore(tmp_path).load())
    first.act("continue")
    to_the_last_question(first)
    other = LessonSession(chain_rule(), ProgressStore(tmp_path).load())
    other.act(REVEAL)

    assert first.act(ANSWER, "-4")

    assert "✓ Right" in text_of(first.message)
    assert ProgressStore(tmp_path).load().lesson("chain-rule").parts[0].status["b"] == "earned"


class Meanwhile(io.StringIO):
    """A learner's typed lines; just before line `at` is read, `meanwhile` runs (the other window)."""

    def __init__(self, lines: list[str], at: int, meanwhile: Callable[[], object]) -> None:
        super().__init__("".join(line + "\n" for line in lines))
        self.at, self.meanwhile, self.lines_read = at, meanwhile, 0

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]  # StringIO's own signature
        if self.lines_read == self.at:
            self.meanwhile()
        self.lines_read += 1
        return super().readline(-1 if size is None else size)


def plain(home: Path, lines: list[str], at: int = -1, meanwhile: Callable[[], object] = lambda: None) -> str:
    stdout = io.StringIO()
    run_plain(CATALOG, "chain-rule", ProgressStore(home).load(), None,
              stdin=Meanwhile(lines, at, meanwhile), stdout=stdout)
    return stdout.getvalue()


def test_line_mode_says_the_other_window_found_it_and_goes_on_then_resumes_past_it(tmp_path):
    home = tmp_path / "ada"
    answers = ["", *list(CHAIN_RULE.values())[:-1]]  # Enter past the introduction, then up to dL/db
    out = plain(home, [*answers, "-5", "quit"], at=len(answers), meanwhile=lambda: other_window(home))

    assert "dL/db was found in your other window: -4" in out
    assert "Wrong" not in out.split("found in your other window")[1]
    out = plain(home, ["quit"])  # coming back: the question is not asked again
    assert "dL/db =" not in out

    view = read_class(tmp_path, CATALOG)
    assert [row.answers for row in view.learners] == [7]  # six here, one there: none twice, none from "-5"
    (node,) = [row for row in view.nodes if row.node == "b"]
    assert (node.tried, node.right_first_time, node.mistakes) == (1, 1, ())
    (pair,) = [row for row in view.learner_nodes if row.node == "b"]
    assert (pair.tries, pair.first_try_right, pair.mistakes) == (1, True, ())
    rows = [row for row in csv.DictReader(io.StringIO(export(view, "csv")))
            if row["table"] == "learner_node" and row["node"] == "b"]
    assert [(row["tries"], row["first_try_right"], row["mistakes"]) for row in rows] == [("1", "True", "")]
