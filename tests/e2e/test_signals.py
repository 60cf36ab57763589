"""A tutor told to stop (SIGTERM, as a lab's session manager does) saves and leaves cleanly."""

from __future__ import annotations

import os
import signal
import subprocess

from tests.e2e.tmux import EXITED, TmuxTerminal, tutor_command, tutor_env
from tui_grad.core.progress import ProgressStore


def tutor_pid(terminal: TmuxTerminal) -> int:
    """The tutor's process: the child of the pane's shell."""
    shell = terminal.run("display-message", "-p", "-t", terminal.name, "#{pane_pid}").strip()
    children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
    assert children, "the tutor is not running"
    return int(children[0])


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
