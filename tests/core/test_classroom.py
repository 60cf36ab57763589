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

from tui_grad.core.activity import Activity
from tui_grad.core.classroom import export, read_class
from tui_grad.core.progress import ProgressStore

REPOSITORY = Path(__file__).resolve().parents[2]
PAIR_COLUMNS = ("learner", "lesson", "part", "node", "tries", "first_try_right", "mistakes", "hints")


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
    assert {line["table"] for line in lines} == {"learner", "node", "learner_node", "unreadable"}
    assert next(line for line in lines if line.get("node") == "d")["mistakes"] == [{"mistake": "sign", "count": 1}]
    pairs = [row for row in table if row["table"] == "learner_node"]
    assert [{key: row[key] for key in PAIR_COLUMNS} for row in pairs] == [
        {"learner": "ada", "lesson": "chain-rule", "part": "1", "node": "L", "tries": "1", "first_try_right": "True",
         "mistakes": "", "hints": "0"},
        {"learner": "ada", "lesson": "chain-rule", "part": "1", "node": "d", "tries": "1", "first_try_right": "True",
         "mistakes": "", "hints": "0"},
        {"learner": "bob", "lesson": "chain-rule", "part": "1", "node": "L", "tries": "2", "first_try_right": "False",
         "mistakes": "value-not-gradient ×1", "hints": "1"},
        {"learner": "bob", "lesson": "chain-rule", "part": "1", "node": "d", "tries": "1", "first_try_right": "False",
         "mistakes": "sign ×1", "hints": "0"}]
    bob_l = next(line for line in lines if line["table"] == "learner_node" and line["learner"] == "bob")
    assert (bob_l["tries"], bob_l["first_try_right"], bob_l["mistakes"]) == (
        2, False, [{"mistake": "value-not-gradient", "count": 1}])


def test_each_learner_on_each_node_seen_from_either_side(classroom, catalog):
    view = read_class(classroom, catalog)
    assert [(row.node, row.tries, row.mistakes) for row in view.of_learner("bob")] == [
        ("L", 2, (("value-not-gradient", 1),)), ("d", 1, (("sign", 1),))]
    assert [(row.learner, row.first_try_right) for row in view.of_node("chain-rule", 1, "L")] == [
        ("ada", True), ("bob", False)]


def test_learners_go_by_their_roster_names_and_any_marked_action_counts_as_activity(classroom, catalog):
    (classroom / ".lab-roster.json").write_text(json.dumps({"ada": "Ada King", "bob": "Bob \u001b[31m"}))
    Activity(classroom / "ada").mark()
    later = 1_900_000_000.0
    os.utime(classroom / "ada" / ".active", (later, later))
    view = read_class(classroom, catalog)
    rows = {row.folder: row for row in view.learners}
    assert (rows["ada"].learner, rows["bob"].learner, rows["cy"].learner) == ("Ada King", "Bob ␛[31m", "cy")
    assert rows["ada"].last_active == later and rows["bob"].last_active < later  # ada: her last key, not answer
    assert {row.learner for row in view.learner_nodes} == {"Ada King", "Bob ␛[31m"}


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
    learner, node, pair = csv.DictReader(io.StringIO(export(read_class(tmp_path, catalog), "csv"), newline=""))
    assert (pair["learner"], pair["node"], pair["mistakes"]) == (f"{shown}eve", f"{shown}1+1", f"{shown}SUM(A1) ×1")
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


def test_line_mode_marks_its_learner_active_too(tmp_path, catalog):
    from tests.core.test_plain import run

    home = tmp_path / "grace"
    home.mkdir(mode=0o700)  # as a lab makes it
    status, _out = run(["q"], home, lesson=None)
    assert status == 0 and (home / ".active").is_file()
    [row] = read_class(tmp_path, catalog).learners
    assert row.answers == 0 and row.last_active is not None
