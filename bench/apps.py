"""The programs the terminal benchmarks start, and how to bring each to the screen being measured.

Every program runs under bench/terminal.py's pseudo-terminal at 80x24 with TERM=xterm-256color,
the interpreter running the benchmark, and TUI_GRAD_HOME in a fresh temporary folder for every
launch, so that no real progress is touched and every run starts as a first visit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from terminal import Terminal

from common import REPOSITORY

BENCH = Path(__file__).resolve().parent
MINIMAL_APP = BENCH / "minimal_app.py"
MINIMAL_ANSWER_APP = BENCH / "minimal_answer_app.py"
MINIMAL_ANSWER_TEXT = "what is dL/dL?"  # its line of text
MINIMAL_TEXTS = ("A minimal Textual app", "palette")  # its line, and the footer: a complete frame
HOME_TEXTS = ("Learn backpropagation", "Quit", "palette")
INTRO_TEXTS = ("Continue", "palette")
EXERCISE_TEXTS = ("Find dL/dL", "Enter to check", "palette")
VERDICT_TEXT = "Right:"  # "✓ Right: dL/dL = 1." once 1 is checked
LOW_BANDWIDTH_FLAG = "--low-bandwidth"
LOW_BANDWIDTH_VARIABLE = "TUI_GRAD_LOW_BANDWIDTH"

_homes = tempfile.mkdtemp(prefix="tui-grad-bench-")
atexit.register(shutil.rmtree, _homes, ignore_errors=True)


def _compile_tutor() -> None:
    """Write the tutor's bytecode, as `pip install` does for an installed tutor. Run from a
    checkout where PYTHONDONTWRITEBYTECODE is set, every launch would otherwise compile every
    module from source (about 30 ms here), which Textual, installed by pip, never pays."""
    import compileall

    compileall.compile_dir(str(REPOSITORY / "tui_grad"), quiet=1)


_compile_tutor()


def environment(low_bandwidth: bool = False) -> dict[str, str]:
    """The environment of a program under test: a plain xterm, a throwaway progress folder."""
    env = dict(os.environ, TERM="xterm-256color", TUI_GRAD_HOME=tempfile.mkdtemp(dir=_homes))
    for name in ("COLUMNS", "LINES", "TERM_PROGRAM", "NO_COLOR", LOW_BANDWIDTH_VARIABLE):
        env.pop(name, None)
    if low_bandwidth:
        env[LOW_BANDWIDTH_VARIABLE] = "1"
    return env


def tutor(*args: str, low_bandwidth: bool = False) -> Terminal:
    """Start `python -m tui_grad ARGS` (with --low-bandwidth and its variable when asked)."""
    flags = [LOW_BANDWIDTH_FLAG] if low_bandwidth else []
    argv = [sys.executable, "-m", "tui_grad", *flags, *args]
    return Terminal(argv, environment(low_bandwidth), cwd=str(REPOSITORY))


def minimal_app() -> Terminal:
    """Start the baseline, `python bench/minimal_app.py`, the same way."""
    return Terminal([sys.executable, str(MINIMAL_APP)], environment(), cwd=str(REPOSITORY))


def minimal_answer_app() -> Terminal:
    """Start the answering baseline, `python bench/minimal_answer_app.py`, the same way."""
    return Terminal([sys.executable, str(MINIMAL_ANSWER_APP)], environment(), cwd=str(REPOSITORY))


def open_exercise(terminal: Terminal) -> int:
    """From `tui-grad chain-rule`'s intro page, press Enter and wait for the exercise screen.

    Returns the output offset just past the exercise screen's first complete frame.
    """
    terminal.wait_for_frame(*INTRO_TEXTS)
    terminal.wait_quiet(0.3)
    since = len(terminal.output)
    terminal.write(b"\r")
    _, end = terminal.wait_for_frame(*EXERCISE_TEXTS, since=since)
    return end


def tutor_supports_low_bandwidth() -> bool:
    """True when `tui-grad --help` mentions the low-bandwidth flag."""
    result = subprocess.run([sys.executable, "-m", "tui_grad", "--help"], cwd=REPOSITORY, env=environment(),
                            capture_output=True, text=True, timeout=60)
    return LOW_BANDWIDTH_FLAG in result.stdout
