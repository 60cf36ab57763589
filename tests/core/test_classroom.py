"""The class at a glance, from learners' progress folders as the tutor saves them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_grad.core.classroom import export, read_class
from tui_grad.core.progress import ProgressStore

REPOSITORY = Path(__file__).resolve().parents[2]


def answer(store: ProgressStore, node: str, text: str, correct: bool, at: float, *, mistake: str | None = None,
           hints: int = 0, lesson: str = "chain-rule", shown: bool = False) -> None:
    store.record({"lesson": lesson, "part": 1, "node": node, "kind": "gradient", "text": text,
                  "value": float(text) if text else None, "correct": correct, "shown": shown, "mistake": mistake,
                  "hints": hints, "skills": ["chain"] if node != "L" else [], "at": at})


@pytest.fixture
def classroom(tmp_path):
    """Three learners: one finished chain-rule, one half-way with mistakes, one damaged file; plus
    a folder that is not a learner (the lab's dot files)."""
    ada = ProgressStore(tmp_path / "ada").load()
    answer(ada, "L", "1", True, 100.0)
    answer(ada, "d", "-2", True, 101.0)
    ada.lesson("chain-rule").finished = True
    assert ada.save() is None
    bob = ProgressStore(tmp_path / "bob").load()
    answer(bob, "L", "-8", False, 200.0, mistake="value-not-gradient")
    answer(bob, "L", "1", True, 201.0, hints=1)
    answer(bob, "d", "2", False, 202.0, mistake="sign")
    bob.lesson("chain-rule").part_progress(0).status["L"] = "earned"
    assert bob.save() is None
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "progress.json").write_text("{ not json", encoding="utf-8")
    (tmp_path / ".lab").mkdir()
    return tmp_path


def test_one_row_per_learner_and_per_node_and_damaged_files_listed(classroom, catalog):
    view = read_class(classroom, catalog)
    rows = {row.learner: row for row in view.learners}
    assert sorted(rows) == ["ada", "bob", "cy"]
    assert (rows["ada"].finished, rows["ada"].now, rows["ada"].answers) == (1, "—", 2)
    assert rows["bob"].now == "chain-rule: in progress (1 found)"
    assert rows["bob"].last_active >= 202.0 and rows["cy"].last_active is None
    [damaged] = view.unreadable
    assert damaged.learner == "cy" and "damaged" in damaged.reason
    nodes = {(row.lesson, row.node): row for row in view.nodes}
    assert (nodes["chain-rule", "L"].tried, nodes["chain-rule", "L"].right_first_time) == (2, 1)
    assert nodes["chain-rule", "L"].mistakes == (("value-not-gradient", 1),)
    assert nodes["chain-rule", "L"].hints == 1
    assert (nodes["chain-rule", "d"].tried, nodes["chain-rule", "d"].right_first_time) == (2, 1)


def test_exports_write_the_same_tables(classroom, catalog):
    view = read_class(classroom, catalog)
    table = list(csv.DictReader(io.StringIO(export(view, "csv"))))
    assert [row["learner"] for row in table if row["table"] == "learner"] == ["ada", "bob", "cy"]
    node_l = next(row for row in table if row["table"] == "node" and row["node"] == "L")
    assert (node_l["tried"], node_l["right_first_time"], node_l["mistakes"]) == ("2", "1", "value-not-gradient ×1")
    assert [row["learner"] for row in table if row["table"] == "unreadable"] == ["cy"]
    lines = [json.loads(line) for line in export(view, "jsonl").splitlines()]
    assert {line["table"] for line in lines} == {"learner", "node", "unreadable"}
    assert next(line for line in lines if line.get("node") == "d")["mistakes"] == [{"mistake": "sign", "count": 1}]


def test_class_command_exports_and_reports_unreadable_files_without_failing(classroom, tmp_path):
    output = tmp_path / "class.csv"
    done = subprocess.run([sys.executable, "-m", "tui_grad", "class", str(classroom), "--export", "csv",
                           "--output", str(output)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
    assert done.returncode == 0, done.stderr
    assert "cy:" in done.stderr and "damaged" in done.stderr
    assert "ada" in output.read_text(encoding="utf-8")
    missing = subprocess.run([sys.executable, "-m", "tui_grad", "class", str(tmp_path / "nowhere")],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
    assert missing.returncode == 2 and "is not a folder" in missing.stderr


def test_a_learner_name_with_terminal_controls_is_made_safe(tmp_path, catalog):
    hostile = "eve\x1b]52;c;aGk=\x07"
    ProgressStore(tmp_path / hostile).load().save()
    view = read_class(tmp_path, catalog)
    assert "\x1b" not in view.learners[0].learner and "\x07" not in view.learners[0].learner


@pytest.mark.parametrize(("start", "shown"), [("=", "'="), ("+", "'+"), ("-", "'-"), ("@", "'@"), ("\t", "'\t"),
                                             ("\r", "\u240d")])  # a CR is shown as ␍, which nothing runs
def test_csv_export_neutralises_every_cell_a_spreadsheet_would_run(tmp_path, catalog, start, shown):
    lesson = f'{start}HYPERLINK("http://x")'
    eve = ProgressStore(tmp_path / f"{start}eve").load()
    answer(eve, f"{start}1+1", "1", False, 100.0, mistake=f"{start}SUM(A1)", lesson=lesson)
    eve.lesson(lesson).part_progress(0).status["L"] = "earned"
    assert eve.save() is None
    learner, node = csv.DictReader(io.StringIO(export(read_class(tmp_path, catalog), "csv"), newline=""))
    assert (learner["learner"], learner["now"]) == (f"{shown}eve", f'{shown}HYPERLINK("http://x"): part 1')
    assert (node["lesson"], node["node"], node["mistakes"]) == (
        f'{shown}HYPERLINK("http://x")', f"{shown}1+1", f"{shown}SUM(A1) ×1")


def test_exports_survive_a_time_no_calendar_holds(tmp_path, catalog):
    for name, moment in (("far", 1e20), ("past", -1e20), ("now", 1_700_000_000.0)):
        store = ProgressStore(tmp_path / name).load()
        answer(store, "L", "1", True, moment)
        assert store.save() is None
    view = read_class(tmp_path, catalog)  # (a record updated at inf or NaN is set aside by the loader)
    expected = {"far": "not a date: 1e+20", "now": "2023-11-14T22:13:20Z", "past": "not a date: -1e+20"}
    table = csv.DictReader(io.StringIO(export(view, "csv")))
    assert {row["learner"]: row["last_active"] for row in table if row["table"] == "learner"} == expected
    lines = [json.loads(line) for line in export(view, "jsonl").splitlines()]
    assert {line["learner"]: line["last_active"] for line in lines if line["table"] == "learner"} == expected


def test_reading_the_class_leaves_no_trace_in_a_learners_folder(classroom, catalog):
    """The instructor's view reads: no lock file appears, a damaged file stays where the learner's
    own tutor will set it aside, and it is listed on every refresh."""
    before = {path: path.stat().st_mtime_ns for path in classroom.rglob("*")}
    for _ in range(2):
        view = read_class(classroom, catalog)
        assert [row.learner for row in view.unreadable] == ["cy"]
    after = {path: path.stat().st_mtime_ns for path in classroom.rglob("*")}
    assert after == before
