"""A learner at a real terminal: tui-grad started inside tmux, driven by send-keys, read by capture-pane."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

WAIT = 30.0  # generous ceiling for the screen to show something; never a speed assertion


def require_tmux() -> str:
    """The tmux binary, or a skip that says why (.ci/run installs it, so CI never skips)."""
    path = shutil.which("tmux")
    if path is None:
        pytest.skip("tmux is not installed (.ci/run installs it with apt-get)")
    return path


class TmuxTerminal:
    """One tmux session with one window running a command at a given size."""

    def __init__(self, command: list[str], width: int = 80, height: int = 24,
                 env: dict[str, str] | None = None) -> None:
        self.tmux = require_tmux()
        self.name = f"tui-grad-test-{uuid.uuid4().hex[:8]}"
        self.socket = f"tui-grad-{uuid.uuid4().hex[:8]}"
        environment = " ".join(f"{key}={shlex.quote(value)}" for key, value in (env or {}).items())
        shell_command = f"env {environment} {shlex.join(command)}; echo '[exited]' $?; sleep 600"
        self.run("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), shell_command)

    def run(self, *args: str) -> str:
        result = subprocess.run([self.tmux, "-L", self.socket, *args], capture_output=True, text=True, check=True)
        return result.stdout

    def screen(self) -> str:
        """What the terminal shows now."""
        return self.run("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str, literal: bool = False) -> None:
        """Type keys (tmux key names such as Enter, C-r, or literal text with literal=True)."""
        self.run("send-keys", "-t", self.name, *(["-l", "--"] if literal else []), *keys)

    def type(self, text: str) -> None:
        """Type text and press Enter."""
        self.keys(text, literal=True)
        self.keys("Enter")

    def resize(self, width: int, height: int) -> None:
        self.run("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def wait_for(self, text: str, timeout: float = WAIT) -> str:
        """Poll the screen until `text` is on it; fail with the screen if it never comes."""
        return self.wait_for_any(text, timeout=timeout)

    def wait_for_any(self, *texts: str, timeout: float = WAIT) -> str:
        """Poll the screen until one of `texts` is on it; fail with the screen if none comes."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if any(text in screen for text in texts):
                return screen
            time.sleep(0.05)
        wanted = " or ".join(repr(text) for text in texts)
        raise AssertionError(f"{wanted} never appeared; the screen shows:\n{screen}")

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True)


def tutor_command(*args: str) -> list[str]:
    """The tutor as a learner starts it, from this Python."""
    return [sys.executable, "-m", "tui_grad", *args]


def tutor_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for the tutor: its own progress folder and a real TERM."""
    env = {"TUI_GRAD_HOME": str(home), "TERM": extra.pop("TERM", "xterm-256color"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.update(extra)
    if "NO_COLOR" not in env:
        env["COLORTERM"] = os.environ.get("COLORTERM", "truecolor")
    return env
