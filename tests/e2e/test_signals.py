"""A tutor told to stop (SIGTERM, as a lab's session manager does) or hung up on (SIGHUP, a closed
window, a dropped SSH link, a killed tmux server) saves and leaves, in every state: also with
nothing on a timer (low-bandwidth mode, a finished training run), where a stop used to wait for a
key, and at scale, where a tutor whose terminal had gone used to spin on its input."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tui_grad.core.progress import ProgressStore

from tests.e2e.tmux import EXITED, TmuxTerminal, tutor_command, tutor_env

GONE_WITHIN = 20.0  # a generous ceiling that fails only a tutor that hangs; never a speed figure


def tutor_pid(terminal: TmuxTerminal, target: str | None = None) -> int:
    """The tutor's process: the pane's own process when it was exec'd, else its shell's child."""
    pane = int(terminal.run("display-message", "-p", "-t", target or terminal.name, "#{pane_pid}").strip())
    candidates = [pane] + [int(child) for child in subprocess.run(
        ["pgrep", "-P", str(pane)], capture_output=True, text=True).stdout.split()]
    for pid in candidates:
        if b"tui_grad" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"):  # python -m tui_grad
            return pid
    raise AssertionError("the tutor is not running")


def process_identity(pid: int) -> str | None:
    """The process's start time (to tell it from a later process given the same id), or None once
    it has ended (a zombie has ended too: only its parent's bookkeeping is left)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def wait_until_gone(processes: dict[int, str], timeout: float = GONE_WITHIN) -> dict[int, str]:
    """Poll until none of the processes is running; returns those still running at the deadline,
    each with its state and CPU ticks so far (a spinning one shows a climbing count)."""
    deadline = time.monotonic() + timeout
    alive = dict(processes)
    while alive and time.monotonic() < deadline:
        alive = {pid: start for pid, start in alive.items() if process_identity(pid) == start}
        if alive:
            time.sleep(0.05)
    return {pid: Path(f"/proc/{pid}/stat").read_text() for pid in alive if process_identity(pid) is not None}


def cpu_ticks(pid: int) -> int:
    """The process's user and system CPU time so far, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_until_idle(pid: int, timeout: float = GONE_WITHIN) -> None:
    """Poll until the tutor has spent (almost) no CPU for a second: its event loop is asleep with
    nothing due, the state in which a stop used to wait for a key."""
    deadline = time.monotonic() + timeout
    quiet_since, ticks = time.monotonic(), cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = cpu_ticks(pid)
        if now - ticks > 1:
            quiet_since, ticks = time.monotonic(), now
        elif time.monotonic() - quiet_since >= 1.0:
            return
    raise AssertionError(f"the tutor never settled: {cpu_ticks(pid) - ticks} CPU ticks in its last second")


def kill_leftovers(processes: dict[int, str | None]) -> None:
    """SIGKILL whichever of these processes still runs, so a failed test leaves nothing spinning."""
    for pid, identity in processes.items():
        if identity is not None and process_identity(pid) == identity:
            os.kill(pid, signal.SIGKILL)


def open_exercise(terminal: TmuxTerminal, target: str | None = None) -> None:
    """From the chain-rule lesson's introduction to its first question."""
    wait_for(terminal, "Four numbers go in", target)
    terminal.run("send-keys", "-t", target or terminal.name, "Enter")
    wait_for(terminal, "Find dL/dL", target)


def finish_training(terminal: TmuxTerminal) -> None:
    """From the small-network lesson's introduction to its finished training run."""
    terminal.wait_for("A small network")
    terminal.keys("Enter")
    terminal.wait_for("training")
    terminal.keys("s")  # skip to the end: the state under test is "done", however it was reached
    terminal.wait_for("Enter: continue", timeout=120)


STATES = {
    "exercise": (("chain-rule",), open_exercise),
    "exercise, low bandwidth": (("chain-rule", "--low-bandwidth"), open_exercise),
    "training finished": (("small-network",), finish_training),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_ends_the_tutor_in_every_state(tmp_path, state, signal_number):
    arguments, reach = STATES[state]
    terminal = TmuxTerminal(tutor_command(*arguments), env=tutor_env(tmp_path))
    try:
        reach(terminal)
        pid = tutor_pid(terminal)
        wait_until_idle(pid)
        os.kill(pid, signal_number)
        screen = terminal.wait_for(EXITED, timeout=GONE_WITHIN)  # no key is pressed: the signal alone
        assert f"{EXITED} 0" in screen and "Traceback" not in screen
    finally:
        terminal.close()


def test_sigterm_saves_and_exits_cleanly(tmp_path):
    terminal = TmuxTerminal(tutor_command("chain-rule"), env=tutor_env(tmp_path, TEXTUAL_ANIMATIONS="none"))
    try:
        terminal.wait_for("Four numbers go in")
        terminal.keys("Enter")
        terminal.wait_for("Find dL/dL")
        terminal.type("1")
        terminal.wait_for("Find dL/dd")
        os.kill(tutor_pid(terminal), signal.SIGTERM)
        screen = terminal.wait_for(EXITED)
        assert f"{EXITED} 0" in screen and "Traceback" not in screen
    finally:
        terminal.close()
    record = ProgressStore(tmp_path).load().lessons["chain-rule"]
    assert record.parts[0].status == {"L": "earned"}


def test_a_vanished_terminal_ends_the_tutor_without_a_signal(tmp_path):
    """The terminal hangs up but no SIGHUP reaches the tutor (its shell, the session leader, ignores
    it and is the only one the kernel tells): the tutor must notice the terminal itself, not read
    nothing forever."""
    terminal = TmuxTerminal(["sleep", "600"], env={})
    tutors: dict[int, str | None] = {}
    try:
        window = open_window(terminal, tutor_env(tmp_path), ("chain-rule", "--low-bandwidth"), "deaf")
        open_exercise(terminal, window)
        pid = tutor_pid(terminal, window)
        tutors = {pid: process_identity(pid)}
        wait_until_idle(pid)
        terminal.run("kill-server")
        assert wait_until_gone(tutors) == {}
    finally:
        terminal.close()
        kill_leftovers(tutors)


SHELLS = {
    "exec": "exec {tutor}",  # the tutor is the session leader: the kernel sends it SIGHUP
    "shell": "{tutor}; echo done",  # a shell waits: SIGHUP reaches the tutor when the shell dies
    "deaf": "trap '' HUP; {tutor}; exit",  # the shell ignores SIGHUP and outlives it: no signal at all
}
"""How a pane runs the tutor, each a different way for a hang-up to reach it or not."""


def open_window(terminal: TmuxTerminal, env: dict[str, str], arguments: tuple[str, ...], shell: str) -> str:
    """Start a tutor in a new window of the terminal's tmux server; returns the window's target."""
    environment = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    command = SHELLS[shell].format(tutor=f"env {environment} {shlex.join(tutor_command(*arguments))}")
    return terminal.run("new-window", "-d", "-P", "-F", "#{session_name}:#{window_index}",
                        "-t", terminal.name, command).strip()


LAB_SIZE = 24
LAB_ROUNDS = 3


@pytest.mark.parametrize("round_number", range(LAB_ROUNDS))
def test_a_killed_tmux_server_takes_every_tutor_with_it(tmp_path, round_number):
    """A lab's worth of tutors in one tmux server, in a mix of states; the server is killed at once
    (as when a lab machine's session ends) and every tutor must be gone, none left spinning."""
    modes = [(), ("--low-bandwidth",)]
    terminal = TmuxTerminal(["sleep", "600"], env={})
    tutors: dict[int, str | None] = {}
    try:
        windows = []
        for index in range(LAB_SIZE):
            home = tmp_path / f"learner-{index}"
            home.mkdir()
            shell = list(SHELLS)[index % len(SHELLS)]
            windows.append(open_window(terminal, tutor_env(home), ("chain-rule", *modes[index % 2]), shell))
        for index, window in enumerate(windows):
            if index % 4:  # three in four on the exercise screen, the rest on the introduction
                open_exercise(terminal, window)
            else:
                wait_for(terminal, "Four numbers go in", window)
        tutors = {pid: process_identity(pid) for pid in (tutor_pid(terminal, window) for window in windows)}
        assert len(tutors) == LAB_SIZE and None not in tutors.values()
        terminal.run("kill-server")
        left = wait_until_gone(tutors)
        assert left == {}, f"{len(left)} of {LAB_SIZE} tutors still running: {left}"
    finally:
        terminal.close()
        kill_leftovers(tutors)


def wait_for(terminal: TmuxTerminal, text: str, target: str | None = None, timeout: float = 60.0) -> str:
    """Poll one window's screen until `text` is on it (a lab starting at once is slow to draw)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = terminal.run("capture-pane", "-p", "-t", target or terminal.name)
        if text in screen:
            return screen
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {target or terminal.name}; it shows:\n{screen}")
