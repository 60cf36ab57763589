"""Saved progress: atomic writes, kills, damaged and newer files, two copies, full or read-only disks."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from tui_grad.core import home_files, progress
from tui_grad.core.progress import FILE_NAME, ProgressStore, data_dir

REPOSITORY = Path(__file__).resolve().parents[2]


def attempt(node: str, *, lesson: str = "chain-rule", part: int = 0, correct: bool = True, at: float | None = None,
            **extra) -> dict:
    """One answer, as the app records it."""
    return {"lesson": lesson, "part": part, "node": node, "kind": "gradient", "text": "-2", "value": -2.0,
            "correct": correct, "shown": False, "mistake": None if correct else "sign", "hints": 0,
            "skills": ["product"], "seed": 7, "at": time.time() if at is None else at, **extra}


def answer(store: ProgressStore, node: str, *, lesson: str = "chain-rule", part: int = 0) -> None:
    """What the app does for a right answer: mark the node and log the attempt."""
    record = store.lesson(lesson).part_progress(part)
    record.status[node] = "earned"
    record.answers[node] = -2.0
    store.record(attempt(node, lesson=lesson, part=part))


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".progress-*.tmp"))


def saved(folder: Path) -> dict:
    return json.loads((folder / FILE_NAME).read_text(encoding="utf-8"))


# --- the format ---------------------------------------------------------------------------------


def test_data_dir_honours_tui_grad_home(monkeypatch, tmp_path):
    monkeypatch.setenv("TUI_GRAD_HOME", str(tmp_path / "lab"))
    assert data_dir() == tmp_path / "lab"
    assert ProgressStore().path == tmp_path / "lab" / FILE_NAME
    monkeypatch.delenv("TUI_GRAD_HOME")
    assert data_dir().name == "tui-grad"


def test_a_saved_lesson_reads_back_the_same(tmp_path):
    store = ProgressStore(tmp_path).load()
    lesson = store.lesson("chain-rule")
    lesson.seed = 42
    lesson.part = 1
    part = lesson.part_progress(1)
    part.status.update(L="earned", d="shown")
    part.answers["L"] = 1.0
    part.hints["d"] = 2
    part.updates = 3
    store.record(attempt("L"))
    assert store.save() is None

    data = saved(tmp_path)
    assert (data["format"], data["version"]) == ("tui-grad-progress", 2)
    again = ProgressStore(tmp_path).load()
    assert again.warnings == []
    reread = again.lesson("chain-rule")
    assert (reread.seed, reread.part, len(reread.parts)) == (42, 1, 2)
    assert reread.parts[1].status == {"L": "earned", "d": "shown"}
    assert reread.parts[1].hints == {"d": 2} and reread.parts[1].updates == 3
    assert reread.updated > 0
    assert [a["node"] for a in again.attempts] == ["L"]
    assert list(again.attempts[0]) == list(progress.ATTEMPT_KEYS)


def test_record_refuses_an_attempt_without_lesson_or_node(tmp_path):
    store = ProgressStore(tmp_path)
    with pytest.raises(ValueError, match="node"):
        store.record({"lesson": "x"})


def test_a_missing_data_folder_is_created(tmp_path):
    folder = tmp_path / "not" / "there" / "yet"
    store = ProgressStore(folder).load()
    assert store.warnings == [] and not folder.exists()
    answer(store, "L")
    assert store.save() is None
    assert saved(folder)["lessons"]["chain-rule"]["parts"][0]["status"] == {"L": "earned"}


# --- atomic writes and kills ---------------------------------------------------------------------


def test_a_crash_mid_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    assert store.save() is None
    before = (tmp_path / FILE_NAME).read_bytes()
    log_before = (tmp_path / progress.LOG_NAME).read_bytes()

    real_write = os.write
    written = []

    def crash(handle, data):
        if len(data) > 20:  # the state file or a log line: half of it goes down, then the kill
            written.append(bytes(data[: len(data) // 2]))
            real_write(handle, bytes(data[: len(data) // 2]))
            raise RuntimeError("killed mid-write")
        return real_write(handle, data)

    monkeypatch.setattr(home_files.os, "write", crash)
    answer(store, "d")
    with pytest.raises(RuntimeError):
        store.save()
    assert written  # the crash came while the log was being appended to
    assert (tmp_path / FILE_NAME).read_bytes() == before
    assert (tmp_path / progress.LOG_NAME).read_bytes() == log_before  # the half line is cut off again
    assert temporaries(tmp_path) == []
    monkeypatch.undo()
    assert store.save() is None  # the answer waited in memory
    again = ProgressStore(tmp_path).load()
    assert again.warnings == [] and [a["node"] for a in again.attempts] == ["L", "d"]


def test_the_folder_is_fsynced_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(handle):
        synced.append(stat.S_ISDIR(os.fstat(handle).st_mode))
        real_fsync(handle)

    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    assert store.save() is None
    monkeypatch.setattr(home_files.os, "fsync", fsync)
    answer(store, "d")
    assert store.save() is None
    assert synced == [False, False, True]  # the log's new line, the temporary state file, the folder


KILLED_WRITER = """
import sys, time
from pathlib import Path
from tui_grad.core.progress import ProgressStore
store = ProgressStore(Path(sys.argv[1])).load()
if store.warnings:
    sys.exit("warnings: " + " ".join(store.warnings))
number = int(sys.argv[2])
while True:
    node = f"n{number}"
    store.lesson("kill").part_progress(0).status[node] = "earned"
    store.record({"lesson": "kill", "node": node, "value": float(number), "correct": True, "at": time.time()})
    problem = store.save()
    if problem:
        sys.exit(problem)
    print(number, flush=True)
    number += 1
"""

KILL_ROUNDS = 24


def test_sigkill_at_random_moments_never_loses_a_completed_save(tmp_path):
    generator = random.Random(20261124)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY),
                                                                                os.environ.get("PYTHONPATH")]))}
    confirmed: list[int] = []
    saves_seen = 0
    for round_number in range(KILL_ROUNDS):
        child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tmp_path), str(round_number * 100_000)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        if round_number % 4 != 3:  # mostly while saving; every fourth round anywhere, start-up included
            first = child.stdout.readline()
            assert first, child.stderr.read()
        time.sleep(generator.uniform(0.0, 0.08))
        child.send_signal(signal.SIGKILL)
        output, errors = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, errors
        numbers = [int(line) for line in ((first if round_number % 4 != 3 else "") + output).split()]
        confirmed.extend(numbers)
        saves_seen += len(numbers)

        store = ProgressStore(tmp_path).load()
        assert store.warnings == [], f"round {round_number}: {store.warnings}"
        status = store.lesson("kill").part_progress(0).status
        logged = {a["node"] for a in store.attempts}
        missing = [n for n in confirmed if f"n{n}" not in status or f"n{n}" not in logged]
        assert not missing, f"round {round_number}: lost answers {missing[:5]}"
    assert saves_seen > KILL_ROUNDS  # the kills did land between and inside saves
    store = ProgressStore(tmp_path).load()
    assert store.save() is None
    assert temporaries(tmp_path) == []  # what a killed writer left is swept under the lock


# --- damaged and newer files --------------------------------------------------------------------


GOOD = json.dumps({"format": "tui-grad-progress", "version": 1, "lessons": {
    "chain-rule": {"part": 0, "parts": [{"status": {"L": "earned"}}], "finished": False, "seed": 3,
                   "updated": 1.0}}, "attempts": []})


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "it is empty"),
        (GOOD[: len(GOOD) // 2].encode(), "unreadable JSON"),
        (b"\x00\x00\x00\x00", "unreadable JSON"),
        (b"\xff\xfe garbage", "unreadable JSON"),
        (b'{"format": "something-else", "version": 1}', "not a tui-grad progress file"),
        (b'{"format": "tui-grad-progress", "version": "one"}', "not a format version"),
        (b"[" * 100_000, "unreadable JSON"),
    ],
)
def test_a_damaged_file_is_set_aside_the_learner_told_and_a_fresh_start_made(tmp_path, content, reason):
    (tmp_path / FILE_NAME).write_bytes(content)
    store = ProgressStore(tmp_path).load()
    assert len(store.warnings) == 1
    warning = store.warnings[0]
    assert "damaged" in warning and reason in warning and "start afresh" in warning
    aside = list(tmp_path.glob("progress.damaged-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == content and str(aside[0]) in warning
    assert store.lessons == {} and store.attempts == []
    assert not (tmp_path / FILE_NAME).exists()
    answer(store, "L")
    assert store.save() is None
    assert ProgressStore(tmp_path).load().warnings == []


def test_two_damaged_files_in_the_same_second_keep_both(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "_now", lambda: 1_800_000_000.0)
    for content in (b"first damage", b"second damage", b"third damage"):
        (tmp_path / FILE_NAME).write_bytes(content)
        assert ProgressStore(tmp_path).load().warnings
    kept = sorted(path.name for path in tmp_path.glob("progress.damaged-*.json"))
    assert kept == ["progress.damaged-20270115T080000Z-2.json", "progress.damaged-20270115T080000Z-3.json",
                    "progress.damaged-20270115T080000Z.json"]
    contents = {(tmp_path / name).read_bytes() for name in kept}
    assert contents == {b"first damage", b"second damage", b"third damage"}


def test_a_file_from_a_newer_tui_grad_is_never_overwritten(tmp_path):
    newer = json.dumps({"format": "tui-grad-progress", "version": 3, "learners": {"new": "shape"}}).encode()
    (tmp_path / FILE_NAME).write_bytes(newer)
    store = ProgressStore(tmp_path).load()
    assert len(store.warnings) == 1 and "newer tui-grad" in store.warnings[0]
    answer(store, "L")
    problem = store.save()
    assert problem is not None and "cannot be saved" in problem and "go on" in problem
    store.reset(None)
    assert store.save() is not None
    assert (tmp_path / FILE_NAME).read_bytes() == newer
    assert list(tmp_path.glob("progress.damaged-*")) == []
    assert temporaries(tmp_path) == []


def test_a_newer_file_written_while_running_is_not_overwritten(tmp_path):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    assert store.save() is None
    newer = b'{"format": "tui-grad-progress", "version": 9}'
    (tmp_path / FILE_NAME).write_bytes(newer)
    answer(store, "d")
    assert "newer tui-grad" in store.save()
    assert (tmp_path / FILE_NAME).read_bytes() == newer


# --- two copies for one learner -----------------------------------------------------------------


def test_two_copies_saving_in_turn_keep_both_copies_answers_node_by_node(tmp_path):
    left, right = ProgressStore(tmp_path).load(), ProgressStore(tmp_path).load()
    for left_node, right_node in (("L", "a"), ("d", "b"), ("f", "c")):
        answer(left, left_node)
        assert left.save() is None
        answer(right, right_node)
        assert right.save() is None
    left.lesson("chain-rule").part_progress(1).updates = 2
    left.lesson("chain-rule").part = 1
    answer(right, "e", lesson="other-lesson")
    assert right.save() is None
    assert left.save() is None

    final = ProgressStore(tmp_path).load()
    lesson = final.lesson("chain-rule")
    assert set(lesson.parts[0].status) == {"L", "d", "f", "a", "b", "c"}
    assert set(lesson.parts[0].answers) == {"L", "d", "f", "a", "b", "c"}
    assert (lesson.part, lesson.parts[1].updates) == (1, 2)
    assert set(final.lessons) == {"chain-rule", "other-lesson"}
    assert len(final.attempts) == 7
    assert [a["at"] for a in final.attempts] == sorted(a["at"] for a in final.attempts)


CONCURRENT_WRITER = """
import sys, time
from pathlib import Path
from tui_grad.core.progress import ProgressStore
store = ProgressStore(Path(sys.argv[1])).load()
name = sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()
for number in range(40):
    node = f"{name}{number}"
    store.lesson("chain-rule").part_progress(0).status[node] = "earned"
    store.record({"lesson": "chain-rule", "node": node, "value": 1.0, "correct": True, "at": time.time()})
    problem = store.save()
    if problem:
        sys.exit(problem)
"""


def test_two_processes_saving_at_once_lose_no_answer(tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    children = [subprocess.Popen([sys.executable, "-c", CONCURRENT_WRITER, str(tmp_path), name],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=environment) for name in ("left", "right")]
    for child in children:
        assert child.stdout.readline() == "ready\n"
    for child in children:  # both start saving at the same moment
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        _, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors
    store = ProgressStore(tmp_path).load()
    expected = {f"{name}{number}" for name in ("left", "right") for number in range(40)}
    assert set(store.lesson("chain-rule").parts[0].status) == expected
    assert {a["node"] for a in store.attempts} == expected


WORK = st.lists(st.tuples(st.sampled_from("LabcdefP"), st.sampled_from(progress.STATUSES),
                          st.integers(0, 3)), max_size=8)


@settings(max_examples=60, deadline=None)
@given(left_work=WORK, right_work=WORK, order=st.lists(st.booleans(), min_size=1, max_size=6))
def test_any_interleaving_of_two_copies_keeps_every_node_of_both(left_work, right_work, order):
    with tempfile.TemporaryDirectory() as folder:
        left, right = ProgressStore(folder).load(), ProgressStore(folder).load()
        for store, work in ((left, left_work), (right, right_work)):
            part = store.lesson("x").part_progress(0)
            for node, status, hints in work:
                part.status[node] = status
                part.hints[node] = max(part.hints.get(node, 0), hints)
        for left_first in order:
            for store in (left, right) if left_first else (right, left):
                assert store.save() is None
        assert left.save() is None and right.save() is None
        last_status = [{node: status for node, status, _ in work} for work in (left_work, right_work)]
        expected_status = {node: "earned" if "earned" in (copy.get(node) for copy in last_status) else "shown"
                           for copy in last_status for node in copy}
        expected_hints = {node: max(hints for n, _, hints in left_work + right_work if n == node)
                          for node in expected_status}
        saved_part = ProgressStore(folder).load().lesson("x").part_progress(0)
        assert saved_part.status == expected_status
        assert saved_part.hints == expected_hints


def test_a_record_the_app_holds_stays_live_after_a_merge(tmp_path):
    left, right = ProgressStore(tmp_path).load(), ProgressStore(tmp_path).load()
    held = left.lesson("chain-rule").part_progress(0)
    answer(right, "a")
    assert right.save() is None
    assert left.save() is None  # merges right's answer into the record left's screen holds
    assert "a" in held.status
    held.status["L"] = "earned"
    assert left.save() is None
    assert set(ProgressStore(tmp_path).load().lesson("chain-rule").parts[0].status) == {"a", "L"}


def test_earned_beats_shown_and_hints_keep_the_most_used(tmp_path):
    left, right = ProgressStore(tmp_path).load(), ProgressStore(tmp_path).load()
    left.lesson("x").part_progress(0).status["a"] = "shown"
    left.lesson("x").part_progress(0).hints["a"] = 1
    right.lesson("x").part_progress(0).status["a"] = "earned"
    right.lesson("x").part_progress(0).hints["a"] = 2
    assert left.save() is None and right.save() is None and left.save() is None
    part = ProgressStore(tmp_path).load().lesson("x").parts[0]
    assert (part.status, part.hints) == ({"a": "earned"}, {"a": 2})


def test_different_seeds_are_not_mixed_each_keeps_its_own_work(tmp_path):
    left, right = ProgressStore(tmp_path).load(), ProgressStore(tmp_path).load()
    left.lesson("x").use_seed(1)
    left.lesson("x").part_progress(0).status["a"] = "earned"
    right.lesson("x").use_seed(2)
    right.lesson("x").part_progress(0).status.update(a="shown", b="earned")
    assert left.save() is None and right.save() is None and left.save() is None
    assert left.lesson("x").seed == 1 and left.lesson("x").parts[0].status == {"a": "earned"}
    assert right.lesson("x").seed == 2 and right.lesson("x").parts[0].status == {"a": "shown", "b": "earned"}
    lesson = ProgressStore(tmp_path).load().lesson("x")
    by_seed = {run.seed: run.parts[0].status for run in (lesson, *lesson.others.values())}
    assert by_seed == {1: {"a": "earned"}, 2: {"a": "shown", "b": "earned"}}
    lesson.use_seed(1)  # taking a seed again resumes its own work
    assert (lesson.seed, lesson.parts[0].status) == (1, {"a": "earned"})


# --- reset ---------------------------------------------------------------------------------------


def test_reset_drops_one_lesson_and_its_attempts(tmp_path):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    answer(store, "a", lesson="other")
    assert store.save() is None
    store.reset("chain-rule")
    assert not store.lesson("chain-rule").started
    assert store.save() is None
    again = ProgressStore(tmp_path).load()
    assert set(again.lessons) == {"other"}
    assert [a["lesson"] for a in again.attempts] == ["other"]


def test_reset_everything(tmp_path):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    answer(store, "a", lesson="other")
    assert store.save() is None
    store.reset(None)
    assert store.save() is None
    again = ProgressStore(tmp_path).load()
    assert again.lessons == {} and again.attempts == []


def test_a_reset_elsewhere_is_not_undone_by_a_copy_holding_the_old_record(tmp_path):
    app = ProgressStore(tmp_path).load()
    answer(app, "L")
    assert app.save() is None
    command = ProgressStore(tmp_path).load()  # `tui-grad reset` in another window
    command.reset("chain-rule")
    assert command.save() is None
    assert app.save() is None  # the app saves again without the learner answering
    again = ProgressStore(tmp_path).load()
    assert not again.lesson("chain-rule").started and again.attempts == []
    answer(app, "d")  # answers after the reset are kept
    assert app.save() is None
    again = ProgressStore(tmp_path).load()
    assert set(again.lesson("chain-rule").parts[0].status) == {"d"}
    assert [a["node"] for a in again.attempts] == ["d"]


def test_a_reset_elsewhere_holds_even_when_the_app_stamps_updated_on_every_save(tmp_path):
    app = ProgressStore(tmp_path).load()
    answer(app, "L")
    assert app.save() is None
    command = ProgressStore(tmp_path).load()
    command.reset(None)
    assert command.save() is None
    app.lesson("chain-rule").updated = time.time()  # as the app's Tutor.save() does, answer or not
    assert app.save() is None
    assert ProgressStore(tmp_path).load().lessons == {}


def test_starting_a_lesson_again_keeps_its_attempts_and_sticks_through_a_merge(tmp_path):
    app = ProgressStore(tmp_path).load()
    answer(app, "L")
    answer(app, "d")
    assert app.save() is None
    other_window = ProgressStore(tmp_path).load()
    app.reset("chain-rule", attempts=False)
    assert app.save() is None  # the copy on disk must not merge the old answers back
    assert not app.lesson("chain-rule").started
    assert other_window.save() is None  # nor may a copy still holding them
    again = ProgressStore(tmp_path).load()
    assert not again.lesson("chain-rule").started
    assert [a["node"] for a in again.attempts] == ["L", "d"]


def test_clearing_a_record_by_hand_is_undone_by_the_merge_which_is_why_reset_exists(tmp_path):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    assert store.save() is None
    other_window = ProgressStore(tmp_path).load()
    answer(other_window, "a", lesson="other")
    assert other_window.save() is None
    store.lesson("chain-rule").parts = []
    assert store.save() is None
    assert "L" in ProgressStore(tmp_path).load().lesson("chain-rule").parts[0].status


# --- full, read-only and locked disks --------------------------------------------------------------


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(_is_root(), reason="root writes through chmod 0o500; the simulated variants cover it")
def test_a_read_only_folder_is_reported_and_the_learner_goes_on(tmp_path):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    assert store.save() is None
    before = (tmp_path / FILE_NAME).read_bytes()
    tmp_path.chmod(0o500)
    try:
        answer(store, "d")
        problem = store.save()
        assert problem is not None and "cannot be saved" in problem and "go on" in problem
        assert (tmp_path / FILE_NAME).read_bytes() == before
        assert ProgressStore(tmp_path).load().warnings == []
    finally:
        tmp_path.chmod(0o700)
    assert store.save() is None
    assert "d" in ProgressStore(tmp_path).load().lesson("chain-rule").parts[0].status


def _refuse(code: int):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return refuse


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EACCES, errno.EDQUOT])
@pytest.mark.parametrize("where", ["mkstemp", "fsync", "replace", "lock"])
def test_a_disk_that_refuses_the_write_is_reported_and_answers_wait_in_memory(tmp_path, monkeypatch, code, where):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    assert store.save() is None
    before = (tmp_path / FILE_NAME).read_bytes()
    log_before = (tmp_path / progress.LOG_NAME).read_bytes()
    with monkeypatch.context() as patch:
        if where == "mkstemp":
            patch.setattr(home_files.Home, "create_temporary", _refuse(code))
        elif where == "fsync":
            patch.setattr(home_files.os, "fsync", _refuse(code))
        elif where == "replace":
            patch.setattr(home_files.os, "replace", _refuse(code))
        else:  # a read-only disk: nothing can be opened to write, not even the lock file
            real_open = home_files.Home.open_file

            def read_only(home, name, flags, mode=0o600):
                if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                    raise OSError(code, os.strerror(code))
                return real_open(home, name, flags, mode)

            patch.setattr(home_files.Home, "open_file", read_only)
        answer(store, "d")
        problem = store.save()
        assert problem is not None
        assert "cannot be saved" in problem and "go on" in problem and os.strerror(code) in problem
        assert ProgressStore(tmp_path).load().warnings == []
    assert (tmp_path / FILE_NAME).read_bytes() == before
    if where != "mkstemp" and where != "replace":  # those fail after the answer is in the log
        assert (tmp_path / progress.LOG_NAME).read_bytes() == log_before
    assert temporaries(tmp_path) == []
    assert store.save() is None  # the disk is back: the waiting answer is saved
    assert set(ProgressStore(tmp_path).load().lesson("chain-rule").parts[0].status) == {"L", "d"}


def test_answers_waiting_for_a_full_disk_survive_a_reset_made_meanwhile(tmp_path, monkeypatch):
    app = ProgressStore(tmp_path).load()
    answer(app, "L")
    assert app.save() is None
    with monkeypatch.context() as patch:
        patch.setattr(home_files.Home, "create_temporary", _refuse(errno.ENOSPC))
        answer(app, "d")
        assert app.save() is not None
    command = ProgressStore(tmp_path).load()
    command.reset(None, attempts=False)
    assert command.save() is None
    assert app.save() is None
    assert "d" in ProgressStore(tmp_path).load().lesson("chain-rule").parts[0].status


def test_a_folder_that_cannot_be_created_is_reported(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    store = ProgressStore(tmp_path / "file" / "tui-grad").load()
    answer(store, "L")
    problem = store.save()
    assert problem is not None and "cannot be saved" in problem


def test_an_unreadable_file_is_not_overwritten(tmp_path, monkeypatch):
    (tmp_path / FILE_NAME).write_text(GOOD, encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(home_files.Home, "read", _refuse(errno.EIO))
        store = ProgressStore(tmp_path).load()
        assert len(store.warnings) == 1 and "cannot be read" in store.warnings[0]
        store.lesson("chain-rule").seed = 3  # the same numbers as the saved record
        answer(store, "d")
        assert "cannot be saved" in store.save()
    assert (tmp_path / FILE_NAME).read_text(encoding="utf-8") == GOOD
    assert store.save() is None  # readable again: merged, nothing lost
    assert set(ProgressStore(tmp_path).load().lesson("chain-rule").parts[0].status) == {"L", "d"}


def test_a_lock_held_too_long_by_another_copy_does_not_hang_the_app(tmp_path, monkeypatch):
    import fcntl

    monkeypatch.setattr(progress, "LOCK_WAIT", 0.1)
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    handle = os.open(tmp_path / progress.LOCK_NAME, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        problem = store.save()
        assert problem is not None and "another copy of tui-grad" in problem and "go on" in problem
        assert ProgressStore(tmp_path).load().warnings == []  # loading reads without waiting for ever
    finally:
        os.close(handle)
    assert store.save() is None


@pytest.mark.parametrize("module", ["tui_grad.core.progress", "tui_grad.core.skills"])
def test_progress_and_skills_load_no_ui_library(module):
    check = ("import importlib, sys; importlib.import_module(sys.argv[1]); "
             "loaded = [name for name in ('textual', 'rich', 'platformdirs') if name in sys.modules]; "
             "assert not loaded, loaded")
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run([sys.executable, "-c", check, module], cwd=REPOSITORY, env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
