"""Textual's terminal driver, with an input thread that sleeps until there is something to do.

Textual's input thread waits in select() for at most a tenth of a second at a time, so that it can
tell a lone Esc from the start of an escape sequence once nothing more follows. An idle tutor so
wakes ten times a second for nothing, and in a lab of a hundred that was most of what the tutors
cost the server (bench/idle_lab.py). This driver's thread waits:

- with no timeout while the key parser is waiting for nothing,
- until the parser's own deadline while it is (after an Esc: Esc is still Esc),
- and on a pipe that the driver's exit event writes to, so leaving does not wait for a tick.

It also stops reading a terminal that has ended (end of file, or an error after a hang-up), where
Textual's loop would find it readable at once, forever, and spin. Everything else is Textual's
LinuxDriver (also used on macOS); the web lab and the tests use drivers of their own, left as
they are.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import sys
import threading
from codecs import getincrementaldecoder
from typing import Any, Protocol

from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.message import Message

TEXTUAL_TICK = 0.1
"""Seconds between Textual's own input checks: used if a parser has no deadline to read (a
Textual release that renamed it), so nothing is worse than Textual's own loop."""


class WakingEvent(threading.Event):
    """An Event that also makes a pipe readable when it is set, so a thread asleep in select() on
    the pipe wakes. The pipe lives while a thread waits on it (`open`, `close`): Textual stops and
    starts the input thread again around a suspend (Ctrl+Z, fg)."""

    def __init__(self) -> None:
        super().__init__()
        self._read_fd = self._write_fd = -1
        self._fds_lock = threading.Lock()

    def open(self) -> int:
        """Make the pipe (if there is none) and return its end to wait on."""
        with self._fds_lock:
            if self._read_fd < 0:
                self._read_fd, self._write_fd = os.pipe()
                os.set_blocking(self._read_fd, False)
                os.set_blocking(self._write_fd, False)
                if self.is_set():
                    os.write(self._write_fd, b"\0")
            return self._read_fd

    def close(self) -> None:
        """Close the pipe; setting the event afterwards only sets it."""
        with self._fds_lock:
            for fd in (self._read_fd, self._write_fd):
                if fd >= 0:
                    os.close(fd)
            self._read_fd = self._write_fd = -1

    def set(self) -> None:
        with self._fds_lock:  # held across both: open() sees the flag or the write lands in its pipe
            super().set()
            if self._write_fd >= 0:
                with contextlib.suppress(BlockingIOError):  # the pipe is full: readable already
                    os.write(self._write_fd, b"\0")

    def clear(self) -> None:
        with self._fds_lock:
            super().clear()
            if self._read_fd >= 0:
                try:
                    while os.read(self._read_fd, 512):
                        pass
                except BlockingIOError:
                    pass


def key_parser(debug: bool = False) -> XTermParser:
    """Textual's own parser of terminal input (keys, mouse, pastes), as its driver makes it."""
    return XTermParser(debug)


def parser_wait(parser: XTermParser) -> float | None:
    """Seconds the input thread may sleep with nothing to read: until the parser's deadline if it
    has one (the wait after an Esc), without end if it has none."""
    if not hasattr(parser, "_timeout_time"):  # a Textual that renamed it: poll as Textual does
        return TEXTUAL_TICK
    deadline = parser._timeout_time
    return None if deadline is None else max(0.0, deadline - get_time())


def quiet_driver_class(driver_class: type[Driver]) -> type[Driver]:
    """The driver to run with in place of `driver_class`, the one Textual picked: the quiet one
    in place of Textual's terminal driver, any other (web, headless, Windows) as it is."""
    if sys.platform == "win32":
        return driver_class
    from textual.drivers.linux_driver import LinuxDriver

    if driver_class is not LinuxDriver:
        return driver_class

    class QuietLinuxDriver(LinuxDriver):
        """LinuxDriver whose input thread sleeps while there is nothing to read or to time out."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.exit_event: WakingEvent = WakingEvent()

        def run_input_thread(self) -> None:
            run_quiet_input(self)

    return QuietLinuxDriver


class QuietInputDriver(Protocol):
    """What the quiet input thread uses of a driver: LinuxDriver's terminal and message hand-off,
    with a WakingEvent for its exit event (and its debug flag, where it has one)."""

    exit_event: WakingEvent
    fileno: int

    def process_message(self, message: Message) -> None:
        """Hand one parsed event to the app."""


def run_quiet_input(driver: QuietInputDriver) -> None:
    """The input thread of `driver` (a LinuxDriver with a WakingEvent): read the terminal, feed
    Textual's key parser, hand its events to the driver, until the exit event is set."""
    exit_event: WakingEvent = driver.exit_event
    fileno = driver.fileno
    selector = selectors.SelectSelector()  # as Textual: macOS terminals do not work with kqueue
    parser = key_parser(getattr(driver, "_debug", False))  # LinuxDriver's own flag; a stand-in has none
    decode = getincrementaldecoder("utf-8")().decode
    try:
        selector.register(fileno, selectors.EVENT_READ, "terminal")
        selector.register(exit_event.open(), selectors.EVENT_READ, "wake")
        while not exit_event.is_set():
            for key, _mask in selector.select(parser_wait(parser)):
                if key.data != "terminal":
                    continue  # the exit event: the loop's test ends it
                try:
                    data = os.read(fileno, 4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:  # EIO: the terminal hung up
                    data = b""
                if not data:
                    # The terminal has ended (or standard input was a file). Stop reading it and
                    # sleep until the exit; the tutor's hang-up watcher ends the app.
                    selector.unregister(fileno)
                    continue
                for event in parser.feed(decode(data)):
                    driver.process_message(event)
            for event in parser.tick():
                driver.process_message(event)
    finally:
        selector.close()
        exit_event.close()
        try:
            for _event in parser.feed(""):
                pass
        except (EOFError, ParseError):
            pass
