"""The exercise screen: a part's graph, the status line, the answer line and the feedback, all drawn
from the `LessonSession`; keys become the session's actions.

The screen decides nothing a learner could see differently in line mode: the session says what is
asked, which actions are open, what each box shows and every sentence; this module lays it out,
and runs the replay's timer (the session keeps its position, pause and speed).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.visual import Visual
from textual.widgets import Static

from tui_grad.core.flow import EXERCISE, LessonSession
from tui_grad.core.parts import ANSWERING
from tui_grad.core.views import ACTIONS, ANSWER, HINT, LEAVE, REVEAL, REVEAL_ASK, SKIP, name_keys
from tui_grad.terminal import served
from tui_grad.ui.answer import AnswerEntry
from tui_grad.ui.boards import board_for
from tui_grad.ui.chrome import Header, SteadyFooter
from tui_grad.ui.render import (
    LeftLesson,
    SessionScreen,
    bindings,
    header_texts,
    key_label,
    line_content,
    message_content,
)


class ExerciseScreen(SessionScreen):
    """One part that asks questions: answer by hand, watch the backward pass, update."""

    CSS_PATH = "exercise.tcss"
    AUTO_FOCUS = None  # the answer line takes focus only while a question is asked
    BINDINGS = bindings(*(action for action in ACTIONS if action != ANSWER))

    def __init__(self, session: LessonSession, step_interval: float = 0.8,
                 on_change: Callable[[LessonSession], None] | None = None) -> None:
        super().__init__()
        self.session = session
        self.step_interval = step_interval
        """Seconds between replay steps at 1× (tests pass a short one)."""
        self.on_change = on_change
        """Called when the session moves somewhere this screen does not show (another part, the
        recap, a training run, or back to the lessons)."""
        self.part_index = session.part_index
        self.timer: Timer | None = None
        self.timer_interval = 0.0
        self.warned = ""
        self.board = board_for(session.flow)
        """What the part shows above the status line: its graph, or a slope's function and point."""
        self.reveal_asked = ""
        """The question whose show-answer key a browser has asked about once already."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.board
        yield Static(id="status")
        yield AnswerEntry(self.grade, id="answer")
        with VerticalScroll(id="feedback-area", can_focus=False):
            yield Static(id="feedback")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sync()
        self.watch(self.app, "app_focus", self.focus_back, init=False)

    def focus_back(self, focused: bool) -> None:
        """Back in this window: a question another window found meanwhile is not left asking here."""
        if focused and self.is_current and self.session.catch_up():
            self.query_one(AnswerEntry).clear()
            self.sync()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A hidden answer line never keeps focus: Enter must reach the screen (a part that opens
        with nothing to answer, such as your-engine without rules, took focus here before)."""
        if not self.query_one(AnswerEntry).display:
            self.set_focus(None)

    def on_resize(self) -> None:
        session = self.session
        self.title, self.sub_title = header_texts(session.title, session.subtitle, self.app.size.width)

    # --- from the learner to the session ----------------------------------------------------

    def grade(self, text: str) -> None:
        """Grade a submitted answer (AnswerEntry calls this within the Enter key's handler)."""
        if self.session.phase != ANSWERING:
            return
        right = self.session.act(ANSWER, text)
        self.sync()
        if not right:
            self.query_one(AnswerEntry).offer_again(text)

    def action_flow(self, action: str, _face: str = "") -> None:
        """Send a key's action to the session, then draw what it says."""
        session = self.session
        if action == REVEAL and served() and REVEAL in session.allowed and self.reveal_asked != session.prompt:
            self.reveal_asked = session.prompt  # a browser asks once: a stray F4 would cost the credit
            self.notify(name_keys(REVEAL_ASK, key_label), title="Show the answer?", timeout=8)
            return
        if not session.act(action):
            return
        if action == LEAVE:
            self.stop_timer()
            self.post_message(LeftLesson())
            return
        if action in (HINT, REVEAL):
            self.query_one(AnswerEntry).clear()
        self.sync()

    # --- from the session to the screen -----------------------------------------------------

    def sync(self) -> None:
        """Draw everything from the session, run or stop the replay timer, and hand over to the
        app when the session has moved past this screen."""
        session = self.session
        if session.screen != EXERCISE or session.part_index != self.part_index:
            self.stop_timer()
            if self.on_change is not None:
                self.on_change(session)
            return
        self.title, self.sub_title = header_texts(session.title, session.subtitle, self.app.size.width)
        self.warn_if_unsaved()
        self.board.show(session)
        self.query_one("#status", Static).update(line_content(session.status()), layout=False)  # one line always
        entry = self.query_one(AnswerEntry)
        shown = session.phase == ANSWERING
        moved = entry.display != shown  # the answer line comes or goes: everything under it moves
        entry.display = shown
        if session.asked:
            entry.question, entry.hint = session.prompt_line, session.answer_hint
            entry.focus_input()
        elif self.focused is not None:  # a hidden answer line must not take Enter from the screen
            self.set_focus(None)
        self.show_feedback(message_content(session.message), relayout=moved)
        self.refresh_bindings()
        self.run_timer()

    def show_feedback(self, content: Visual, relayout: bool = False) -> None:
        """Put `content` in the feedback, laying the screen out again only if it takes another
        number of lines or `relayout` says something above it changed size (hiding the answer
        line alone does not lay the screen out again in Textual): a layout is most of the time an
        answer takes to show."""
        feedback = self.query_one("#feedback", Static)
        feedback.update(content, layout=False)
        width = feedback.size.width
        if relayout or not width or feedback.get_content_height(self.size, self.size, width) != feedback.size.height:
            feedback.refresh(layout=True)

    def run_timer(self) -> None:
        """Keep a timer going while the replay plays; none while paused, done or answering."""
        replay = self.session.replay
        playing = replay is not None and not replay.done and not replay.paused
        interval = self.step_interval * self.session.interval_factor
        if playing and (self.app.animation_level == "none" or interval <= 0):
            self.session.act(SKIP)
            self.sync()
            return
        if self.timer is not None and (not playing or self.timer_interval != interval):
            self.stop_timer()
        if playing and self.timer is None:
            self.timer_interval = interval
            self.timer = self.set_interval(interval, self.tick)

    def tick(self) -> None:
        """One replay step, on the timer."""
        self.session.advance()
        self.sync()

    def stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def warn_if_unsaved(self) -> None:
        """Tell the learner once when progress cannot be saved; they can go on regardless."""
        problem = self.session.tutor.problem
        if problem and problem != self.warned:
            self.warned = problem
            self.notify(problem, title="Progress not saved", severity="warning", timeout=8, markup=False)

    def on_unmount(self) -> None:
        self.stop_timer()

