"""Drive a lesson session through the shared flow the way both faces do, for tests of what it says."""

from __future__ import annotations

from tui_grad.core.flow import LessonSession
from tui_grad.core.lesson import Lesson
from tui_grad.core.parts import ANSWERING


def text_of(message) -> str:
    """A message's lines as plain text."""
    return "\n".join("".join(span.text for span in row) for row in message)


def answer_all(session: LessonSession) -> None:
    """Answer every question of the part in front of the learner right."""
    while session.phase == ANSWERING and session.asked:
        session.answer(repr(session.flow.exercise.expected(session.asked)))


def through_part(lesson: Lesson, seed: int | None = None, parts: int = 1) -> LessonSession:
    """A session of `lesson` (nothing saved) that has worked `parts` parts right and stands at the
    start of the next."""
    session = LessonSession(lesson, None, seed, transient=True)
    session.go_on()  # past the introduction
    for _ in range(parts):
        index = session.part_index
        answer_all(session)
        while session.part_index == index:
            if session.replay is not None and not session.replay.done:
                session.skip()
            else:
                session.go_on()
    return session
