"""An idle learner costs the server nothing: once the exercise screen has settled (its cursor stops
blinking 10 s after the last key), no thread of the tutor wakes. Textual's own input thread wakes
ten times a second, forever; a lab has a hundred of them."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.test_signals import GONE_WITHIN, open_exercise, tutor_pid, wait_until_idle
from tests.e2e.tmux import TmuxTerminal, tutor_command, tutor_env


def wakes(pid: int) -> int:
    """How many times the process's threads have been put to sleep and woken so far."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def quiet_window(pid: int, seconds: float = 2.0, give_up: float = 40.0) -> int | None:
    """The fewest wakes seen in any `seconds` window before one had at most 2, or until `give_up`
    seconds have passed (a guard against a tutor that never settles; never a speed figure)."""
    fewest: int | None = None
    deadline = time.monotonic() + give_up
    while time.monotonic() < deadline:
        before = wakes(pid)
        time.sleep(seconds)  # Textual's input loop alone wakes 20 times in 2 s
        woken = wakes(pid) - before
        fewest = woken if fewest is None else min(fewest, woken)
        if fewest <= 2:
            break
    return fewest


@pytest.fixture
def tutor(tmp_path):
    """A tutor in tmux on the chain-rule lesson's first question, settled; yields (terminal, pid)."""
    terminal = TmuxTerminal(tutor_command("chain-rule"), env=tutor_env(tmp_path))
    try:
        open_exercise(terminal)
        pid = tutor_pid(terminal)
        wait_until_idle(pid)
        yield terminal, pid
    finally:
        terminal.close()


def assert_asleep_and_listening(terminal: TmuxTerminal, pid: int) -> None:
    """No thread wakes once the screen has settled, and a lone Esc still goes back to the list."""
    assert quiet_window(pid) <= 2
    terminal.keys("Escape")
    terminal.wait_for("Your own formula")


def test_an_idle_tutor_sleeps(tutor):
    assert_asleep_and_listening(*tutor)


def process_state(pid: int) -> str:
    """The one-letter state in /proc/PID/stat (T: stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_a_suspended_tutor_comes_back_hears_keys_and_sleeps_again(tutor):
    """Ctrl+Z (SIGTSTP) and fg (SIGCONT): the input thread is stopped and started again."""
    terminal, pid = tutor
    os.kill(pid, signal.SIGTSTP)
    deadline = time.monotonic() + GONE_WITHIN
    while process_state(pid) != "T" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_state(pid) == "T"
    os.kill(pid, signal.SIGCONT)
    terminal.wait_for("Find dL/dL")
    terminal.type("1")
    terminal.wait_for("Right")
    wait_until_idle(pid)
    assert_asleep_and_listening(terminal, pid)
