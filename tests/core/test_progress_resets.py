"""Answers never vanish after a reset, whatever happened to the log or the markers since (issue 22),
and numbers too big to read are damaged data, never a traceback."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import pytest

from tui_grad.cli import main
from tui_grad.core.progress import FILE_NAME, LOG_NAME, ProgressStore


def answer(store: ProgressStore, node: str, lesson: str = "chain-rule") -> None:
    """A right answer, as the tutor saves it; the save must be acknowledged."""
    store.lesson(lesson).part_progress(0).status[node] = "earned"
    store.record({"lesson": lesson, "part": 0, "node": node, "kind": "gradient", "text": "1", "value": 1.0,
                  "correct": True, "shown": False, "mistake": None, "hints": 0, "skills": ["chain"], "seed": None})
    assert store.save() is None


def exported(home: Path, capsys) -> list[dict]:
    assert main(["progress", "--export", "csv"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


CASES = list(itertools.product(("one lesson", "every lesson"), ("kept", "damaged", "deleted"),
                               ("no marker", "garbage marker")))


@pytest.mark.parametrize(("reset", "log", "marker"), CASES)
def test_every_acknowledged_answer_after_a_reset_shows(tmp_path, monkeypatch, capsys, reset, log, marker):
    monkeypatch.setenv("TUI_GRAD_HOME", str(tmp_path))
    before = ProgressStore(tmp_path).load()
    for node in ("a", "b", "c", "d", "e", "f", "g"):
        answer(before, node)
    before.reset("chain-rule" if reset == "one lesson" else None)
    assert before.save() is None
    if log == "damaged":
        (tmp_path / LOG_NAME).write_bytes(b"\x00garbage\n{not json\n")
    elif log == "deleted":
        (tmp_path / LOG_NAME).unlink()
    if marker == "garbage marker":
        state = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
        state["resets"]["*"] = {"generation": 10**9, "seq": 10**9, "at": 0.0}
        (tmp_path / FILE_NAME).write_text(json.dumps(state), encoding="utf-8")

    after = ProgressStore(tmp_path).load()
    if marker == "garbage marker":
        assert any("points past anything saved" in warning for warning in after.warnings), after.warnings
    for node in ("L", "f", "e", "d"):
        answer(after, node)

    again = ProgressStore(tmp_path).load()
    assert [a["node"] for a in again.attempts] == ["L", "f", "e", "d"]
    assert sorted(again.lessons["chain-rule"].parts[0].status) == ["L", "d", "e", "f"]
    assert again.history.count == 4
    assert [row["node"] for row in exported(tmp_path, capsys)] == ["L", "f", "e", "d"]


def test_numbering_goes_on_from_the_reset_even_when_the_log_is_gone(tmp_path):
    store = ProgressStore(tmp_path).load()
    for node in "abc":
        answer(store, node)
    store.reset(None)
    assert store.save() is None
    (tmp_path / LOG_NAME).unlink()
    after = ProgressStore(tmp_path).load()
    answer(after, "L")
    assert after.attempts[0]["seq"] == 4
    assert json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))["seq"] == 4


BIG = "1" + "0" * 400


@pytest.mark.parametrize("where", ["an answer", "a hint count", "a part", "the generation", "a reset"])
def test_a_number_too_big_in_the_state_file_is_set_aside(tmp_path, where):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    answer(store, "L", lesson="two-paths")
    text = (tmp_path / FILE_NAME).read_text(encoding="utf-8")
    state = json.loads(text)
    lesson = state["lessons"]["chain-rule"]
    if where == "an answer":
        lesson["parts"][0]["answers"]["L"] = "BIG"
    elif where == "a hint count":
        lesson["parts"][0]["hints"]["L"] = "BIG"
    elif where == "a part":
        lesson["part"] = "BIG"
    elif where == "the generation":
        state["generation"] = "BIG"
    else:
        state["resets"]["neuron"] = {"generation": "BIG", "seq": 1, "at": 0.0}
    (tmp_path / FILE_NAME).write_text(json.dumps(state).replace('"BIG"', BIG), encoding="utf-8")

    again = ProgressStore(tmp_path).load()
    assert any("could not be read" in warning for warning in again.warnings), again.warnings
    assert again.lessons["two-paths"].parts[0].status == {"L": "earned"}  # the rest loads
    assert len(again.attempts) == 2
    assert list(tmp_path.glob("progress.damaged-*"))


@pytest.mark.parametrize("field", ["value", "at", "seq", "part", "hints"])
def test_a_number_too_big_in_a_line_of_the_log_is_set_aside(tmp_path, field):
    store = ProgressStore(tmp_path).load()
    for node in "abc":
        answer(store, node)
    log = tmp_path / LOG_NAME
    lines = log.read_text(encoding="utf-8").splitlines()
    line = json.loads(lines[2])
    line[field] = "BIG"
    lines[2] = json.dumps(line).replace('"BIG"', BIG)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    state = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    del state["history"]  # as an older tutor would leave it: the start reads the whole log
    (tmp_path / FILE_NAME).write_text(json.dumps(state), encoding="utf-8")

    again = ProgressStore(tmp_path).load()
    assert [a["node"] for a in again.attempts] == ["a", "c"]
    assert any("could not be read" in warning and "kept in" in warning for warning in again.warnings)
    assert list(tmp_path.glob("attempts.damaged-*"))


def test_a_lesson_record_with_too_many_parts_is_set_aside_quickly(tmp_path):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    answer(store, "L", lesson="two-paths")
    state = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    state["lessons"]["chain-rule"]["parts"] = [{"status": {}}] * 200_000
    (tmp_path / FILE_NAME).write_text(json.dumps(state), encoding="utf-8")
    again = ProgressStore(tmp_path).load()
    assert any("200,000 parts" in warning for warning in again.warnings), again.warnings
    assert again.lessons["two-paths"].parts[0].status == {"L": "earned"}
