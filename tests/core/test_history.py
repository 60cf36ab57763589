"""The history's summaries: kept up to date as answers are recorded, stored with the progress, read
at a start instead of the log, and built again from the log whenever they cannot be trusted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tui_grad.core.history import History
from tui_grad.core.home_files import Home
from tui_grad.core.progress import FILE_NAME, LOG_NAME, ProgressStore


def attempt(number: int) -> dict:
    """Answers of lessons and of practice, some wrong, some with hints."""
    practice = number % 3 == 0
    return {"lesson": "practice" if practice else "chain-rule", "part": 0, "node": "abcL"[number % 4],
            "kind": "gradient", "text": "1", "value": 1.0, "correct": number % 5 != 0, "shown": False,
            "mistake": None, "hints": int(number % 7 == 0), "skills": [("product", "chain", "sum")[number % 3]],
            "seed": number // 12, "at": 1_700_000_000.0 + number,
            **({"level": 1 + number // 40 % 2, "practice_skill": "chain"} if practice else {})}


def saved_home(folder: Path, count: int) -> ProgressStore:
    store = ProgressStore(folder).load()
    for number in range(count):
        answer = attempt(number)
        if answer["correct"]:  # as the tutor does: a right answer marks its node
            store.lesson(answer["lesson"]).part_progress(0).status[f"{answer['node']}{number}"] = "earned"
        store.record(answer)
        if number % 10 == 9:
            assert store.save() is None
    assert store.save() is None
    return store


def same(history: History, other: History) -> bool:
    practice = (history.practice.to_json() if history.practice else None,
                other.practice.to_json() if other.practice else None)
    return (history.mastery() == other.mastery() and practice[0] == practice[1]
            and history.count == other.count and history.tally.open == other.tally.open)


def test_recording_keeps_the_summaries_equal_to_a_replay_of_every_answer(tmp_path):
    store = saved_home(tmp_path, 120)
    assert same(store.history, History.rebuild(store.attempts))
    assert store.history.practised and store.history.count == 120


def test_a_start_reads_the_summaries_and_only_the_log_after_them(tmp_path, monkeypatch):
    saved_home(tmp_path, 300)
    size = (tmp_path / LOG_NAME).stat().st_size
    reads = []
    real = Home.read_from

    def read_from(self, name, offset, inode):
        got = real(self, name, offset, inode)
        reads.append(len(got[2]) if got else 0)
        return got

    monkeypatch.setattr(Home, "read_from", read_from)
    again = ProgressStore(tmp_path).load()
    assert sum(reads) <= 4_096 < size / 10  # the line before the summaries' place, not the log
    monkeypatch.undo()
    assert same(again.history, History.rebuild(again.attempts))


@pytest.mark.parametrize("damage", ["missing", "garbage", "wrong type", "older log"])
def test_summaries_missing_or_damaged_are_built_again_from_the_log(tmp_path, damage):
    saved_home(tmp_path, 90)
    state = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    if damage == "missing":
        del state["history"]
    elif damage == "garbage":
        state["history"] = {"mastery": {"open": [1], "outcomes": {"chain": "xyz"}}, "count": -1}
    elif damage == "wrong type":
        state["history"]["practice"]["level"] = 10 ** 400
    else:  # the summaries end at a place the log no longer has (another tool rewrote the log)
        state["history"]["offset"] += 17
    (tmp_path / FILE_NAME).write_text(json.dumps(state), encoding="utf-8")
    again = ProgressStore(tmp_path).load()
    assert not again.warnings
    assert same(again.history, History.rebuild(again.attempts))
    assert again.history.count == 90
    stored = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))["history"]
    assert stored["count"] == 90  # written back: the next start reads them again


def test_answers_another_copy_logged_after_the_summaries_are_taken_in(tmp_path):
    first = saved_home(tmp_path, 40)
    other = ProgressStore(tmp_path).load()
    for number in range(40, 55):
        other.record(attempt(number))
        assert other.save() is None  # wrong and right answers, the state written or not
    assert first.save() is None
    assert first.history.count == 55
    again = ProgressStore(tmp_path).load()
    assert same(again.history, History.rebuild(again.attempts)) and again.history.count == 55


def test_a_reset_rebuilds_the_summaries_without_the_reset_answers(tmp_path):
    store = saved_home(tmp_path, 60)
    store.reset("practice")
    assert store.save() is None
    assert not store.history.practised
    again = ProgressStore(tmp_path).load()
    assert not again.history.practised and again.history.count == len(again.attempts) == 40
    other_reset = ProgressStore(tmp_path).load()
    other_reset.reset(None)
    assert other_reset.save() is None
    assert again.save() is None  # another copy's reset reaches this copy's summaries
    assert again.history.count == 0 and not again.attempts


def test_a_hand_edited_log_is_read_whole_again(tmp_path):
    saved_home(tmp_path, 30)
    log = tmp_path / LOG_NAME
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join(lines[:-5]) + "\n", encoding="utf-8")  # the last five answers cut away
    again = ProgressStore(tmp_path).load()
    assert again.history.count == 25 == len(again.attempts)


def test_an_answer_recorded_shows_in_the_summaries_before_it_is_saved(tmp_path):
    store = saved_home(tmp_path, 0)
    store.record({**attempt(1), "at": time.time()})
    assert store.history.count == 1 and store.history.mastery()["chain"].recent == 1


def test_an_export_walks_the_same_answers_as_the_whole_list(tmp_path):
    saved_home(tmp_path, 50)
    store = ProgressStore(tmp_path).load()
    store.reset("practice", attempts=False)  # a restart: its answers stay
    other = ProgressStore(tmp_path).load()
    other.reset("chain-rule")
    assert other.save() is None
    store.record({**attempt(51), "lesson": "neuron"})  # not saved yet: last
    walked = list(ProgressStore(tmp_path).load().each_attempt())
    assert walked == ProgressStore(tmp_path).load().attempts and len(walked) == 17
    assert list(store.each_attempt())[-1]["lesson"] == "neuron"
