"""The one way in: `LessonSession.act` takes every action with its argument, refuses what is not
open, and `screen` alone says which screen shows the session."""

from __future__ import annotations

from tui_grad.core.flow import EXERCISE, INTRO, PAGE, RUN, LessonSession
from tui_grad.core.lesson import Lesson
from tui_grad.core.parts import ANSWERING, REPLAY, WATCH
from tui_grad.core.views import (
    ANSWER,
    CONTINUE,
    HINT,
    NUDGE,
    RESTART,
    REVEAL,
    SKIP,
    UPDATE,
)


def test_act_takes_each_action_with_its_argument_and_refuses_what_is_not_open(chain_rule: Lesson) -> None:
    session = LessonSession(chain_rule)
    assert session.phase == INTRO and session.screen == PAGE
    assert not session.act(ANSWER, "1") and not session.act(SKIP) and session.phase == INTRO
    assert session.act(CONTINUE) and session.phase == ANSWERING and session.screen == EXERCISE
    asked = session.asked
    assert not session.act(ANSWER, "12345") and session.asked == asked  # wrong: asked again
    assert session.act(ANSWER, "1") and session.asked != asked  # dL/dL = 1
    assert session.act(NUDGE, 0.01) and "h = 0.01" in str(session.message)
    assert session.act(HINT) and "Hint 1 of 4" in str(session.message)
    while session.phase == ANSWERING:
        assert session.act(REVEAL)
    assert session.phase == REPLAY and not session.act(UPDATE) and not session.act(RESTART)
    assert session.act(SKIP) and session.replay is not None and session.replay.done


def test_a_training_part_is_shown_on_the_run_screen(catalog) -> None:
    lesson = catalog.find("small-network")
    session = LessonSession(lesson)
    while session.phase != WATCH:
        assert session.act(CONTINUE)
    assert session.screen == RUN and not session.act(ANSWER, "1")
