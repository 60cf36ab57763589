"""`tui-grad progress` (lessons, skills, the file; --export for instructors) and `tui-grad reset`."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_grad.cli import main
from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import FILE_NAME, ProgressStore
from tui_grad.core.safe_text import safe_text, unsafe_characters

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A learner's own progress folder, as on a lab machine with TUI_GRAD_HOME set."""
    monkeypatch.setenv("TUI_GRAD_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def lesson():
    """A shipped lesson to make progress in."""
    return load_catalog().find("chain-rule")


class Terminal(io.StringIO):
    """Standard input typed at a terminal."""

    def isatty(self) -> bool:
        return True


def save_some_progress(home, lesson_id: str, *, finished: bool = False) -> ProgressStore:
    store = ProgressStore(home).load()
    record = store.lesson(lesson_id)
    record.finished = finished
    record.part_progress(0).status["L"] = "earned"
    store.record({"lesson": lesson_id, "part": 1, "node": "L", "kind": "gradient", "text": "1", "value": 1.0,
                  "correct": True, "shown": False, "mistake": None, "hints": 0, "skills": [], "seed": None,
                  "at": 1_700_000_000.25})
    store.record({"lesson": lesson_id, "part": 1, "node": "d", "kind": "gradient", "text": "=HYPERLINK(1), x",
                  "value": 4.0, "correct": False, "shown": False, "mistake": "value-not-gradient", "hints": 1,
                  "skills": ["product", "chain"], "seed": 12, "at": 1_700_000_060.0})
    assert store.save() is None
    return store


def test_progress_with_nothing_saved_lists_lessons_not_started_and_says_where_the_file_goes(home, capsys):
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "chain-rule" in out and "not started" in out
    assert "not tried" in out and "product" in out and "update" in out
    assert "Progress file:" in out and "nothing saved yet" in out
    assert str(home / FILE_NAME) in out.replace("\n", "")  # a long path wraps at the terminal's width


def test_progress_shows_the_part_and_finished_lessons(home, lesson, capsys):
    store = save_some_progress(home, "chain-rule")
    store.lesson("chain-rule").part = 0
    save_some_progress(home, "no-longer-installed", finished=True)
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    count = len(getattr(lesson, "parts", ()) or ())
    expected = f"part 1 of {count}" if count else "part 1"
    line = next(line for line in out.splitlines() if "chain-rule" in line)
    assert expected in line
    line = next(line for line in out.splitlines() if "no-longer-installed" in line)
    assert "finished" in line and "not installed" in line
    line = next(line for line in out.splitlines() if line.startswith("│ product"))
    assert "0 of 2" in line and "practising" in line  # two wrong first answers
    assert "To review next time:" in out
    assert "nothing saved yet" not in out


def test_progress_tells_the_learner_about_a_damaged_file(home, capsys):
    (home / FILE_NAME).write_text("{ truncated", encoding="utf-8")
    assert main(["progress"]) == 0
    assert "damaged" in capsys.readouterr().err


def test_export_csv_has_a_header_and_one_row_per_attempt_with_utc_times(home, capsys):
    save_some_progress(home, "chain-rule")
    assert main(["progress", "--export", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["node"] for row in rows] == ["L", "d"]
    right, wrong = rows
    assert right["time"] == "2023-11-14T22:13:20.250Z"
    assert (right["lesson"], right["part"], right["text"], right["value"], right["result"]) == (
        "chain-rule", "1", "1", "1.0", "right")
    assert (wrong["result"], wrong["mistake"], wrong["hints"], wrong["skills"], wrong["seed"]) == (
        "wrong", "value-not-gradient", "1", "product chain", "12")
    assert wrong["text"] == "'=HYPERLINK(1), x"  # quoted, read back exactly, and never run as a formula


def _record(home, **fields) -> None:
    store = ProgressStore(home).load()
    store.record({"lesson": "chain-rule", "node": "L", "value": 1.0, "correct": True, "at": 1_700_000_000.0,
                  **fields})
    assert store.save() is None


@pytest.mark.parametrize(("start", "shown"), [("=", "'="), ("+", "'+"), ("-", "'-"), ("@", "'@"), ("\t", "'\t"),
                                             ("\r", "\u240d")])  # a CR is shown as ␍, which nothing runs
def test_export_csv_neutralises_every_cell_a_spreadsheet_would_run(home, capsys, start, shown):
    _record(home, lesson=f"{start}lesson", node=f"{start}node", kind=f"{start}kind", text=f"{start}1+1",
            mistake=f"{start}cmd|' /C calc'!A0", skills=[f"{start}skill"], practice_skill=f"{start}chain",
            formula=f"{start}x**2", level=f"{start}2")
    assert main(["progress", "--export", "csv"]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    for column in ("lesson", "node", "kind", "text", "mistake", "skills", "practice_skill", "formula", "level"):
        assert row[column].startswith(shown), (column, row[column])


def test_export_csv_leaves_negative_numbers_as_numbers(home, capsys):
    _record(home, value=-2.5, seed=-6, level=-6)
    assert main(["progress", "--export", "csv"]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (row["value"], row["seed"], row["level"]) == ("-2.5", "-6", "-6")  # no ' in front: a spreadsheet sums them


def test_export_survives_a_time_no_calendar_holds(home, capsys):
    for moment in (1e20, -1e20, 1_700_000_000.0):
        _record(home, at=moment, text=str(moment))
    assert main(["progress", "--export", "csv"]) == 0
    times = [row["time"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert times == ["not a date: 1e+20", "not a date: -1e+20", "2023-11-14T22:13:20.000Z"]
    assert main(["progress", "--export", "jsonl"]) == 0
    assert next(json.loads(line)["time"] for line in capsys.readouterr().out.splitlines()) == "not a date: 1e+20"


HOSTILE = "\x1b]0;pwned\x07\x1b[2J \x9b31m \u202eabc"
"""An OSC title, a screen clear, a C1 control sequence introducer and a right-to-left override."""


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_export_shows_a_progress_files_terminal_controls_as_glyphs(home, capsys, export_format):
    _record(home, lesson=f"chain{HOSTILE}", node=f"L{HOSTILE}", kind=HOSTILE, text=HOSTILE, mistake=HOSTILE,
            skills=[HOSTILE], level=HOSTILE, practice_skill=HOSTILE, formula=HOSTILE, **{f"note{HOSTILE}": [HOSTILE]})
    assert main(["progress", "--export", export_format]) == 0
    out = capsys.readouterr().out
    assert not unsafe_characters(out.replace("\r\n", "\n")), out
    shown = safe_text(HOSTILE)  # as `class --export` and every screen show them: ␛]0;pwned␇␛[2J <U+009B>31m …
    if export_format == "csv":
        row = next(csv.DictReader(io.StringIO(out, newline="")))
        for column in ("kind", "text", "mistake", "skills", "level", "practice_skill", "formula"):
            assert row[column] == shown, column
        assert (row["lesson"], row["node"]) == (f"chain{shown}", f"L{shown}")
    else:
        line = json.loads(out)
        assert (line["text"], line["skills"], line["lesson"]) == (shown, [shown], f"chain{shown}")
        assert line[f"note{shown}"] == [shown]


def test_export_carries_the_level_skill_and_seed_of_practice_answers_and_a_formula(home, capsys):
    _record(home, lesson="practice", seed=41, level=3, practice_skill="chain")
    _record(home, lesson="formula", node="x", formula="(x+2)**2", at=1_700_000_001.0)
    assert main(["progress", "--export", "csv"]) == 0
    practice, formula = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert (practice["level"], practice["practice_skill"], practice["seed"]) == ("3", "chain", "41")
    assert formula["formula"] == "(x+2)**2" and formula["level"] == ""
    assert main(["progress", "--export", "jsonl"]) == 0
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (first["level"], first["practice_skill"], first["seed"]) == (3, "chain", 41)


def test_export_into_a_closed_pipe_ends_quietly(home):
    store = ProgressStore(home).load()
    for number in range(3000):
        store.record({"lesson": "chain-rule", "node": f"n{number}", "value": 1.0, "correct": True,
                      "at": 1_700_000_000.0 + number})
    assert store.save() is None
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), "TUI_GRAD_HOME": str(home)}
    child = subprocess.Popen([sys.executable, "-m", "tui_grad", "progress", "--export", "csv"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    assert child.stdout.readline().startswith(b"time,lesson")
    child.stdout.close()  # `| head -1`
    errors = child.stderr.read().decode()
    assert child.wait(timeout=60) == 0, errors
    assert errors == ""


def test_export_jsonl_to_a_file(home, tmp_path, capsys):
    save_some_progress(home, "chain-rule")
    target = tmp_path / "class" / "attempts.jsonl"
    target.parent.mkdir()
    assert main(["progress", "--export", "jsonl", "--output", str(target)]) == 0
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["node"] for line in lines] == ["L", "d"]
    assert lines[1]["time"] == "2023-11-14T22:14:20.000Z"
    assert lines[1]["correct"] is False and lines[1]["mistake"] == "value-not-gradient"
    assert "wrote 2 attempts" in capsys.readouterr().err


def test_export_with_no_attempts_is_just_the_header(home, capsys):
    assert main(["progress", "--export", "csv"]) == 0
    assert capsys.readouterr().out.strip() == ("time,lesson,part,node,kind,text,value,result,mistake,hints,skills,"
                                               "seed,level,practice_skill,formula")


def test_export_to_a_place_that_cannot_be_written_says_so(home, tmp_path, capsys):
    assert main(["progress", "--export", "csv", "--output", str(tmp_path / "missing" / "x.csv")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_output_without_export_is_refused(home, tmp_path, capsys):
    assert main(["progress", "--output", str(tmp_path / "x.csv")]) == 2
    assert "--export" in capsys.readouterr().err


def test_reset_asks_and_yes_resets_one_lesson(home, lesson, monkeypatch, capsys):
    save_some_progress(home, "chain-rule")
    save_some_progress(home, "other")
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(["reset", "chain-rule"]) == 0
    out = capsys.readouterr().out
    assert f"Reset progress for '{lesson.title}' (chain-rule)? [y/N]" in out
    store = ProgressStore(home).load()
    assert not store.lesson("chain-rule").started
    assert {attempt["lesson"] for attempt in store.attempts} == {"other"}


@pytest.mark.parametrize("reply", ["\n", "n\n", "no\n", ""])
def test_reset_does_nothing_unless_the_answer_is_yes(home, monkeypatch, capsys, reply):
    save_some_progress(home, "chain-rule")
    before = (home / FILE_NAME).read_bytes()
    monkeypatch.setattr("sys.stdin", Terminal(reply))
    assert main(["reset"]) == 1
    assert "Reset progress for every lesson? [y/N]" in capsys.readouterr().out
    assert (home / FILE_NAME).read_bytes() == before


def test_reset_without_a_terminal_refuses_unless_yes(home, monkeypatch, capsys):
    save_some_progress(home, "chain-rule")
    before = (home / FILE_NAME).read_bytes()
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert main(["reset"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert (home / FILE_NAME).read_bytes() == before
    assert main(["reset", "--yes"]) == 0
    store = ProgressStore(home).load()
    assert store.lessons == {} and store.attempts == []


def test_reset_of_an_unknown_lesson_is_status_2(home, capsys):
    assert main(["reset", "no-such-lesson", "--yes"]) == 2
    assert "no lesson called 'no-such-lesson'" in capsys.readouterr().err


def test_reset_with_nothing_saved_says_so(home, capsys):
    assert main(["reset", "--yes"]) == 0
    assert "Nothing to reset" in capsys.readouterr().out


def test_reset_never_overwrites_a_file_from_a_newer_tui_grad(home, capsys):
    newer = b'{"format": "tui-grad-progress", "version": 3, "lessons": {"chain-rule": {}}}'
    (home / FILE_NAME).write_bytes(newer)
    assert main(["reset", "chain-rule", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "newer tui-grad" in err and "cannot be saved" in err
    assert (home / FILE_NAME).read_bytes() == newer
