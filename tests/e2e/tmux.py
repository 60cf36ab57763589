"""A learner at a real terminal: tui-grad started inside tmux, driven by send-keys, read by capture-pane."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

WAIT = 30.0  # generous ceiling for the screen to show something; never a speed assertion
EXITED = "[exited]"  # printed with the exit status once the program under test has ended


def require_tmux() -> str:
    """The tmux binary, or a skip that says why (.ci/run installs it, so CI never skips)."""
    path = shutil.which("tmux")
    if path is None:
        pytest.skip("tmux is not installed (.ci/run installs it with apt-get)")
    return path


class TmuxTerminal:
    """One tmux session with one window running a command at a given size."""

    def __init__(self, command: list[str], width: int = 80, height: int = 24,
                 env: dict[str, str] | None = None, raw_log: Path | None = None) -> None:
        self.tmux = require_tmux()
        self.name = f"tui-grad-test-{uuid.uuid4().hex[:8]}"
        self.socket = f"tui-grad-{uuid.uuid4().hex[:8]}"
        self.raw_log = raw_log
        environment = " ".join(f"{key}={shlex.quote(value)}" for key, value in (env or {}).items())
        shell_command = f"env {environment} {shlex.join(command)}; echo '{EXITED}' $?; sleep 600"
        start = ["new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), shell_command]
        if raw_log is not None:
            # Chained in the same tmux command, so the pipe is in place before the pane's first byte.
            start += [";", "pipe-pane", "-o", "-t", self.name, f"cat >> {shlex.quote(str(raw_log))}"]
        self.run(*start)

    def run(self, *args: str) -> str:
        """Run one tmux command against this terminal's own server; returns its output."""
        # -f /dev/null: no user or system tmux.conf may change the size, keys or terminal type.
        result = subprocess.run([self.tmux, "-f", "/dev/null", "-L", self.socket, *args],
                                capture_output=True, text=True, check=True)
        return result.stdout

    def raw_output(self) -> str:
        """Every byte the program has written to the terminal so far (needs raw_log)."""
        assert self.raw_log is not None, "start the terminal with raw_log to record its output"
        return self.raw_log.read_bytes().decode("utf-8", errors="replace") if self.raw_log.exists() else ""

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
        """Resize the window, as a learner dragging the terminal's corner does."""
        self.run("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def wait_for(self, text: str, timeout: float = WAIT) -> str:
        """Poll the screen until `text` is on it; fail with the screen if it never comes."""
        return self.wait_for_any(text, timeout=timeout)

    def wait_for_any(self, *texts: str, timeout: float = WAIT) -> str:
        """Poll the screen until one of `texts` is on it; fail with the screen if none comes, at
        once if the program has exited (the screen will not change any more)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if any(text in screen for text in texts):
                return screen
            if EXITED in screen:
                break
            time.sleep(0.05)
        wanted = " or ".join(repr(text) for text in texts)
        raise AssertionError(f"{wanted} never appeared; the screen shows:\n{screen}")

    def close(self) -> None:
        """Stop tmux and whatever still runs in it (the pane's process gets SIGHUP)."""
        subprocess.run([self.tmux, "-f", "/dev/null", "-L", self.socket, "kill-server"], capture_output=True)


def tutor_command(*args: str) -> list[str]:
    """The tutor as a learner starts it, from this Python."""
    return [sys.executable, "-m", "tui_grad", *args]


def tutor_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for the tutor: its own progress folder and a truecolor xterm, unless
    the caller names another TERM (then COLORTERM is cleared, so TERM alone decides the colours)."""
    env = {"TUI_GRAD_HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    if "TERM" in extra:
        env["COLORTERM"] = ""
    else:
        env.update(TERM="xterm-256color", COLORTERM="truecolor")
    env.update(extra)
    return env


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colours_used(raw: str) -> set[tuple[str, ...]]:
    """Every colour the output sets, as ("rgb", r, g, b), ("256", n) or ("16", n)."""
    found: set[tuple] = set()
    for match in SGR.finditer(raw):
        params = [int(part) if part else 0 for part in match.group(1).split(";")]
        index = 0
        while index < len(params):
            code = params[index]
            if code in (38, 48) and params[index + 1:index + 2] == [2]:
                found.add(("rgb", *params[index + 2:index + 5]))
                index += 5
                continue
            if code in (38, 48) and params[index + 1:index + 2] == [5]:
                found.add(("256", *params[index + 2:index + 3]))
                index += 3
                continue
            if 30 <= code <= 37 or 40 <= code <= 47:
                found.add(("16", code % 10))
            elif 90 <= code <= 97 or 100 <= code <= 107:
                found.add(("16", code % 10 + 8))
            index += 1
    return found


def is_grey(colour: tuple) -> bool:
    """Whether a colour from colours_used has no hue (black, white or a grey)."""
    kind, *values = colour
    if kind == "rgb":
        return len(set(values)) == 1
    number = values[0]
    if kind == "16" or number < 16:
        return number in (0, 7, 8, 15)
    if number >= 232:
        return True
    cube = number - 16
    return cube // 36 == cube // 6 % 6 == cube % 6
