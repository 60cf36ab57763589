"""A pseudo-terminal that runs a full-screen program and records every byte it writes, with times.

It answers the capability queries Textual sends as a real terminal would: DECRQM for synchronized
output (mode 2026) is "supported", any other mode is "not recognized", and device attributes
(DA1) name a VT220-class terminal. Textual then wraps each frame in "\\e[?2026h" ... "\\e[?2026l",
so the end of a frame is a marker that can be timed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

FRAME_END = b"\x1b[?2026l"
_MODE_QUERY = re.compile(rb"\x1b\[\?(\d+)\$p")
_DEVICE_ATTRIBUTES_QUERY = re.compile(rb"\x1b\[0?c")
_BACKGROUND_QUERY = re.compile(rb"\x1b\]11;\?(?:\x07|\x1b\\)")
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, colours, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, colours
    rb"|\x1b[()][0-9A-Za-z]|\x1b[@-Z\\-_=>]"  # charset and other two-byte escapes
)
SUPPORTED_MODES = {b"2026"}


class ProgramError(RuntimeError):
    """The program under test exited or stalled before the awaited output appeared."""


def visible_text(data: bytes) -> str:
    """The printable text in a stretch of terminal output, escape sequences removed."""
    return _ESCAPES.sub(b"", data).decode("utf-8", errors="replace")


class Terminal:
    """One program under a pseudo-terminal of a fixed size; `output` holds all it wrote so far."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str | None = None, columns: int = 80,
                 rows: int = 24) -> None:
        self.output = bytearray()
        self.chunks: list[tuple[float, int]] = []  # (time read, length of output after it)
        self.exit_status: int | None = None
        self.rusage = None
        self._answered = 0  # how far queries have been looked for
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal before the program can ask, then become it
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd

    # --- reading ---------------------------------------------------------------------------

    def read(self, timeout: float) -> bool:
        """Read whatever arrives within timeout seconds; False once the program has closed its end."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: every process holding the terminal has gone
            data = b""
        if not data:
            self._reap()
            return False
        self.output += data
        self.chunks.append((time.perf_counter(), len(self.output)))
        self._answer_queries()
        return True

    def _answer_queries(self) -> None:
        """Reply to the capability queries in the new output, as a real terminal would."""
        start = max(0, self._answered - 16)  # a query may straddle two reads
        new = bytes(self.output[start:])
        for match in _MODE_QUERY.finditer(new):
            if match.end() + start > self._answered:
                mode = match.group(1)
                setting = b"2" if mode in SUPPORTED_MODES else b"0"
                self.write(b"\x1b[?" + mode + b";" + setting + b"$y")
        for match in _DEVICE_ATTRIBUTES_QUERY.finditer(new):
            if match.end() + start > self._answered:
                self.write(b"\x1b[?62;22c")
        for match in _BACKGROUND_QUERY.finditer(new):
            if match.end() + start > self._answered:
                self.write(b"\x1b]11;rgb:0000/0000/0000\x1b\\")
        self._answered = len(self.output)

    def wait_for_frame(self, *texts: str, since: int = 0, timeout: float = 30.0) -> tuple[float, int]:
        """Wait for the first frame to end by which every one of texts was drawn after `since`.

        Returns (the time the frame's end marker was read, the offset just past it).
        """
        deadline = time.perf_counter() + timeout
        searched = since
        while True:
            end = self.output.find(FRAME_END, searched)
            while end != -1:
                stop = end + len(FRAME_END)
                shown = visible_text(bytes(self.output[since:stop]))
                if all(text in shown for text in texts):
                    return self.time_at(stop), stop
                searched = stop
                end = self.output.find(FRAME_END, searched)
            if time.perf_counter() > deadline:
                raise ProgramError(f"no frame showed {texts!r} within {timeout:g} s; last output: "
                                   f"{visible_text(bytes(self.output[-400:]))!r}")
            if not self.read(0.05):
                raise ProgramError(f"the program exited (status {self.exit_status}) before showing {texts!r}")

    def wait_quiet(self, quiet: float, timeout: float = 10.0) -> None:
        """Read until nothing has arrived for `quiet` seconds (or timeout passes)."""
        deadline = time.perf_counter() + timeout
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            before = len(self.output)
            if not self.read(min(quiet, 0.05)):
                return
            if len(self.output) != before:
                last = time.perf_counter()
            elif time.perf_counter() - last >= quiet:
                return

    def read_for(self, seconds: float) -> None:
        """Keep reading (and answering) for `seconds`."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and self.read(deadline - time.perf_counter()):
            pass

    def time_at(self, offset: int) -> float:
        """When the byte at offset - 1 was read."""
        for read_time, length in self.chunks:
            if length >= offset:
                return read_time
        return time.perf_counter()

    # --- writing and ending ------------------------------------------------------------------

    def write(self, data: bytes) -> float:
        """Send keys (or replies) to the program; returns the time they were sent."""
        os.write(self.fd, data)
        return time.perf_counter()

    def _reap(self) -> None:
        if self.exit_status is None:
            _, status, self.rusage = os.wait4(self.pid, 0)
            self.exit_status = os.waitstatus_to_exitcode(status)

    def close(self, keys: bytes = b"\x11", timeout: float = 10.0) -> None:
        """Quit with keys (Ctrl+Q), or SIGTERM after timeout; keeps the child's resource usage."""
        if self.exit_status is None:
            with contextlib.suppress(OSError):
                self.write(keys)
            deadline = time.perf_counter() + timeout
            while self.exit_status is None and time.perf_counter() < deadline:
                if not self.read(0.1):
                    break
            if self.exit_status is None:
                os.kill(self.pid, signal.SIGTERM)
                self._reap()
        os.close(self.fd)

    @property
    def peak_rss_kib(self) -> int:
        """The program's peak resident memory in KiB (Linux ru_maxrss), known once it has exited."""
        return self.rusage.ru_maxrss

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
