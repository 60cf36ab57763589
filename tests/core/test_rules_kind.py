"""The rules kind in the tutor: read from a lesson file, walked through a session in the core flow,
left and come back to with the lines the learner wrote, traced, and never run."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import part_from_table
from tui_grad.core.parts import ANSWERING, DONE
from tui_grad.core.progress import ProgressStore
from tui_grad.core.rule_exercise import answer_of
from tui_grad.core.trace import trace
from tui_grad.plain import run_plain

CATALOG = load_catalog()
LESSON = CATALOG.find("backward-rules")


def test_the_lesson_asks_every_rule_of_the_six_ops_once():
    asked = [key for part in LESSON.parts for key in part.ask]
    assert asked == ["add:self", "add:other", "mul:self", "mul:other", "pow:self", "exp:self", "tanh:self",
                     "relu:self"]
    assert "Six operations, eight lines" in LESSON.outro


@pytest.mark.parametrize(("ops", "message"), [
    (["add", "sin"], "'ops' lists 'sin', which has no backward rule to write"),
    ([], "'ops' names no operation"),
    (["mul", "mul"], "'ops' lists an operation twice"),
    ("mul", "'ops' has the wrong type"),
])
def test_a_rules_part_names_only_ops_it_can_check(ops, message):
    with pytest.raises(LessonError, match=message):
        part_from_table({"kind": "rules", "ops": ops})


def session(home, lesson=LESSON) -> LessonSession:
    return LessonSession(lesson, ProgressStore(home).load())


def test_a_learner_leaves_mid_part_and_finds_their_own_lines_again(tmp_path):
    first = session(tmp_path)
    first.go_on()  # past the introduction
    assert first.phase == ANSWERING and first.prompt_line == "self's line:"
    assert first.flow.picture(first.values)[0] == "def _backward():   # out = self + other"
    assert not first.answer("self.grad = out.grad")
    assert first.answer("self.grad += 1.0 * out.grad")
    assert first.flow.picture(first.values)[1] == "✓ self.grad += 1.0 * out.grad   ▶ other's line"
    first.leave()

    again = session(tmp_path)
    assert again.asked == "add:other" and again.resumed
    assert again.flow.picture(again.values)[1] == "✓ self.grad += 1.0 * out.grad   ▶ other's line"
    for key in again.flow.exercise.order[1:]:
        assert again.answer(answer_of(key))
    assert again.phase == DONE and again.status()[0].text.startswith("All 4 lines in: 4 written by you")


def test_a_line_edited_in_the_log_to_a_wrong_one_is_asked_again(tmp_path):
    first = session(tmp_path)
    first.go_on()
    first.answer("self.grad += out.grad")
    first.leave()
    store = ProgressStore(tmp_path).load()
    for attempt in store.attempts:
        attempt["text"] = "self.grad = out.grad"  # as if the file had been edited by hand
    again = LessonSession(LESSON, store)
    assert again.asked == "add:self"


def test_trace_lists_each_rule_with_micrograds_line_and_its_check_points():
    data = trace(LESSON, None, 2)
    assert data["kind"] == "rules"
    assert [(rule["rule"], rule["answer"]) for rule in data["rules"]] == [
        ("tanh:self", "self.grad += (1 - t**2) * out.grad"), ("relu:self", "self.grad += (out.data > 0) * out.grad")]
    assert all(len(rule["points"]) == len(rule["local_grads"]) == 8 for rule in data["rules"])
    json.dumps(data)


def test_trace_from_the_command_line_prints_the_rules():
    result = subprocess.run([sys.executable, "-m", "tui_grad", "trace", "backward-rules", "--part", "1"],
                            capture_output=True, text=True, timeout=120, check=False,
                            env={"COLUMNS": "120", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "other.grad += self.data * out.grad" in result.stdout and "add:other" in result.stdout


def test_line_mode_leaves_and_comes_back_mid_lesson(tmp_path):
    def plain(lines):
        out = io.StringIO()
        run_plain(CATALOG, "backward-rules", ProgressStore(tmp_path).load(), None,
                  stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=out)
        return out.getvalue()

    first = plain(["", "self.grad += out.grad", "other.grad = out.grad", "lessons"])
    assert "the path through the other use is lost" in first
    second = plain(["other.grad += out.grad", "self.grad += other.data * out.grad", "lessons"])
    assert "Resuming at part 1 of 3, question other's line." in second
    assert "✓ self.grad += out.grad   ▶ other's line" in second  # the line written before is shown again
    assert "Question 3 of 4." in second and "Traceback" not in second


def test_the_class_view_and_the_export_show_the_lines_as_text(tmp_path):
    home = tmp_path / "class" / "alice"
    first = session(home)
    first.go_on()
    first.answer("self.grad = out.grad")
    first.answer("self.grad += out.grad")
    first.leave()
    environment = {"PATH": "", "COLUMNS": "120", "HOME": str(tmp_path), "TUI_GRAD_HOME": str(home)}
    table = subprocess.run([sys.executable, "-m", "tui_grad", "class", str(tmp_path / "class"), "--export", "csv"],
                           capture_output=True, text=True, timeout=120, check=False, env=environment)
    assert table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    [row] = [row for row in rows if row["table"] == "node" and row["node"] == "add:self"]
    assert (row["lesson"], row["tried"], row["right_first_time"], row["mistakes"]) == (
        "backward-rules", "1", "0", "assign ×1")
    export = subprocess.run([sys.executable, "-m", "tui_grad", "progress", "--export", "jsonl"],
                            capture_output=True, text=True, timeout=120, check=False, env=environment)
    assert export.returncode == 0, export.stderr
    lines = [json.loads(row) for row in export.stdout.splitlines()]
    assert [(row["node"], row["text"], row["mistake"]) for row in lines] == [
        ("add:self", "self.grad = out.grad", "assign"), ("add:self", "self.grad += out.grad", None)]


def test_a_review_of_the_rules_skill_asks_rules_from_the_lesson():
    from tui_grad.core.review import review_lesson

    lesson = review_lesson(CATALOG, "rules", 3)
    assert lesson is not None and lesson.id == "review-rules"
    [part] = lesson.parts
    assert part.kind == "rules" and part.ask and all(":" in key for key in part.ask)
    session = LessonSession(lesson, None, review="rules")
    assert session.asked == part.ask[0]
    for key in part.ask:
        assert session.answer(answer_of(key))
