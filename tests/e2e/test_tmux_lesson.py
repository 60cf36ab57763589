"""The chain-rule lesson typed end to end at a real 80x24 terminal, in colour and with NO_COLOR."""

from __future__ import annotations

import pytest

from tests.e2e.tmux import TmuxTerminal, tutor_command, tutor_env

ANSWERS = ["1", "-2", "4", "-2*1", "−2", "6", "-4.0"]  # the Unicode minus, as a terminal sends it


@pytest.fixture
def terminal_factory(tmp_path):
    terminals = []

    def start(*args: str, width: int = 80, height: int = 24, **env: str) -> TmuxTerminal:
        terminal = TmuxTerminal(tutor_command(*args), width, height,
                                tutor_env(tmp_path, TEXTUAL_ANIMATIONS="none", **env))
        terminals.append(terminal)
        return terminal

    yield start
    for terminal in terminals:
        terminal.close()


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}, {"TERM": "xterm"}], ids=["truecolor", "no-color", "xterm-16"])
def test_whole_lesson_at_80x24(terminal_factory, env):
    term = terminal_factory(**env)
    term.wait_for("The chain rule by hand")
    term.keys("Enter")
    term.wait_for("Four numbers go in")
    term.keys("Enter")
    screen = term.wait_for("Find dL/dL")
    assert "data -8" in screen and "e = a * b" in screen and "▶" in screen
    term.type("7")
    screen = term.wait_for("✗ Wrong")
    assert "dL/dL is not 7" in screen
    for answer in ANSWERS:
        term.type(answer)
    screen = term.wait_for("Backward pass done")
    assert "yours" in screen and "engine" in screen and "You earned 7 of 7" in screen
    term.keys("u")
    screen = term.wait_for("-7.286496")
    assert "a ← 2 + 0.01 × 6 = 2.06" in screen
    term.keys("C-q")
    term.wait_for("[exited] 0")


def test_too_small_window_asks_for_room_and_recovers(terminal_factory):
    term = terminal_factory("chain-rule")
    term.wait_for("Four numbers go in")
    term.keys("Enter")
    term.wait_for("Find dL/dL")
    term.type("1")
    term.wait_for("Find dL/dd")
    term.resize(60, 18)
    screen = term.wait_for("needs at least 80×24")
    assert "60×18" in screen
    term.resize(80, 24)
    screen = term.wait_for("Find dL/dd")
    assert "needs at least" not in screen
    term.type("-2")
    term.wait_for("Find dL/df")
