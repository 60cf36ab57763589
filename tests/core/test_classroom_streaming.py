"""The class reads each learner's log a block at a time and keeps only tallies: the same tables as
reading every answer at once (the way it was done before), on varied logs with damaged lines, and a
bound on what a forged log can make it keep."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tui_grad.core import classroom, progress
from tui_grad.core.classroom import LearnerNodeRow, NodeRow, read_class
from tui_grad.core.progress import ProgressStore
from tui_grad.core.skills import first_tries, mastery, right_first_time

NODES = ("L", "d", "e", "f")
MISTAKES = (None, None, "sign", "value-not-gradient", "forgot-local")


def full_read_rows(attempts_by_learner: dict[str, list[dict]], order: dict[str, int]) -> tuple[list, list]:
    """The node and learner-node rows as the class made them before: every answer held, sorted by time."""
    def key_order(key: tuple) -> tuple:
        return order.get(key[0], len(order)), key[0], key[1]

    pairs: list[LearnerNodeRow] = []
    tried: dict[tuple, set[str]] = {}
    right: Counter[tuple] = Counter()
    every: dict[tuple, Counter[str]] = {}
    hints_sum: Counter[tuple] = Counter()
    for learner, attempts in attempts_by_learner.items():
        ordered = sorted(attempts, key=lambda attempt: attempt["at"])
        tries: Counter[tuple] = Counter()
        mistakes: dict[tuple, Counter[str]] = {}
        hints: dict[tuple, int] = {}
        for attempt in ordered:
            key = (attempt["lesson"], attempt["part"], attempt["node"])
            hints[key] = max(hints.get(key, 0), attempt["hints"])
            mistakes.setdefault(key, Counter())
            tried.setdefault(key, set()).add(learner)
            if not attempt.get("shown"):
                tries[key] += 1
            if attempt["mistake"]:
                mistakes[key][attempt["mistake"]] += 1
                every.setdefault(key, Counter())[attempt["mistake"]] += 1
        firsts: dict[tuple, Mapping[str, Any]] = {}
        for first in first_tries(ordered):
            firsts.setdefault((first["lesson"], first["part"], first["node"]), first)
        right.update(key for key, first in firsts.items() if right_first_time(first))
        hints_sum.update(hints)
        for key in sorted(mistakes, key=key_order):
            pairs.append(LearnerNodeRow(learner, key[0], key[1], key[2], tries[key],
                                        key in firsts and right_first_time(firsts[key]),
                                        tuple(mistakes[key].most_common()), hints[key]))
    nodes = [NodeRow(key[0], key[1], key[2], len(tried[key]), right[key],
                     tuple(every.get(key, Counter()).most_common(3)), hints_sum[key])
             for key in sorted(tried, key=key_order)]
    return nodes, pairs


def varied_class(folder: Path, seed: int) -> None:
    """Learners with random answers (right, wrong, shown, hinted, unreadable text) in time order, some
    logs with damaged lines among them, one learner never opened since their log was written."""
    chance = random.Random(seed)
    for number in range(4):
        home = folder / f"learner{number}"
        store = ProgressStore(home).load()
        moment = 1_700_000_000.0
        for _ in range(chance.randrange(1, 120)):
            moment += chance.choice((0.0, 1.0, 30.0))  # ties too: the old sort kept their order
            correct = chance.random() < 0.5
            text = chance.choice(("1", "-2", "0.5", "x"))
            store.record({"lesson": chance.choice(("chain-rule", "two-paths", "practice")),
                          "part": chance.randrange(3), "node": chance.choice(NODES), "kind": "gradient",
                          "text": text, "value": None if text == "x" else float(text), "correct": correct,
                          "shown": chance.random() < 0.1, "mistake": None if correct else chance.choice(MISTAKES),
                          "hints": chance.randrange(3), "skills": chance.sample(["chain", "sum", "product"], 2),
                          "seed": None, "at": moment})
            if chance.random() < 0.2:
                assert store.save() is None
        assert store.save() is None
        if number % 2:
            with open(home / "attempts.jsonl", "ab") as log:
                log.write(b'{"lesson": "chain-rule", "no": \n{ not json\n[1, 2]\n')
        if number == 3:
            (home / "progress.json").unlink()  # no summaries: the log is all there is


@pytest.mark.parametrize("seed", range(6))
def test_the_tallies_give_the_tables_every_answer_read_at_once_gave(tmp_path, catalog, seed):
    varied_class(tmp_path, seed)
    view = read_class(tmp_path, catalog)
    held = {home.name: ProgressStore(home).load(read_only=True).attempts for home in sorted(tmp_path.iterdir())}
    nodes, pairs = full_read_rows(held, classroom.lesson_order(catalog))
    assert list(view.nodes) == nodes
    assert list(view.learner_nodes) == pairs
    rows = {row.learner: row for row in view.learners}
    for learner, attempts in held.items():
        assert rows[learner].answers == len(attempts)
        assert rows[learner].mastered == sum(1 for skill in mastery(attempts).values() if skill.mastered)
        assert rows[learner].last_active is not None
        assert rows[learner].last_active >= max(attempt["at"] for attempt in attempts)
    damaged = [entry.learner for entry in view.unreadable]
    assert "learner1" in damaged and "learner3" in damaged


def test_the_class_never_holds_a_learners_whole_log(tmp_path, catalog, monkeypatch):
    """With the tutor's summaries or without (learner3's log is all there is), a log is walked a few lines
    at a time and the list of every answer is never asked for."""
    varied_class(tmp_path, 7)
    expected = read_class(tmp_path, catalog)
    blocks: list[int] = []
    parse = progress.parse_lines

    def counted(lines: list[bytes], **kwargs: Any) -> Any:
        blocks.append(len(lines))
        return parse(lines, **kwargs)

    def refused(self: ProgressStore) -> list[dict]:
        raise AssertionError("every answer held at once")

    monkeypatch.setattr(progress, "STREAM_BLOCK", 512)
    monkeypatch.setattr(progress, "parse_lines", counted)
    monkeypatch.setattr(ProgressStore, "attempts", property(refused))
    assert read_class(tmp_path, catalog) == expected
    small = sum(lines for lines in blocks if lines <= 4)  # the load may read the few lines past the summaries
    assert small >= sum(row.answers for row in expected.learners) > 50


def test_a_log_naming_more_nodes_than_the_bound_is_tabled_up_to_it_with_a_line_saying_so(tmp_path, catalog,
                                                                                           monkeypatch):
    store = ProgressStore(tmp_path / "ada").load()
    for number in range(5):
        store.record({"lesson": "chain-rule", "part": 0, "node": f"n{number}", "kind": "gradient", "text": "1",
                      "value": 1.0, "correct": True, "shown": False, "mistake": None, "hints": 0, "skills": [],
                      "seed": None, "at": 100.0 + number})
    assert store.save() is None
    monkeypatch.setattr(classroom, "MAX_NODES", 3)
    view = read_class(tmp_path, catalog)
    assert [row.node for row in view.learner_nodes] == ["n0", "n1", "n2"]
    assert view.learners[0].answers == 5
    [bound] = view.unreadable
    assert "more than 3 different nodes" in bound.reason and "2 answers" in bound.reason


def test_a_log_without_summaries_has_its_damaged_lines_counted_as_it_is_walked(tmp_path, catalog):
    store = ProgressStore(tmp_path / "ada").load()
    store.record({"lesson": "chain-rule", "part": 0, "node": "L", "kind": "gradient", "text": "1", "value": 1.0,
                  "correct": True, "shown": False, "mistake": None, "hints": 0, "skills": [], "seed": None,
                  "at": 100.0})
    assert store.save() is None
    (tmp_path / "ada" / "progress.json").unlink()
    with open(tmp_path / "ada" / "attempts.jsonl", "ab") as log:
        log.write(b"{ not json\n" * 5 + b'{"lesson": "chain-')  # and the last one cut short
    view = read_class(tmp_path, catalog)
    assert view.learners[0].answers == 1
    [damage] = view.unreadable
    assert damage.reason.startswith("6 line(s) of your attempt log") and "and 3 more" in damage.reason
    assert read_class(tmp_path, catalog) == view  # said once a reading, the same at every refresh
