"""Leaving when told to stop (SIGTERM, SIGHUP) or when the terminal is gone, always and at once.

Three things used to keep a tutor alive after it should have ended:

- A Python signal handler runs between bytecodes of the main thread, but Textual's event loop
  sleeps in select() and nothing wakes it: with no timer running (low-bandwidth mode, a finished
  training run) the exit it asked for waited for the next key. Here the signals go through
  asyncio's own handlers, which wake the loop through its wake-up pipe.
- A terminal can vanish without a SIGHUP reaching the tutor (a pane's shell that dies first, an
  SSH session whose signal goes elsewhere). Textual's input thread then reads 0 bytes over and
  over, at most of a core. A watcher thread here sleeps in poll() on the terminal and wakes when
  it hangs up.
- Once the terminal is gone, there is nothing to restore: a hang-up saves and ends the process
  straight away. And the exit itself can stall (Textual's writer thread dies on the
  first failed write and the queue behind it fills). So every stop also arms a deadline: if the
  process is still there `deadline` seconds later, it ends with os._exit.

Progress is saved after every answer; a stop saves once more before anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import threading
from collections.abc import Callable

HANGUP_DEADLINE = 0.5
"""Seconds from a hang-up to a forced exit: with no terminal, there is nothing left to restore."""
TERM_DEADLINE = 2.0
"""Seconds from SIGTERM to a forced exit: the terminal is there, so the normal exit gets longer to
leave it as it found it (alternate screen off, cursor back)."""
HANGUP_EVENTS = select.POLLHUP | select.POLLERR | select.POLLNVAL


class Lifeline:
    """Ends the app on SIGTERM, SIGHUP or a vanished terminal: save, ask the app to exit, and
    force the exit if it has not happened by the deadline."""

    def __init__(self, exit_app: Callable[[], None], save: Callable[[], object],
                 terminal_fd: int | None = None) -> None:
        self.exit_app = exit_app
        """Asks the app to exit normally (called on the event loop's thread)."""
        self.save = save
        """Saves progress once more; exceptions are ignored (the saves after each answer stand)."""
        self.terminal_fd = terminal_fd
        """The terminal to watch for a hang-up (standard input), or None not to watch."""
        self.stopping = False
        """Whether a stop has begun (a second signal changes nothing but the deadline)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deadline: threading.Timer | None = None

    def install(self) -> None:
        """Hook the signals into the running event loop and start watching the terminal.

        Call from the main thread with the loop running (an App's on_mount)."""
        self._loop = asyncio.get_running_loop()
        try:
            for number in (signal.SIGTERM, signal.SIGHUP):
                self._loop.add_signal_handler(number, self.stop, number)
        except (RuntimeError, ValueError):  # not the main thread: the signals are not ours to take
            return
        if self.terminal_fd is not None and os.isatty(self.terminal_fd):
            threading.Thread(target=self._watch_terminal, args=(self.terminal_fd,), name="tui-grad-terminal-watch",
                             daemon=True).start()

    def stop(self, number: int) -> None:
        """Stop for signal `number` (SIGHUP also when the terminal hung up without one)."""
        hangup = number == signal.SIGHUP
        self._arm_deadline(HANGUP_DEADLINE if hangup else TERM_DEADLINE, 128 + number)
        if self.stopping:
            return
        self.stopping = True
        with contextlib.suppress(Exception):  # the last answer's save stands; leaving matters more now
            self.save()
        if hangup and self.terminal_gone():
            # Nothing to restore on a terminal that is gone, and a lab's sessions all end at once:
            # a hundred tutors each running Textual's whole shutdown at the same moment would take
            # seconds of a small machine's CPU. Progress is saved; leave now.
            os._exit(0)
        if hangup:
            silence_output()
        self.exit_app()

    def terminal_gone(self) -> bool:
        """Whether the watched terminal has hung up (a SIGHUP sent by hand leaves it there)."""
        if self.terminal_fd is None:
            return False
        poller = select.poll()
        poller.register(self.terminal_fd, 0)
        try:
            return any(mask & HANGUP_EVENTS for _, mask in poller.poll(0))
        except OSError:
            return True

    def _watch_terminal(self, terminal_fd: int) -> None:
        """Sleep until the terminal hangs up, then stop (the deadline starts from here, even if the
        event loop never runs the stop)."""
        poller = select.poll()
        poller.register(terminal_fd, 0)  # no events asked for: only a hang-up or an error wakes it
        while True:
            try:
                ready = poller.poll()
            except InterruptedError:
                continue
            if any(mask & HANGUP_EVENTS for _, mask in ready):
                break
        self._arm_deadline(HANGUP_DEADLINE, 128 + signal.SIGHUP)
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between: the app is already leaving
                loop.call_soon_threadsafe(self.stop, signal.SIGHUP)

    def _arm_deadline(self, seconds: float, status: int) -> None:
        """Force the exit `seconds` from now unless an earlier deadline is already set."""
        if self._deadline is not None and self._deadline.interval <= seconds:
            return
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = threading.Timer(seconds, os._exit, (status,))
        self._deadline.daemon = True
        self._deadline.start()


def silence_output() -> None:
    """Point standard output and error at /dev/null: after a hang-up every write to the terminal
    would fail, and a failed write at shutdown turns a clean exit into a traceback or status 120."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
    finally:
        os.close(null)
