"""The server side of the SSH test: run the tutor on a pty of its own, relay it, record how it ended.

sshd starts this as the remote command. Textual draws on stderr, so the tutor's output cannot be
split off with a redirect; instead the tutor gets its own pseudo-terminal, everything it writes is
relayed to the SSH terminal and copied to a log, and when the SSH terminal hangs up (the link
dropped) the inner terminal is hung up too, so the tutor sees exactly what a dropped link does to
it: SIGHUP and a dead terminal. Its exit status goes to a JSON file the test waits for.

Usage: python remote_tutor.py LOG STATUS COMMAND...
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import select
import signal
import sys
import termios
import time
import tty

LINGER = 20.0  # how long a hung-up tutor may take to exit before it counts as left running


class HungUp(Exception):
    """The SSH terminal went away."""


def relay(master: int, log) -> None:
    """Copy keys in and screen out until either side closes."""
    while True:
        try:
            ready, _, _ = select.select([0, master], [], [])
        except InterruptedError:
            continue
        if 0 in ready:
            try:
                data = os.read(0, 4096)
            except OSError:
                data = b""
            if not data:
                raise HungUp
            with contextlib.suppress(OSError):  # the tutor is gone; the read below will say so
                os.write(master, data)
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError as error:  # EIO: the tutor closed its terminal (it exited)
                if error.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                return
            log.write(data)
            log.flush()
            with contextlib.suppress(OSError):
                os.write(1, data)


def copy_window_size(source: int, target: int) -> None:
    """Give the inner terminal the SSH terminal's rows and columns."""
    with contextlib.suppress(OSError):
        fcntl.ioctl(target, termios.TIOCSWINSZ, fcntl.ioctl(source, termios.TIOCGWINSZ, b"\0" * 8))


def main() -> int:
    log_path, status_path, *command = sys.argv[1:]
    master, slave = os.openpty()
    copy_window_size(0, slave)
    child = os.fork()
    if child == 0:
        os.close(master)
        os.login_tty(slave)  # a new session with the inner pty as its controlling terminal
        os.execvp(command[0], command)
    os.close(slave)

    def hang_up(signum, frame):
        raise HungUp

    signal.signal(signal.SIGHUP, hang_up)
    signal.signal(signal.SIGWINCH, lambda signum, frame: copy_window_size(0, master))
    saved = None
    with contextlib.suppress(termios.error):
        saved = termios.tcgetattr(0)
        tty.setraw(0)
    hung_up = False
    with open(log_path, "ab") as log:
        try:
            relay(master, log)
        except HungUp:
            hung_up = True
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if hung_up:
            # Drain what is left, then let go of the inner terminal: the kernel hangs it up and
            # sends the tutor SIGHUP, as it would for a tutor started straight from sshd.
            with contextlib.suppress(OSError):
                while select.select([master], [], [], 0)[0] and (data := os.read(master, 65536)):
                    log.write(data)
        os.close(master)
    deadline = time.monotonic() + LINGER
    lingered = False
    while True:
        finished, status = os.waitpid(child, os.WNOHANG)
        if finished:
            break
        if time.monotonic() > deadline:
            lingered = True
            os.kill(child, signal.SIGKILL)
            _, status = os.waitpid(child, 0)
            break
        time.sleep(0.05)
    if saved is not None and not hung_up:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
    code = os.waitstatus_to_exitcode(status)
    record = {"exit_code": code, "signal": signal.Signals(-code).name if code < 0 else None,
              "hung_up": hung_up, "lingered": lingered}
    with open(status_path + ".tmp", "w", encoding="utf-8") as stream:
        json.dump(record, stream)
    os.replace(status_path + ".tmp", status_path)  # the test sees the whole record or none
    return code if code >= 0 else 128 - code  # what a shell would report for the tutor itself


if __name__ == "__main__":
    sys.exit(main())
