"""Progress in shared and odd homes (issue 12 §2): skewed clocks, one bad field, two seeds, a log
that grows, and links planted by another user, tested with two real uids."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tui_grad.core import attempt_log, progress
from tui_grad.core.catalog import load_catalog
from tui_grad.core.home import part_summary
from tui_grad.core.progress import FILE_NAME, LOG_NAME, ProgressStore
from tui_grad.core.tutor import Tutor

REPOSITORY = Path(__file__).resolve().parents[2]


def attempt(node: str, *, lesson: str = "chain-rule", at: float | None = None, **extra) -> dict:
    """One answer, as the app records it."""
    return {"lesson": lesson, "part": 1, "node": node, "kind": "gradient", "text": "-2", "value": -2.0,
            "correct": True, "shown": False, "mistake": None, "hints": 0, "skills": ["product"], "seed": 7,
            "at": time.time() if at is None else at, **extra}


def answer(store: ProgressStore, node: str, *, lesson: str = "chain-rule") -> None:
    """What the app does for a right answer: mark the node and log the attempt."""
    store.lesson(lesson).part_progress(0).status[node] = "earned"
    store.record(attempt(node, lesson=lesson))


# --- clocks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("attempts", [True, False], ids=["reset", "start-again"])
def test_a_reset_from_a_machine_whose_clock_is_ahead_drops_no_later_answer(tmp_path, monkeypatch, attempts):
    app = ProgressStore(tmp_path).load()
    answer(app, "L")
    assert app.save() is None
    with monkeypatch.context() as patch:  # another machine sharing the home, its clock 10 minutes ahead
        patch.setattr(progress, "_now", lambda: time.time() + 600)
        other = ProgressStore(tmp_path).load()
        other.reset("chain-rule", attempts=attempts)
        assert other.save() is None
    assert app.save() is None  # the app takes the reset in
    assert not app.lesson("chain-rule").started
    answer(app, "d")  # after the reset, though earlier than its date by this machine's clock
    assert app.save() is None
    third = ProgressStore(tmp_path).load()  # and a third copy, loading afresh
    for store in (app, third):
        assert store.lesson("chain-rule").parts[0].status == {"d": "earned"}
        assert [a["node"] for a in store.attempts] == (["d"] if attempts else ["L", "d"])


def test_a_copy_whose_clock_is_behind_keeps_its_answers_through_a_reset_elsewhere(tmp_path, monkeypatch):
    app = ProgressStore(tmp_path).load()
    answer(app, "L")
    assert app.save() is None
    other = ProgressStore(tmp_path).load()
    other.reset(None)
    assert other.save() is None
    monkeypatch.setattr(progress, "_now", lambda: time.time() - 3600)  # this machine is an hour behind
    app.lesson("x").part_progress(0).status["a"] = "earned"
    app.record(attempt("a", lesson="x", at=time.time() - 3600))
    assert app.save() is None
    again = ProgressStore(tmp_path).load()
    assert again.lesson("x").parts[0].status == {"a": "earned"}
    assert [a["node"] for a in again.attempts] == ["a"]


# --- one bad field --------------------------------------------------------------------------------


def test_one_wrongly_typed_field_sets_aside_only_its_record_and_says_which(tmp_path):
    good = {"part": 0, "parts": [{"status": {"a": "earned"}}], "finished": False, "seed": None, "updated": 1.0}
    bad = {"part": 0, "parts": [{"status": {"L": 3}}], "finished": False, "seed": 3, "updated": 1.0}
    content = {"format": "tui-grad-progress", "version": 1, "lessons": {"chain-rule": bad, "other": good},
               "attempts": [attempt("a", lesson="other", at=1.0), {"lesson": "x"},
                            attempt("b", lesson="other", at=2.0)]}
    (tmp_path / FILE_NAME).write_text(json.dumps(content), encoding="utf-8")

    store = ProgressStore(tmp_path).load()

    assert len(store.warnings) == 1
    warning = store.warnings[0]
    assert str(tmp_path / FILE_NAME) in warning and "lesson 'chain-rule'" in warning and "not text" in warning
    assert "no 'node'" in warning and "everything else was loaded" in warning
    assert store.lesson("other").parts[0].status == {"a": "earned"}
    assert [a["node"] for a in store.attempts] == ["a", "b"]
    aside = list(tmp_path.glob("progress.damaged-*.json"))
    assert len(aside) == 1 and str(aside[0]) in warning
    kept = json.loads(aside[0].read_text(encoding="utf-8"))
    assert kept["pieces"]["lessons"]["chain-rule"] == bad and kept["pieces"]["attempts"] == [{"lesson": "x"}]
    again = ProgressStore(tmp_path).load()  # set aside once: the next start is quiet and has the rest
    assert again.warnings == [] and [a["node"] for a in again.attempts] == ["a", "b"]
    assert set(again.lessons) == {"other"}


def test_one_unreadable_line_of_the_log_is_set_aside_alone(tmp_path):
    store = ProgressStore(tmp_path).load()
    for node in ("a", "b", "c"):
        answer(store, node)
        assert store.save() is None
    log = tmp_path / LOG_NAME
    lines = log.read_text(encoding="utf-8").splitlines()
    broken = lines[2].replace('"value": -2.0', '"value": "minus two"')
    log.write_text("\n".join([lines[0], lines[1], broken, lines[3], "{not json"]) + "\n", encoding="utf-8")

    again = ProgressStore(tmp_path).load()

    assert [a["node"] for a in again.attempts] == ["a", "c"]
    assert len(again.warnings) == 1
    warning = again.warnings[0]
    assert "2 lines" in warning and str(log) in warning and "not a number" in warning and "unreadable JSON" in warning
    aside = list(tmp_path.glob("attempts.damaged-*.jsonl"))
    assert len(aside) == 1 and str(aside[0]) in warning
    assert aside[0].read_text(encoding="utf-8").splitlines() == [broken, "{not json"]
    assert ProgressStore(tmp_path).load().warnings == []


def test_a_line_cut_short_by_a_kill_is_set_aside_and_the_next_answer_lands_whole(tmp_path):
    store = ProgressStore(tmp_path).load()
    answer(store, "a")
    assert store.save() is None
    with open(tmp_path / LOG_NAME, "ab") as log:
        log.write(b'{"lesson": "chain-rule", "node": "half')  # what a power cut mid-append leaves
    again = ProgressStore(tmp_path).load()
    assert "cut short" in again.warnings[0]
    answer(again, "b")
    assert again.save() is None
    final = ProgressStore(tmp_path).load()
    assert final.warnings == [] and [a["node"] for a in final.attempts] == ["a", "b"]


# --- two seeds ------------------------------------------------------------------------------------


def _answer_right(tutor: Tutor) -> None:
    exercise = tutor.exercise
    verdict = tutor.submit(repr(exercise.expected(exercise.current)))
    assert verdict.correct


def test_two_windows_with_different_seeds_keep_their_own_statuses_and_seeds(tmp_path):
    lesson = load_catalog().find("chain-rule")
    left = Tutor(lesson, ProgressStore(tmp_path).load(), seed=3)
    right = Tutor(lesson, ProgressStore(tmp_path).load(), seed=5)
    for _ in range(2):
        _answer_right(left)
        _answer_right(right)
    _answer_right(right)
    assert (left.seed, right.seed) == (3, 5)
    assert len(left.record.parts[0].status) == 2 and len(right.record.parts[0].status) == 3
    store = ProgressStore(tmp_path).load()
    assert sorted(a["seed"] for a in store.attempts) == [3, 3, 5, 5, 5]
    record = store.lesson("chain-rule")
    runs = {run.seed: len(run.parts[0].status) for run in (record, *record.others.values())}
    assert runs == {3: 2, 5: 3}
    again = Tutor(lesson, store, seed=3)  # coming back with seed 3 resumes seed 3's work
    assert again.exercise.status == left.exercise.status


@pytest.mark.parametrize("order", ["earned first", "shown first"])
def test_found_in_either_tab_beats_shown_whatever_the_order(tmp_path, order):
    """Two tabs at the same question: one finds it, the other gets it wrong and shows it. Before: the
    tab that showed it wrote 'shown' over the other tab's 'earned' when it saved last."""
    lesson = load_catalog().find("chain-rule")
    finder = Tutor(lesson, ProgressStore(tmp_path).load())
    shower = Tutor(lesson, ProgressStore(tmp_path).load())
    node = finder.exercise.current
    assert shower.exercise.current == node
    if order == "earned first":
        _answer_right(finder)
        assert not shower.submit("12345").correct
        shower.reveal()
    else:
        assert not shower.submit("12345").correct
        shower.reveal()
        _answer_right(finder)
    assert shower.save() == "" and finder.save() == ""  # each takes in the other's work
    for tutor in (finder, shower):
        assert tutor.record.parts[0].status[node] == "earned", order
    assert ProgressStore(tmp_path).load().lesson("chain-rule").parts[0].status[node] == "earned"


# --- the summary --------------------------------------------------------------------------------


def test_the_summary_does_not_count_a_shown_answer_as_answered():
    lesson = load_catalog().find("chain-rule")
    record = progress.LessonProgress()
    record.part_progress(0).status.update(L="earned", d="shown", e="earned")
    single = type("OnePart", (), {"parts": lesson.parts[:1]})()
    assert part_summary(single, record) == "in progress (2 found, 1 shown)"


# --- a log that grows -------------------------------------------------------------------------------


def _written_by(folder: Path, action) -> int:
    """Bytes a call writes to the folder: whole files made or replaced, plus what others grew by."""
    before = {path.name: (path.stat().st_ino, path.stat().st_size) for path in folder.iterdir()}
    action()
    total = 0
    for path in folder.iterdir():
        inode, size = path.stat().st_ino, path.stat().st_size
        old = before.get(path.name)
        total += size if old is None or old[0] != inode else max(0, size - old[1])
    return total


def test_saving_an_answer_writes_that_answer_not_the_whole_history(tmp_path):
    store = ProgressStore(tmp_path).load()
    for number in range(3000):
        store.record(attempt(f"n{number % 7}", at=1_700_000_000.0 + number))
    answer(store, "L")
    assert store.save() is None
    again = ProgressStore(tmp_path).load()
    assert len(again.attempts) == 3001
    answer(again, "d")
    written = _written_by(tmp_path, again.save)
    history = sum(path.stat().st_size for path in tmp_path.iterdir())
    assert history > 500_000
    assert written < 2_000, f"{written} bytes written for one answer"


# --- links and other users --------------------------------------------------------------------------


def test_a_link_in_the_folder_is_never_followed(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    outside = tmp_path / "outside"
    outside.mkdir()
    precious = outside / "notes.txt"
    precious.write_text("mine\n")
    (home / FILE_NAME).symlink_to(precious)
    (home / progress.LOCK_NAME).symlink_to(outside / "made-through-a-lock-link")
    (home / LOG_NAME).symlink_to(outside / "made-through-a-log-link")

    store = ProgressStore(home).load()
    assert store.warnings and "symbolic link" in store.warnings[0] and "rm " in store.warnings[0]
    answer(store, "L")
    problem = store.save()
    assert problem is not None and "symbolic link" in problem
    assert precious.read_text() == "mine\n"
    assert sorted(path.name for path in outside.iterdir()) == ["notes.txt"]
    assert (home / FILE_NAME).is_symlink()


def test_a_home_other_users_may_write_in_is_refused_with_the_fix(tmp_path):
    home = tmp_path / "lab"
    home.mkdir()
    home.chmod(0o777)
    store = ProgressStore(home).load()
    answer(store, "L")
    problem = store.save()
    assert problem is not None and "other users can write" in problem and f"chmod go-w {home}" in problem
    assert list(home.iterdir()) == []
    home.chmod(0o700)
    assert store.save() is None


# Two real users: CI runs as root, which makes the learner and the other user as processes of their
# own uid. The other user plants links in a folder the learner could be told to use.

LEARNER, INTRUDER = 4243, 4242

BECOME = """
import fcntl, json, os, pwd, shlex, sys, time
import tui_grad.core.progress, tui_grad.core.safe_text
uid = int(sys.argv[1])  # the interpreter may live where only root reads: switch once it is loaded
os.setgroups([])
os.setgid(uid)
os.setuid(uid)
sys.argv[1:] = sys.argv[2:]
"""

LEARNER_SCRIPT = BECOME + """
from tui_grad.core.progress import ProgressStore
store = ProgressStore(sys.argv[1]).load()
store.lesson("chain-rule").part_progress(0).status["L"] = "earned"
store.record({"lesson": "chain-rule", "node": "L", "value": 1.0, "correct": True, "at": time.time()})
print(json.dumps({"warnings": store.warnings, "problem": store.save()}))
"""

INTRUDER_SCRIPT = BECOME + """
folder, private = sys.argv[1], sys.argv[2]
for name, target in (("progress.json", "secret.txt"), (".progress.lock", "planted-lock"),
                     ("attempts.jsonl", "planted-log")):
    os.symlink(os.path.join(private, target), os.path.join(folder, name))
"""


def _can_switch_users() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _as_user(uid: int, script: str, *args: str) -> subprocess.CompletedProcess:
    """Run `script` as a process of `uid` (it drops root itself, once the interpreter is loaded)."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPOSITORY),
                   "HOME": "/nonexistent", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", script, str(uid), *args], env=environment,
                            capture_output=True, text=True, timeout=120, cwd="/")
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def lab():
    """A world-readable scratch folder in /tmp with the learner's private folder (0700) inside."""
    if not _can_switch_users():
        reason = "needs root to run the learner and the other user as two real uids"
        if os.environ.get("CI"):  # issue 12 asks for this attack to be tried in CI: a skip there is a failure
            pytest.fail(f"{reason}; CI must run as root (as .ci/run does) for the two-user tests")
        pytest.skip(f"{reason} (CI runs as root)")
    base = Path(tempfile.mkdtemp(prefix="tui-grad-two-users-", dir="/tmp"))
    base.chmod(0o755)
    private = base / "learner-private"
    private.mkdir(mode=0o700)
    (private / "secret.txt").write_text("the learner's own file\n")
    os.chown(private, LEARNER, LEARNER)
    os.chown(private / "secret.txt", LEARNER, LEARNER)
    try:
        yield base, private
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)


def _private_untouched(private: Path) -> None:
    assert sorted(path.name for path in private.iterdir()) == ["secret.txt"]
    assert (private / "secret.txt").read_text() == "the learner's own file\n"


def test_two_users_a_shared_sticky_folder_is_refused_and_planted_links_lead_nowhere(lab):
    base, private = lab
    shared = base / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: anyone may add names, only their owner may remove them
    planted = _as_user(INTRUDER, INTRUDER_SCRIPT, str(shared), str(private))
    assert planted.returncode == 0, planted.stderr
    assert os.lstat(shared / FILE_NAME).st_uid == INTRUDER

    ran = _as_user(LEARNER, LEARNER_SCRIPT, str(shared))

    assert ran.returncode == 0, ran.stderr
    said = json.loads(ran.stdout)
    assert said["problem"] is not None
    assert "belongs to" in said["problem"] and "not to you" in said["problem"]
    assert "export TUI_GRAD_HOME=" in said["problem"]
    _private_untouched(private)


def test_two_users_a_home_of_the_learner_left_writable_to_all_is_refused_with_chmod(lab):
    base, private = lab
    home = base / "learner-home"
    home.mkdir()
    os.chown(home, LEARNER, LEARNER)
    home.chmod(0o777)  # a lab script made it world-writable: the intruder plants links in it
    planted = _as_user(INTRUDER, INTRUDER_SCRIPT, str(home), str(private))
    assert planted.returncode == 0, planted.stderr

    ran = _as_user(LEARNER, LEARNER_SCRIPT, str(home))

    said = json.loads(ran.stdout)
    assert "other users can write" in said["problem"] and f"chmod go-w {home}" in said["problem"]
    assert any("other users can write" in warning for warning in said["warnings"])
    _private_untouched(private)
    assert stat.S_ISLNK(os.lstat(home / FILE_NAME).st_mode)


def test_two_users_a_home_that_is_the_other_users_link_is_refused(lab):
    base, private = lab
    drop = base / "drop"
    drop.mkdir()
    drop.chmod(0o1777)
    planted = _as_user(INTRUDER, BECOME + "os.symlink(sys.argv[2], sys.argv[1])",
                       str(drop / "learner-progress"), str(private))
    assert planted.returncode == 0, planted.stderr

    ran = _as_user(LEARNER, LEARNER_SCRIPT, str(drop / "learner-progress"))

    said = json.loads(ran.stdout)
    assert "is a link made by" in said["problem"]
    _private_untouched(private)


def test_two_users_the_learners_own_private_home_works(lab):
    base, _ = lab
    home = base / "own"
    home.mkdir(mode=0o700)
    os.chown(home, LEARNER, LEARNER)
    ran = _as_user(LEARNER, LEARNER_SCRIPT, str(home))
    said = json.loads(ran.stdout)
    assert said == {"warnings": [], "problem": None}
    assert os.stat(home / FILE_NAME).st_uid == LEARNER
    assert stat.S_IMODE(os.stat(home / LOG_NAME).st_mode) == 0o600


LOGGED = {**attempt("L", at=1_700_000_000.5), "seq": 3}


@pytest.mark.parametrize("line", [
    LOGGED,
    {**LOGGED, "value": 2},  # an int where a float is saved
    {**LOGGED, "at": 1_700_000_000},
    {**LOGGED, "level": 2, "practice_skill": "chain"},  # practice's extra keys, after the format's
    dict(reversed(list(LOGGED.items()))),  # another tool wrote the keys in another order
    {key: value for key, value in LOGGED.items() if key != "mistake"},
])
def test_the_quick_check_of_a_log_line_agrees_with_the_full_one(line):
    quick = attempt_log.logged_attempt(json.loads(json.dumps(line)))
    full = progress.normalize_attempt(json.loads(json.dumps(line)))
    assert quick == full and list(quick) == list(full)


@pytest.mark.parametrize("change", [{"value": True}, {"at": float("inf")}, {"seq": 0}, {"seq": None},
                                    {"skills": "product"}, {"part": -1}, {"node": ""}, {"hints": 1.5}])
def test_the_quick_check_refuses_what_the_full_one_refuses(change):
    with pytest.raises(ValueError):
        attempt_log.logged_attempt({**LOGGED, **change})


def test_a_version_1_file_moves_its_attempts_to_the_log_once_even_after_a_crash_midway(tmp_path, monkeypatch):
    lessons = {"chain-rule": {"part": 1, "parts": [{"status": {"L": "earned"}}, {}], "finished": False,
                              "seed": 4, "updated": 5.0}}
    old = {"format": "tui-grad-progress", "version": 1, "lessons": lessons,
           "attempts": [attempt(node, at=1_700_000_000.0 + number) for number, node in enumerate("Ld")],
           "resets": {"other": 1.0}, "restarts": {}}
    (tmp_path / FILE_NAME).write_text(json.dumps(old), encoding="utf-8")
    with monkeypatch.context() as patch:  # killed after the log is written, before the state is
        patch.setattr(progress.ProgressStore, "_write_state", lambda self, home: (_ for _ in ()).throw(
            KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            ProgressStore(tmp_path).load()
    assert json.loads((tmp_path / FILE_NAME).read_text())["version"] == 1
    store = ProgressStore(tmp_path).load()
    assert store.warnings == []
    assert [a["node"] for a in store.attempts] == ["L", "d"] and [a["seq"] for a in store.attempts] == [1, 2]
    assert json.loads((tmp_path / FILE_NAME).read_text())["version"] == 2
    record = store.lesson("chain-rule")
    assert (record.seed, record.part, record.parts[0].status) == (4, 1, {"L": "earned"})
    assert len((tmp_path / LOG_NAME).read_text().splitlines()) == 3  # the header and two answers, once
    assert [a["node"] for a in ProgressStore(tmp_path).load().attempts] == ["L", "d"]


def test_without_locks_two_copies_appending_at_once_keep_each_answer_once(tmp_path, monkeypatch):
    import fcntl

    def no_locks(*args):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)  # a network file system without locks
    left, right = ProgressStore(tmp_path).load(), ProgressStore(tmp_path).load()
    answer(left, "a")
    assert left.save() is None
    assert right.save() is None
    real_append = progress.Home.append
    cut_in = []

    def right_cuts_in(home, name, data):  # right appends between left's read and left's append
        if not cut_in:
            cut_in.append(True)
            answer(right, "b")
            assert right.save() is None
        return real_append(home, name, data)

    monkeypatch.setattr(progress.Home, "append", right_cuts_in)
    answer(left, "c")
    assert left.save() is None
    monkeypatch.setattr(progress.Home, "append", real_append)
    answer(left, "d")
    assert left.save() is None
    assert sorted(a["node"] for a in left.attempts) == ["a", "b", "c", "d"]
    assert sorted(a["node"] for a in ProgressStore(tmp_path).load().attempts) == ["a", "b", "c", "d"]


def test_the_summary_of_a_run_to_watch_counts_nothing(tmp_path):
    """A one-part lesson that trains a network asks no questions: left mid-run it is in progress,
    not 'in progress (0 found)'."""
    from tui_grad.core.flow import LessonSession

    lesson = load_catalog().find("small-network")
    store = ProgressStore(tmp_path).load()
    session = LessonSession(lesson, store)
    session.go_on()  # the introduction: the run begins
    session.trained(session.replay.length)  # the face showed the whole run; the learner leaves before Enter
    session.leave()
    record = ProgressStore(tmp_path).load().lessons[lesson.id]
    assert record.started and not record.finished
    assert part_summary(lesson, record) == "in progress"


def test_a_lesson_updated_at_a_time_no_clock_holds_is_set_aside_with_a_word(tmp_path):
    """`updated` of NaN or infinity (JSON allows neither, Python's reader both) is a damaged field:
    that record is set aside, said so, and the rest of the file kept."""
    home = tmp_path
    home.chmod(0o700)
    (home / FILE_NAME).write_text('{"format": "tui-grad-progress", "version": 1, "attempts": [], "lessons": {'
                                  '"chain-rule": {"part": 0, "parts": [], "finished": false, "seed": null, '
                                  '"updated": NaN}, "two-paths": {"part": 1, "parts": [], "finished": false, '
                                  '"seed": null, "updated": 5.0}}}', encoding="utf-8")
    store = ProgressStore(home).load()
    assert "chain-rule" not in store.lessons and store.lessons["two-paths"].part == 1
    assert any("updated is not a finite number" in warning for warning in store.warnings), store.warnings
