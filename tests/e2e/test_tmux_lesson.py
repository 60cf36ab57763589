"""The chain-rule lesson typed from its introduction to the recap at a real 80x24 terminal, in
truecolor, under NO_COLOR and on a 16-colour TERM=xterm, and a window shrunk too small and back."""

from __future__ import annotations

import pytest

from tests.e2e.tmux import TmuxTerminal, colours_used, is_grey, tutor_command, tutor_env

# Each node's gradient in the order the lesson asks, typed as a learner might: an expression,
# the Unicode minus a terminal sends when pasted, a trailing .0.
ANSWERS = [("L", "1"), ("d", "-2"), ("f", "4"), ("e", "-2*1"), ("c", "−2"), ("a", "6"), ("b", "-4.0")]


@pytest.fixture
def terminal_factory(tmp_path):
    terminals = []

    def start(*args: str, width: int = 80, height: int = 24, **env: str) -> TmuxTerminal:
        terminal = TmuxTerminal(tutor_command(*args), width, height,
                                tutor_env(tmp_path / "home", TEXTUAL_ANIMATIONS="none", **env),
                                raw_log=tmp_path / f"terminal-{len(terminals)}.out")
        terminals.append(terminal)
        return terminal

    yield start
    for terminal in terminals:
        terminal.close()


def truecolor(colours):
    """A truecolor terminal gets 24-bit colour with hue in it."""
    return any(colour[0] == "rgb" and not is_grey(colour) for colour in colours)


def greys_only(colours):
    """NO_COLOR: shades of grey at most, so nothing is told by hue."""
    return bool(colours) and all(is_grey(colour) for colour in colours)


def sixteen_only(colours):
    """TERM=xterm without COLORTERM: only the 16 ANSI colours a lab terminal has."""
    return bool(colours) and all(colour[0] == "16" for colour in colours)


@pytest.mark.parametrize(("env", "colours_fit"), [({}, truecolor), ({"NO_COLOR": "1"}, greys_only),
                                                  ({"TERM": "xterm"}, sixteen_only)],
                         ids=["truecolor", "no-color", "xterm-16"])
def test_whole_lesson_at_80x24(terminal_factory, env, colours_fit):
    term = terminal_factory("chain-rule", **env)
    term.wait_for("Four numbers go in")
    term.keys("Enter")
    screen = term.wait_for("Find dL/dL")
    assert "data -8" in screen and "e = a * b" in screen and "▶" in screen
    term.type("7")
    screen = term.wait_for("✗ Wrong")
    assert "dL/dL is not 7" in screen
    for (node, answer), following in zip(ANSWERS, [*ANSWERS[1:], None], strict=True):
        term.wait_for(f"Find dL/d{node}")
        term.type(answer)
        if following is not None:
            term.wait_for(f"Find dL/d{following[0]}")
    # the score comes in the frame after the status line's (the feedback is laid out again)
    screen = term.wait_for("You earned 7 of 7")
    assert "yours" in screen and "engine" in screen and "Backward pass done" in screen
    term.keys("u")
    screen = term.wait_for("-7.286496")
    assert "a ← 2 + 0.01 × 6 = 2.06" in screen
    term.keys("Enter")
    term.wait_for("What you just did")
    term.keys("Enter")
    screen = term.wait_for("tui-grad — lessons")
    assert any("The chain rule by hand" in line and "✓ finished" in line for line in screen.splitlines())
    term.keys("C-q")
    term.wait_for("[exited] 0")
    colours = colours_used(term.raw_output())
    assert colours_fit(colours), f"{colours_fit.__name__} expected; the tutor used {sorted(colours)}"


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
