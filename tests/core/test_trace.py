"""`tui-grad trace`, `list` and `check`, called through the command line's own entry point."""

from __future__ import annotations

import json

import pytest

from tui_grad.cli import main

from tests.conftest import GOOD_LESSON


def test_trace_json_shape_and_numbers(capsys):
    assert main(["trace", "chain-rule", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"lesson", "output", "nodes", "backward", "updates"}
    assert data["lesson"] == "chain-rule" and data["output"] == "L"
    assert [node["name"] for node in data["nodes"]] == ["a", "b", "e", "c", "d", "f", "L"]
    assert data["nodes"][0] == {"name": "a", "op": "", "data": 2.0, "grad": 6.0, "children": []}
    assert data["nodes"][2] == {"name": "e", "op": "*", "data": -6.0, "grad": -2.0, "children": ["a", "b"]}
    assert data["backward"][0] == {"node": "L", "child": "d", "local_grad": -2.0, "upstream_grad": 1.0,
                                   "contribution": -2.0}
    assert [(s["node"], s["child"]) for s in data["backward"]] == [
        ("L", "d"), ("L", "f"), ("d", "e"), ("d", "c"), ("e", "a"), ("e", "b")]
    [update] = data["updates"]
    assert update["step"] == 1
    assert update["params"] == pytest.approx({"a": 2.06, "b": -3.04, "c": 9.98, "f": -1.96})
    assert update["output"] == pytest.approx(-7.286496, abs=1e-9)


def test_trace_steps_option(capsys):
    assert main(["trace", "chain-rule", "--json", "--steps", "3"]) == 0
    updates = json.loads(capsys.readouterr().out)["updates"]
    assert [u["step"] for u in updates] == [1, 2, 3]


def test_trace_tables_for_people(capsys):
    assert main(["trace", "chain-rule"]) == 0
    out = capsys.readouterr().out
    assert "L → d" in out and "-7.286496" in out and "dL/dnode" in out


def test_trace_of_a_bug_hunt_shows_the_buggy_pass_first(capsys):
    """What the learner watches (`=` in place of `+=`: a's 3 from c is lost to b's 6), then the real pass."""
    assert main(["trace", "two-bugs", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    buggy = data["buggy_backward"]
    assert [(s["node"], s["child"]) for s in buggy] == [(s["node"], s["child"]) for s in data["backward"]]
    assert buggy[-1] == {"node": "b", "child": "a", "local_grad": 6.0, "upstream_grad": 1.0, "contribution": 6.0,
                         "lost": 3.0}
    assert next(node["grad"] for node in data["nodes"] if node["name"] == "a") == 9.0
    assert main(["trace", "two-bugs"]) == 0
    out = capsys.readouterr().out
    assert out.index("The buggy pass") < out.index("Backward pass, in the order the engine ran it")
    assert main(["trace", "chain-rule", "--json"]) == 0
    assert "buggy_backward" not in json.loads(capsys.readouterr().out)


def test_unknown_lesson_is_a_message_not_a_traceback(capsys):
    assert main(["trace", "nope"]) == 2
    assert "no lesson called 'nope'" in capsys.readouterr().err


def test_list_shows_every_lesson(capsys):
    assert main(["list"]) == 0
    assert "chain-rule" in capsys.readouterr().out


def test_check_reports_file_line_and_exit_status(capsys, write_lesson, tmp_path):
    write_lesson(GOOD_LESSON, "good.toml")
    bad = write_lesson(GOOD_LESSON.replace('"p = x * y"', '"p = x * z"'), "bad.toml")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"✗ {bad}:8: " in out and "unknown name 'z'" in out
    assert "1 fine, 1 broken" in out
    assert main(["check", str(tmp_path / "good.toml")]) == 0


def test_trace_of_a_network_part_gives_each_training_step(capsys):
    """small-network said "no part None to trace": its training is what there is to see."""
    assert main(["trace", "small-network", "--json", "--steps", "5"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "network" and data["network"]["dataset"] == "moons"
    assert [step["step"] for step in data["steps"]] == [1, 2, 3, 4, 5]
    losses = [step["loss"] for step in data["steps"]]
    assert losses[-1] < losses[0] and all(0 <= step["accuracy"] <= 1 for step in data["steps"])
    assert main(["trace", "small-network", "--steps", "5"]) == 0
    table = capsys.readouterr().out
    assert "step" in table and "loss" in table and "accuracy" in table and "None" not in table
    rows = [line for line in table.splitlines() if line.startswith("│")]
    assert len(rows) == 5 and rows[0].split("│")[1].strip() == "1"


@pytest.mark.parametrize(("args", "words"), [
    (["small-network", "--part", "2"], "no part 2 to trace (it has 1 part; parts to trace: 1)"),
    (["line-fit", "--part", "7"], "no part 7 to trace (it has 3 parts; parts to trace: 1, 2, 3)"),
])
def test_trace_of_a_part_that_is_not_there_says_which_are(capsys, args, words):
    assert main(["trace", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "None" not in err and "no part with a graph" not in err
