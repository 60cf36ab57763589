"""The tutor's terminal driver: its input thread reads keys as Textual's does (Esc still Esc), and
sleeps while there is nothing to read, nothing to time out and no exit asked for; a terminal that
has ended is no longer read (Textual's loop would find it readable at once, forever)."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import threading
import time
import tty

import pytest
from textual import events
from textual.drivers.linux_driver import LinuxDriver

from tui_grad.ui import driver as quiet
from tui_grad.ui.driver import (
    WakingEvent,
    key_parser,
    parser_wait,
    quiet_driver_class,
    run_quiet_input,
)

HANG_GUARD = 20.0  # seconds before a test gives up on an event that never comes; never a speed figure


def readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


def test_a_waking_event_makes_its_pipe_readable_while_set():
    event = WakingEvent()
    wake = event.open()
    try:
        assert not readable(wake)
        event.set()
        event.set()
        assert event.is_set() and readable(wake)
        event.clear()
        assert not event.is_set() and not readable(wake)
    finally:
        event.close()
    event.set()  # after closing, only the flag: no write to a file descriptor that may be reused
    assert event.is_set()
    wake = event.open()  # a pipe opened while the event is set is readable at once
    try:
        assert readable(wake)
        event.clear()
        assert not readable(wake)
    finally:
        event.close()


def test_the_parser_is_waited_on_only_while_it_waits_for_a_deadline():
    parser = key_parser()
    assert parser_wait(parser) is None
    assert not list(parser.feed("\x1b"))  # Esc alone: a key, or the start of a sequence?
    wait = parser_wait(parser)
    assert wait is not None and 0 <= wait <= 1
    time.sleep(wait)
    assert [event.key for event in parser.tick()] == ["escape"]
    assert parser_wait(parser) is None


def test_a_parser_without_a_deadline_to_read_is_polled_as_textual_polls():
    """A Textual whose parser no longer keeps its deadline where the driver reads it."""
    assert parser_wait(object()) == quiet.TEXTUAL_TICK


class CountingSelector(quiet.selectors.SelectSelector):
    """Counts the calls to select(): each one a wake of the input thread."""

    calls = 0

    def select(self, timeout=None):
        type(self).calls += 1
        return super().select(timeout)


class FakeDriver:
    """What the input loop uses of a driver: a terminal, an exit event, somewhere to put events."""

    def __init__(self, fileno: int) -> None:
        self.fileno = fileno
        self.exit_event = WakingEvent()
        self.events: list[events.Event] = []
        self.got = threading.Condition()

    def process_message(self, message) -> None:
        with self.got:
            self.events.append(message)
            self.got.notify_all()

    def wait_for_keys(self, count: int) -> list[str]:
        with self.got:
            assert self.got.wait_for(lambda: len(self.keys()) >= count, HANG_GUARD), self.events
        return self.keys()

    def stop(self, thread: threading.Thread) -> None:
        """Set the exit event and see the input thread end."""
        self.exit_event.set()
        thread.join(HANG_GUARD)
        assert not thread.is_alive()

    def keys(self) -> list[str]:
        return [event.key for event in self.events if isinstance(event, events.Key)]


@pytest.fixture
def terminal(monkeypatch):
    """A pseudo-terminal with the quiet input loop reading its far end; yields (driver, the near
    end to type into, the thread) and stops the loop afterwards."""
    monkeypatch.setattr(CountingSelector, "calls", 0)
    monkeypatch.setattr(quiet.selectors, "SelectSelector", CountingSelector)
    keyboard, far = pty.openpty()
    tty.setraw(far)  # as Textual sets its terminal: each key as it is typed
    driver = FakeDriver(far)
    thread = threading.Thread(target=run_quiet_input, args=(driver,), daemon=True)
    thread.start()
    try:
        yield driver, keyboard, thread
    finally:
        driver.exit_event.set()
        thread.join(HANG_GUARD)
        for fd in (keyboard, far):
            with contextlib.suppress(OSError):
                os.close(fd)


def test_keys_arrive_and_a_lone_esc_is_esc(terminal):
    driver, keyboard, _thread = terminal
    os.write(keyboard, b"a")
    assert driver.wait_for_keys(1) == ["a"]
    os.write(keyboard, b"\x1b")  # only the parser's deadline tells this from a sequence's start
    assert driver.wait_for_keys(2) == ["a", "escape"]
    os.write(keyboard, b"\x1b[A")  # a whole sequence at once is one key
    assert driver.wait_for_keys(3) == ["a", "escape", "up"]


def test_the_input_thread_sleeps_while_nothing_happens(terminal):
    driver, keyboard, _thread = terminal
    os.write(keyboard, b"x")
    driver.wait_for_keys(1)
    woken = CountingSelector.calls
    time.sleep(0.5)  # Textual's own loop wakes five times in this half second
    assert CountingSelector.calls == woken


def test_the_exit_wakes_the_sleeping_thread(terminal):
    driver, keyboard, thread = terminal
    os.write(keyboard, b"x")
    driver.wait_for_keys(1)
    driver.stop(thread)


def test_the_input_thread_starts_again_after_a_suspend(terminal):
    """Ctrl+Z then fg: Textual sets the exit event, joins the thread, clears the event and later
    starts a new thread on the same driver."""
    driver, keyboard, thread = terminal
    os.write(keyboard, b"a")
    driver.wait_for_keys(1)
    driver.stop(thread)
    driver.exit_event.clear()
    again = threading.Thread(target=run_quiet_input, args=(driver,), daemon=True)
    again.start()
    os.write(keyboard, b"b")
    assert driver.wait_for_keys(2) == ["a", "b"]
    driver.stop(again)


def test_a_terminal_that_ended_is_not_read_again(terminal):
    driver, keyboard, thread = terminal
    os.write(keyboard, b"x")
    driver.wait_for_keys(1)
    os.close(keyboard)  # the far end now reads as ended (EIO), readable at once, forever
    deadline = time.monotonic() + HANG_GUARD
    while CountingSelector.calls < 3 and time.monotonic() < deadline:  # woken by the end, then asleep
        time.sleep(0.01)
    time.sleep(0.2)
    assert CountingSelector.calls == 3 and thread.is_alive()  # Textual's loop: thousands by now
    driver.stop(thread)


def test_the_tutor_runs_on_the_quiet_driver_only_in_place_of_textuals_terminal_driver():
    chosen = quiet_driver_class(LinuxDriver)
    assert issubclass(chosen, LinuxDriver) and chosen is not LinuxDriver
    from textual.drivers.headless_driver import HeadlessDriver

    assert quiet_driver_class(HeadlessDriver) is HeadlessDriver


def test_the_app_picks_the_quiet_driver(monkeypatch):
    from textual import constants

    from tui_grad.core.catalog import Catalog
    from tui_grad.ui.app import TuiGradApp

    monkeypatch.setattr(constants, "DRIVER", None)
    app = TuiGradApp(Catalog((), ()))
    assert app.driver_class.run_input_thread is not LinuxDriver.run_input_thread
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.headless_driver:HeadlessDriver")
    from textual.drivers.headless_driver import HeadlessDriver

    assert TuiGradApp(Catalog((), ())).driver_class is HeadlessDriver  # the web lab's choice stands
