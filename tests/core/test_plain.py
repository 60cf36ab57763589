"""Line mode: prompts on standard output, answers on standard input, the same grading and saving."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.exercise import GradientExercise
from tui_grad.core.progress import ProgressStore
from tui_grad.plain import MAX_LINE, markdown_to_text, rewrap, run_plain

REPOSITORY = Path(__file__).resolve().parents[2]

# The right answers of the chain-rule lesson, in the order it asks them.
CHAIN_RULE = {"L": "1", "d": "-2", "f": "4", "e": "-2", "c": "-2", "a": "6", "b": "-4"}

MIXED_LESSON = '''\
id = "mixed"
title = "Every kind of part"
summary = "A slope, an update, a training run and a network."

[text]
intro = "Read **this** first."
outro = "That was *all*."

[[parts]]
title = "A slope"
kind = "slope"
text = "Press Ctrl+N to nudge x."
inputs = { x = 3.0 }
nodes = ["f = 3*x**2 - 4*x + 5"]

[[parts]]
title = "Gradients first"
kind = "gradients"
inputs = { w = 0.0, x = 1.0, y = 2.0 }
nodes = ["r = w*x - y", "L = r**2"]
parameters = ["w"]
ask = ["L", "r", "w"]
step_size = 0.1
direction = "descent"

[[parts]]
title = "One step by hand"
kind = "update"
inputs = { w = 0.0, x = 1.0, y = 2.0 }
nodes = ["r = w*x - y", "L = r**2"]
parameters = ["w"]
step_size = 0.1
direction = "descent"

[[parts]]
title = "Fit a line"
kind = "train"
inputs = { m = 0.0, b = 0.0 }
nodes = ["r1 = m*1 + b - 2", "r2 = m*2 + b - 4", "L = r1**2 + r2**2"]
parameters = ["m", "b"]
step_size = 0.05
direction = "descent"
steps = 50

[[parts]]
title = "A network"
kind = "network"
dataset = "xor"
samples = 8
hidden = [3]
steps = 10
'''


def run(lines: list[str], home: Path, lesson: str | None = "chain-rule", catalog=None) -> tuple[int, str]:
    """Drive run_plain with these input lines; return the exit status and everything printed."""
    stdout = io.StringIO()
    store = ProgressStore(home).load()
    status = run_plain(catalog or load_catalog(), lesson, store, None,
                       stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=stdout)
    return status, stdout.getvalue()


def saved(home: Path, lesson: str = "chain-rule", part: int = 0):
    """The lesson's record as a fresh copy of the tutor would read it from disk."""
    record = ProgressStore(home).load().lesson(lesson)
    return record, record.part_progress(part)


def answers_until(node: str) -> list[str]:
    """The right answers to every chain-rule question before `node`."""
    names = list(CHAIN_RULE)
    return [CHAIN_RULE[name] for name in names[:names.index(node)]]


def test_a_wrong_answer_gets_its_diagnosis_then_a_right_one_is_saved(chain_rule, tmp_path):
    exercise = GradientExercise(chain_rule.parts[0])
    for answer in answers_until("a"):
        exercise.submit(answer)
    diagnosis = exercise.submit("-3").message
    assert "only the local derivative" in diagnosis

    status, out = run([*answers_until("a"), "-3", "6"], tmp_path)

    assert status == 0
    assert f"dL/da = -3\nWrong.\n{diagnosis}\n" in out
    assert "dL/da = 6\nRight.\ndL/da = 6.\ndL/da = dL/de · de/da = -2 · (-3) = 6\n" in out
    assert "Progress is saved" in out.splitlines()[-1]
    record, part = saved(tmp_path)
    assert part.status == {name: "earned" for name in "Ldfeca"}
    assert not record.finished


def test_the_whole_lesson_ends_with_the_engine_pass_the_update_and_the_outro(chain_rule, tmp_path):
    status, out = run([*CHAIN_RULE.values(), "update", ""], tmp_path)

    assert status == 0
    assert "The engine's backward pass, one edge at a time:\n1. d.grad += -2 × 1 = -2\n" in out
    assert "dL/da: yours 6, engine 6, ✓ earned" in out
    assert "You earned 7 of 7." in out
    assert "a ← 2 + 0.01 × 6 = 2.06" in out
    assert "L goes from -8 to -7.286496." in out
    assert "What you just did" in out and "Lesson finished" in out
    record, part = saved(tmp_path)
    assert record.finished and part.done and part.updates == 1


def test_the_hint_ladder_climbs_to_the_answer_which_counts_as_shown(tmp_path):
    status, out = run(["1", "hint", "hint", "hint", "hint"], tmp_path)

    assert status == 0
    for level in (1, 2, 3, 4):
        assert f"dL/dd = hint\nHint {level} of 4 · " in out
    assert "Hint 3 of 4 · Chain rule: dL/dd = dL/dL · ∂L/∂d = 1 · (-2). Work it out." in out
    assert "(marked as shown, not earned)" in out
    assert out.index("Hint 4 of 4") < out.index("dL/df = ")  # the next question follows
    _, part = saved(tmp_path)
    assert part.status == {"L": "earned", "d": "shown"}
    assert part.hints["d"] == 4


def test_show_reveals_the_answer_marked_as_shown(tmp_path):
    _, out = run(["show"], tmp_path)

    assert "dL/dL = show\nShown.\ndL/dL = 1.\n" in out
    assert "Marked as shown, not earned." in out
    assert saved(tmp_path)[1].status == {"L": "shown"}


def test_end_of_input_saves_and_exits_cleanly(tmp_path):
    status, out = run(["1", "-2"], tmp_path)

    assert status == 0
    assert out.endswith(f"dL/df = \nProgress is saved in {tmp_path / 'progress.json'}.\n")
    assert saved(tmp_path)[1].status == {"L": "earned", "d": "earned"}


def test_quit_stops_at_once_and_saves(tmp_path):
    status, out = run(["1", "quit", "-2"], tmp_path)

    assert status == 0
    assert "dL/dd = quit\nProgress is saved" in out
    assert saved(tmp_path)[1].status == {"L": "earned"}


def test_a_second_session_resumes_at_the_next_question(tmp_path):
    run(["1", "-2", "hint"], tmp_path)

    status, out = run(["4"], tmp_path)

    assert status == 0
    assert "Resuming at part 1 of 1, question dL/df." in out
    assert "Four numbers go in" not in out  # the intro is not read out again
    first_prompt = next(line for line in out.splitlines() if line.startswith("dL/d"))
    assert first_prompt == "dL/df = 4"
    assert saved(tmp_path)[1].hints == {"f": 1}


def test_a_finished_lesson_starts_again(tmp_path):
    run([*CHAIN_RULE.values(), ""], tmp_path)

    _, out = run(["restart", "1"], tmp_path)

    assert "You finished this lesson before. restart starts it again" in out
    assert "Question 1 of 7.\ndL/dL = 1\nRight." in out


def test_a_lesson_started_again_stays_started_again(tmp_path):
    run([*CHAIN_RULE.values(), ""], tmp_path)
    run(["restart", "1"], tmp_path)

    _, out = run([], tmp_path)

    assert "You finished" not in out
    assert "Resuming at part 1 of 1, question dL/dd." in out


@pytest.mark.parametrize("typed", ["abc", "2 +", "nudge abc", "nudge 0", "nudge", "help", "", "ÿ"])
def test_odd_input_never_costs_an_answer_or_raises(typed, tmp_path):
    status, out = run([typed], tmp_path)

    assert status == 0
    assert "Traceback" not in out
    assert "Wrong." not in out
    assert saved(tmp_path)[1].status == {}


class Interrupting(io.StringIO):
    """Standard input where the learner presses Ctrl+C after the given lines."""

    def readline(self, *args) -> str:
        line = super().readline(*args)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_saves_and_exits_with_130(tmp_path):
    stdout = io.StringIO()
    status = run_plain(load_catalog(), "chain-rule", ProgressStore(tmp_path).load(), None,
                       stdin=Interrupting("1\n"), stdout=stdout)

    assert status == 130
    assert stdout.getvalue().endswith(f"dL/dd = \nProgress is saved in {tmp_path / 'progress.json'}.\n")
    assert saved(tmp_path)[1].status == {"L": "earned"}


class ClosingPipe(io.StringIO):
    """Standard output whose reader goes away once it has seen `limit` characters."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.limit:
            raise BrokenPipeError
        return super().write(text)


def test_a_reader_that_goes_away_loses_no_answer(tmp_path):
    _, whole = run(["1"], tmp_path / "first")
    cut = whole.index("dL/dL = 1\nRight.") + len("dL/dL = 1\n")

    status = run_plain(load_catalog(), "chain-rule", ProgressStore(tmp_path).load(), None,
                       stdin=io.StringIO("1\n-2\n"), stdout=ClosingPipe(cut))

    assert status == 0
    assert saved(tmp_path)[1].status == {"L": "earned"}


def test_an_unreadable_answer_says_why(tmp_path):
    _, out = run(["2 +"], tmp_path)

    assert "dL/dL = 2 +\nCould not read that: " in out


def test_unknown_lesson_is_status_2(tmp_path):
    status, out = run([], tmp_path, lesson="no-such-lesson")

    assert status == 2
    assert "No lesson called 'no-such-lesson'. Lessons: " in out and "chain-rule" in out


def test_the_menu_lists_lessons_with_their_state_and_reads_a_number(tmp_path):
    lessons = load_catalog().lessons
    number = 1 + [lesson.id for lesson in lessons].index("chain-rule")
    run(["1"], tmp_path)

    status, out = run(["99", str(number), "-2", "q"], tmp_path, lesson=None)

    assert status == 0
    assert f"{number}. The chain rule by hand (chain-rule): Every gradient" in out
    assert "(chain-rule): Every gradient of L = (a·b + c)·f by hand, from L back to the leaves. " \
           "[in progress (1 found)]" in out
    assert f"No lesson '99'. Type a number from 1 to {len(lessons)}, an id, p, f or q." in out
    assert "Resuming at part 1 of 1, question dL/dd." in out
    assert saved(tmp_path)[1].status == {"L": "earned", "d": "earned"}


def test_every_kind_of_part(write_lesson, tmp_path):
    catalog = load_catalog(write_lesson(MIXED_LESSON, "mixed.toml").parent)
    home = tmp_path / "home"

    status, out = run(["nudge", "nudge", "nudge", "14", "", "1", "-4", "-4", "", "nudge", "-0.4", "0.4", "", "",
                       ""], home, "mixed", catalog)

    assert status == 0
    assert "Read this first." in out
    assert ("Part 1 of 5: A slope\nPress Ctrl+N to nudge x.\nType your answer, or hint, nudge, show (help says more)."
            "\nWhere the lesson says Ctrl+N, type nudge; for Ctrl+G, type hint; for Ctrl+R, type show.\n"
            "Inputs: x = 3\nf = 3*x**2 - 4*x + 5 = 20\n") in out
    assert "  h = 0.01     f: 20 → 20.1403      estimate 14.03" in out
    assert "slope df/dx at x = 3: 14\nRight." in out
    assert "You earned 3 of 3." in out
    assert "(Enter to continue, lessons to go back to the lessons)" in out  # no update: part 3 asks it by hand
    assert "Gradients given: dL/dw = -4\n" in out
    assert "w after one step = nudge\nNudging is for gradients and slopes" in out
    assert "That steps along the gradient." in out  # the update exercise's own diagnosis
    assert "w after one step = 0.4\nRight." in out
    assert "With every parameter moved, L goes from 4 to 2.56." in out
    assert "  step           L  parameters\n     0          20  m = 0, b = 0\n     1  " in out
    assert "\n     3  " in out and "\n     4  " not in out and "\n     5  " in out  # the first steps, then a tenth
    assert "After 50 steps: L = " in out
    assert "Training a network with hidden layers of 3 neurons on 8 xor points" in out
    assert "After 10 steps: loss " in out
    assert "That was all." in out
    record = ProgressStore(home).load().lesson("mixed")
    assert record.finished
    assert record.part_progress(3).updates == 50


@pytest.mark.parametrize("lesson", [lesson.id for lesson in load_catalog().lessons])
def test_every_shipped_lesson_runs_to_its_end(lesson, tmp_path):
    """Asking to be shown every answer walks a lesson to its outro: no part kind is left out."""
    if lesson == "your-engine":  # it runs the rules the learner wrote in backward-rules: walk that first
        run(["show", ""] * 200, tmp_path, "backward-rules")
    status, out = run(["show", ""] * 200, tmp_path, lesson)

    assert status == 0
    assert f"Lesson finished: {load_catalog().find(lesson).title}." in out
    assert ProgressStore(tmp_path).load().lesson(lesson).finished


def test_line_mode_loads_no_screen_library():
    """`TERM=dumb` and scripts start without Textual or Rich."""
    code = "import sys, tui_grad.plain; print(sorted({'textual', 'rich'} & {m.split('.')[0] for m in sys.modules}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert done.stdout.strip() == "[]", done.stderr


def test_markdown_reads_as_plain_lines():
    text = markdown_to_text("# Title\n\nSome **bold** and *it\nalic*, `a * b` and `x**2`.\n"
                            "* one\n- two\n1. first\n[docs](https://x.org)\n```\ncode\n```")

    assert text == ("Title\n\nSome bold and it\nalic, a * b and x**2.\n- one\n- two\n1. first\n"
                    "docs (https://x.org)\n\x00code")


def test_a_code_block_keeps_its_lines_and_indentation_where_prose_is_rewrapped():
    text = markdown_to_text("Some\nprose.\n\n```python\ndef f(x):\n    return x * *y\n```\nMore\nprose.")
    assert rewrap(text, 40) == "Some prose.\n\n    def f(x):\n        return x * *y\nMore prose."


DRIVER = """\
import sys
from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.plain import run_plain
sys.exit(run_plain(load_catalog(), "chain-rule", ProgressStore().load(), None, stdin=sys.stdin, stdout=sys.stdout))
"""


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_real_standard_streams_in_any_encoding(encoding, tmp_path):
    """The streams a shell gives: a byte the encoding cannot read costs nothing and loses no later
    line, and an output that cannot show the math symbols gets ASCII stand-ins."""
    env = {**os.environ, "TUI_GRAD_HOME": str(tmp_path), "PYTHONIOENCODING": encoding}
    done = subprocess.run([sys.executable, "-c", DRIVER], input=b"\xff\n1\n-2\n", capture_output=True, env=env,
                          timeout=60)

    out = done.stdout.decode(encoding)
    assert done.returncode == 0, done.stderr.decode()
    assert "Could not read that: " in out
    assert "dL/dd = -2\nRight." in out
    assert ("dL/dL · ∂L/∂d = 1 · (-2)" if encoding == "utf-8" else "1 * (-2) = -2") in out
    assert saved(tmp_path)[1].status == {"L": "earned", "d": "earned"}


def test_term_dumb_picks_line_mode_and_says_so(tmp_path):
    env = {**os.environ, "TUI_GRAD_HOME": str(tmp_path), "TERM": "dumb"}
    done = subprocess.run([sys.executable, "-m", "tui_grad", "chain-rule"], input="1\n", capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "TERM=dumb" in done.stderr and "line mode" in done.stderr
    assert "dL/dL = " in done.stdout and "\x1b" not in done.stdout
    assert saved(tmp_path)[1].status == {"L": "earned"}


def test_through_a_real_pipe(tmp_path):
    env = {**os.environ, "TUI_GRAD_HOME": str(tmp_path), "TERM": "dumb"}
    done = subprocess.run([sys.executable, "-m", "tui_grad", "--plain", "chain-rule"],
                          input="1\n-2\n4\n-2\n-2\n-3\n6\n", capture_output=True, text=True, env=env,
                          timeout=60)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "dL/da = -3\nWrong.\ndL/da is not -3. -3 is only the local derivative" in done.stdout
    assert "dL/da = 6\nRight." in done.stdout
    assert "Progress is saved" in done.stdout
    assert "\x1b" not in done.stdout  # no colour, no cursor movement
    assert saved(tmp_path)[1].status == {name: "earned" for name in "Ldfeca"}


# --- the real process: a closed pipe and a line without end (issue 12 §2) ---------------------------


def _plain_process(home: Path, *, limit_memory: int | None = None) -> subprocess.Popen:
    """`python -m tui_grad --plain chain-rule` with pipes on both ends, progress kept in `home`."""
    def cap() -> None:
        if limit_memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))

    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), "TUI_GRAD_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "tui_grad", "--plain", "chain-rule"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, preexec_fn=cap)


def test_plain_into_a_closed_pipe_exits_quietly_and_keeps_the_answers(tmp_path):
    child = _plain_process(tmp_path)
    child.stdin.write(b"1\n")
    child.stdin.flush()
    while not child.stdout.readline().startswith(b"Right."):
        pass
    child.stdout.close()  # the reader goes away (`| head`), then the learner types on
    try:
        child.stdin.write(b"-2\n4\n")
        child.stdin.close()
    except BrokenPipeError:
        pass
    errors = child.stderr.read().decode()
    assert child.wait(timeout=60) == 0, errors
    assert "Traceback" not in errors and "BrokenPipe" not in errors and errors == ""
    assert saved(tmp_path)[1].status.get("L") == "earned"  # the answer given before it went is kept


def test_plain_reads_an_endless_line_in_pieces_and_goes_on(tmp_path):
    line_length = 200 * 1024 * 1024  # a 200 MB line once took 800 MB; this process may have 400 MB
    child = _plain_process(tmp_path, limit_memory=400 * 1024 * 1024)
    chunk = b"7" * (1024 * 1024)
    try:
        for _ in range(line_length // len(chunk)):
            child.stdin.write(chunk)
        child.stdin.write(b"\n1\n")
        child.stdin.close()
    except BrokenPipeError:
        pass
    out, errors = child.stdout.read().decode(), child.stderr.read().decode()
    assert child.wait(timeout=120) == 0, errors
    assert f"That line was over {MAX_LINE} characters long and was not read." in out
    assert "MemoryError" not in errors and errors == ""
    assert saved(tmp_path)[1].status.get("L") == "earned"  # the next line is read as usual


def test_a_bug_hunt_prints_its_text_once_then_each_buggy_step(tmp_path):
    """The part's text opens the bug hunt; the steps that follow are numbered lines of their own,
    not the text again (the app keeps it above each step; line mode has already printed it)."""
    _, out = run(["", "", "lessons"], tmp_path, lesson="two-bugs")
    assert out.count("This engine's backward pass has bug 1") == 1
    assert "1. b.grad = 1 × 1 = 1" in out and "4. a.grad = 6 × 1 = 6\n" in out
    assert "it held is lost" not in out and "3.grad" not in out  # nothing given away before the question


def test_lessons_at_a_question_goes_back_to_the_menu_and_the_lesson_resumes_there(tmp_path):
    """`lessons` at a question is what it says between steps: back to the list, progress saved; picking
    the lesson again comes back to that question (it used to end line mode altogether)."""
    status, out = run(["", "1", "lessons", "chain-rule", "lessons", "q"], tmp_path)
    assert status == 0
    after_leaving = out.split("dL/dd = lessons", 1)[1]
    assert "Lessons:" in after_leaving and "[in progress (1 found)]" in after_leaving
    assert "Resuming at part 1 of 1, question dL/dd." in after_leaving
    _, progress = saved(tmp_path)
    assert progress.status == {"L": "earned"}


def test_a_lesson_opened_by_name_goes_back_to_the_menu_on_lessons(tmp_path):
    status, out = run(["", "lessons", "q"], tmp_path, lesson="chain-rule")
    assert status == 0 and "Lessons:" in out.split("dL/dL = lessons", 1)[1]
