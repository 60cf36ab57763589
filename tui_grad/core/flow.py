"""One lesson's whole flow, in one place, for both faces: the phase the learner is in, the actions
allowed now, what the status line, the boxes and the feedback area show, and saving on the way.

The full-screen app and line mode only render a `LessonSession` and send its actions back. What
to show after an answer, when a part may be left, whether an update may be taken, where a lesson
resumes, what a finished lesson offers: all of it is decided here, so the two faces cannot differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tui_grad.core.exercise import (
    HINT_LEVELS,
    NUDGE_SIZES,
    GradientExercise,
    Nudge,
    format_number,
)
from tui_grad.core.expr import ExprError
from tui_grad.core.kinds.base import PartFlow
from tui_grad.core.kinds.train import Frame
from tui_grad.core.lesson import Lesson, LessonError
from tui_grad.core.parts import ANSWERING, DONE, REPLAY, UPDATING, WATCH, first_update
from tui_grad.core.progress import ProgressStore
from tui_grad.core.tutor import Tutor
from tui_grad.core.update import UpdateStep, describe_move, describe_rule, take_steps
from tui_grad.core.views import (
    ANSWER,
    ARRANGE_ACTIONS,
    CONTINUE,
    FASTER,
    HINT,
    KEY_GUIDE,
    LEAVE,
    MOVE_DOWN,
    MOVE_UP,
    NUDGE,
    PAUSE,
    PICK_DOWN,
    PICK_UP,
    REPLAY_ACTIONS,
    RESTART,
    REVEAL,
    SKIP,
    SLOWER,
    STEP,
    UPDATE,
    Line,
    Message,
    NodeView,
    Span,
    comparison_message,
    fill_numbers,
    line,
    verdict_message,
)
from tui_grad.engine import BackwardStep

BACKWARD, FORWARD, TRAINING = "backward", "forward", "training"
"""What a replay shows: the backward pass, the forward pass after an update, or a training run."""
INTRO, OUTRO, FINISHED = "intro", "outro", "finished"
"""The phases around the parts: the introduction, the recap, and a finished lesson reopened."""
PAGE, EXERCISE, RUN = "page", "exercise", "run"
"""The screens a session is shown on: a page to read, a part's questions, a training run to watch."""
SPEEDS = (4.0, 2.0, 1.0, 0.5, 0.25, 0.1)
"""Replay pause multipliers, slowest first; 1.0 is the lesson's own pace."""

ACTION_WORDS = {HINT: "hint", NUDGE: "nudge", REVEAL: "show the answer", PAUSE: "pause", STEP: "one step",
                SKIP: "skip to the end", FASTER: "faster", SLOWER: "slower", UPDATE: "update step",
                CONTINUE: "continue", RESTART: "start again", LEAVE: "go back to the lessons"}
"""What each action does, in a word or two, for status lines and line mode's list of commands."""


ACTION_METHODS = {HINT: "hint", REVEAL: "reveal", PAUSE: "toggle_pause", STEP: "step", SKIP: "skip",
                  FASTER: "faster", SLOWER: "slower", UPDATE: "update", CONTINUE: "go_on", RESTART: "restart",
                  LEAVE: "leave", PICK_UP: "pick_up", PICK_DOWN: "pick_down", MOVE_UP: "move_up",
                  MOVE_DOWN: "move_down"}
"""The method of `LessonSession` each action without an argument calls."""


class SessionContext(Protocol):
    """What a series of generated exercises gives each of its sessions."""

    def heading(self) -> str:
        """The title bar while the exercise is open."""

    def summary(self) -> str:
        """The page after the exercise: how it went and what changed."""

    def successor(self) -> LessonSession | None:
        """The next session of the series, or None."""


@dataclass
class Replay:
    """A replay in progress: the engine's backward pass, the forward pass after an update, or a
    training run (TRAINING: `position` is the update steps the learner may see so far)."""

    kind: str
    length: int
    position: int = 0
    paused: bool = False
    speed_index: int = SPEEDS.index(1.0)
    shown: int = 0
    """A training run: the update steps the face has computed and drawn (it may lag `position`)."""
    skipping: bool = False
    """A training run the learner skipped to its end (a pause holds it; resuming goes on skipping)."""

    @property
    def done(self) -> bool:
        """True once every step has been shown. The backward pass's last step is shown as a step (its
        edge lit, "Step 4 of 4") for one tick of its own before "done": ending on it at once hid the
        very step two-paths and two-bugs exist to show (the second `a.grad +=`, the `=` that loses 3)."""
        lingers = self.kind == BACKWARD and self.length > 0
        return self.position >= self.length + lingers

    @property
    def speed(self) -> str:
        """The speed in words: `1×`, `4×`, `0.25×`."""
        return f"{1 / SPEEDS[self.speed_index]:g}×"


class LessonSession:
    """A learner in one lesson, from its introduction to its recap; every action saves at once."""

    def __init__(self, lesson: Lesson, store: ProgressStore | None = None, seed: int | None = None, *,
                 review: str | None = None, context: SessionContext | None = None, transient: bool = False,
                 extra: Mapping[str, Any] | None = None,
                 restore: tuple[dict[str, str], dict[str, float], dict[str, int]] | None = None) -> None:
        self.lesson = lesson
        self.review = review
        """The skill a review practises (None for a lesson): a review is saved as attempts only."""
        self.context = context
        """What a generated exercise (practice) adds: its heading, its summary, the next session."""
        transient = transient or review is not None or context is not None
        self.tutor = Tutor(lesson, store, seed, transient=transient, extra=extra)
        if restore is not None and self.tutor.exercise is not None:
            self.tutor.exercise.restore(*restore)
        self.mastery_before = self._mastery() if review else {}
        self.flow: PartFlow = self._part_flow()
        self.speed_index = SPEEDS.index(1.0)
        """The replay speed the learner chose last; each new replay starts at it."""
        self.phase = ""
        self.message: Message = ()
        self.replay: Replay | None = None
        self.updates: list[UpdateStep] = []
        self.inputs: dict[str, float] = {}
        self.values: dict[str, float] = {}
        self.nudges: list[Nudge] = []
        self.history: list[float] = []
        self.resumed = False
        """True when the learner came back to a part they had started."""
        self.lead: Message = ()
        """Lines kept above each replay step's description: the verdict that set off an update, or
        the text of a part that opens on a replay (a bug hunt). Already shown when the step is."""
        self.failure = ""
        """Why a training run stopped early (its numbers overflowed), once a face reports it."""
        if self.tutor.finished:
            self.phase, self.message = FINISHED, self._finished_message()
        elif lesson.intro.strip() and not self.tutor.started:
            self.phase, self.message = INTRO, (line(Span(self.fill(lesson.intro), "prose")),)
        else:
            self._enter_part(resumed=self.tutor.started or restore is not None)

    # --- what the faces show ------------------------------------------------------------------

    @property
    def part_index(self) -> int:
        """The part the learner is on, from 0."""
        return self.tutor.part_index

    @property
    def title(self) -> str:
        """`The chain rule by hand · part 1 of 2`."""
        count = len(self.lesson.parts)
        if self.context is not None:
            return self.context.heading()
        if self.phase in (INTRO, OUTRO, FINISHED) or count == 1:
            return self.lesson.title
        return f"{self.lesson.title} · part {self.part_index + 1} of {count}"

    @property
    def subtitle(self) -> str:
        """What the learner is doing, in a few words."""
        return {INTRO: "introduction", OUTRO: "recap", FINISHED: "finished", REPLAY: self.flow.replay_name(),
                UPDATING: "update the parameters", DONE: "done", WATCH: "watch it train"}.get(
            self.phase, self.flow.subtitle)

    @property
    def asked(self) -> str | None:
        """The node asked now, while answering."""
        return self.flow.exercise.current if self.phase == ANSWERING else None

    @property
    def prompt(self) -> str:
        """The answer line's question: `dL/dd`, `a after one step`."""
        asked = self.asked
        return self.flow.prompt(asked) if asked else ""

    @property
    def prompt_line(self) -> str:
        """The prompt as both faces print it before the answer: `dL/dd =`, `slope dy/dx at x = 3:`."""
        asked = self.asked
        return f"{self.flow.prompt(asked)}{self.flow.prompt_end(asked)}" if asked else ""

    @property
    def answer_hint(self) -> str:
        """What an empty answer field suggests typing."""
        asked = self.asked
        return self.flow.answer_hint(asked) if asked else ""

    @property
    def allowed(self) -> tuple[str, ...]:
        """The actions a learner can take now; the footer and line mode's commands come from this."""
        phase, replay = self.phase, self.replay
        if phase == INTRO:
            return CONTINUE, LEAVE
        if phase == OUTRO:
            return CONTINUE, LEAVE
        if phase == FINISHED:
            return RESTART, LEAVE
        if phase == ANSWERING:
            asked = self.asked
            nudge = (NUDGE,) if asked is not None and self.flow.can_nudge(asked) else ()
            arrange = ARRANGE_ACTIONS if self.flow.arranges else ()
            return (ANSWER, HINT, *nudge, REVEAL, *arrange, LEAVE)
        if replay is not None and not replay.done:
            return (*REPLAY_ACTIONS, LEAVE)
        if phase == WATCH:  # the run's last steps may still be computing: its keys stay until it reports
            return (*REPLAY_ACTIONS, LEAVE)
        update = (UPDATE,) if phase in (REPLAY, UPDATING) and self.flow.can_update() else ()
        return (*update, CONTINUE, LEAVE)

    def status(self) -> Line:
        """The status line: what is asked or shown now, and the next keys where there is a choice."""
        phase, replay = self.phase, self.replay
        if not self.flow.asks and phase in (WATCH, DONE):
            return self.training_status()
        if phase == ANSWERING and self.asked:
            text = self.flow.status(self.asked, self.values)
        elif replay is not None and not replay.done:
            pace = f"speed {replay.speed}" + (" · paused" if replay.paused else "")
            if replay.kind == BACKWARD and replay.position:
                step = self._steps()[replay.position - 1]
                text = f"Step {replay.position} of {replay.length}   {step.node} → {step.child}   {pace}"
            elif replay.kind == BACKWARD:
                text = f"Now {self.flow.replay_name()}, one edge at a time.   {pace}"
            else:
                text = f"Forward pass again, node by node   {pace}"
            return line(text)
        elif phase == REPLAY and self.flow.hunting:
            text = "The buggy pass is done: which gradient is wrong?"
        elif phase == REPLAY:
            text = "Backward pass done: compare below."
        elif phase == UPDATING and self.updates:
            last = self.updates[-1]
            text = (f"Step {last.step}: {self.flow.exercise.output_name} went {format_number(last.output_before)} "
                    f"→ {format_number(last.output_after)}.")
        elif phase == DONE and self.flow.asks:
            text = self.flow.done_line()
        elif phase == FINISHED:
            text = "You finished this lesson."
        else:
            text = ""
        choices: list[str | Span] = []
        for action in (UPDATE, CONTINUE, RESTART):
            if action in self.allowed and phase not in (ANSWERING, INTRO, OUTRO):
                choices += [" · " if choices else "   ", Span(action, "key"), f": {ACTION_WORDS[action]}"]
        return line(text, *choices)

    def training_status(self, progress: str = "") -> Line:
        """A training run's status line: its state as a glyph and a word, `progress` (the step, the
        loss: what the face has computed and drawn), the speed while it runs, and what comes next."""
        replay = self.replay
        if self.phase == WATCH and replay is not None:
            state = "⏸ paused" if replay.paused else "▶ finishing" if replay.skipping else "▶ training"
            return line(Span(state, "bold"), "  " + progress if progress else "",
                        Span(f"  speed {replay.speed}", "bold"))
        if self.failure:
            head, progress = Span("✗ stopped", "wrong"), self.failure
        else:
            head = Span("✓ done", "right")
        choices: list[str | Span] = []
        if CONTINUE in self.allowed:
            choices = ["   ", Span(CONTINUE, "key"), f": {ACTION_WORDS[CONTINUE]}"]
        return line(head, "  " + progress if progress else "", *choices)

    def nodes(self) -> tuple[NodeView, ...]:
        """What each box of the graph shows now, values and gradients in full."""
        if not self.flow.asks or self.phase in (INTRO, OUTRO, FINISHED):
            return ()
        replay = self.replay
        if self.phase == REPLAY and replay is not None:
            grads = self.flow.replay_grads(replay.position)
            step = self._steps()[replay.position - 1] if replay.position and not replay.done else None
            return self.flow.nodes(self.values, grads, step.node if step else None, finished=replay.done)
        if self.phase == UPDATING and self.updates:
            return self.flow.nodes(self.values, dict(self.updates[-1].gradients))
        return self.flow.nodes(self.values)

    @property
    def active_edge(self) -> tuple[str, str] | None:
        """The (parent, child) edge the backward replay is crossing now."""
        replay = self.replay
        if self.phase == REPLAY and replay is not None and replay.position and not replay.done:
            step = self._steps()[replay.position - 1]
            return step.node, step.child
        return None

    @property
    def highlight(self) -> str | None:
        """The node the forward replay just recomputed."""
        replay = self.replay
        if self.phase == UPDATING and replay is not None and replay.position and not replay.done:
            return self.updates[-1].forward[replay.position - 1][0]
        return None

    @property
    def interval_factor(self) -> float:
        """How much longer than the lesson's pace the replay waits between steps now."""
        return SPEEDS[self.replay.speed_index] if self.replay else 1.0

    @property
    def tick_seconds(self) -> float:
        """Seconds between two ticks of a training run at the speed the learner chose."""
        return self.flow.tick_seconds() * self.interval_factor

    @property
    def screen(self) -> str:
        """Which screen shows the session now (PAGE, EXERCISE or RUN): the one place that decides it."""
        if self.phase in (INTRO, OUTRO, FINISHED, ""):
            return PAGE
        return EXERCISE if self.flow.asks else RUN

    # --- the one way in ------------------------------------------------------------------------

    def act(self, action: str, argument: str | float | None = None) -> bool:
        """Take `action` with its argument (an answer's text, a nudge's h, None for the next on the
        ladder): the one call both faces make for what the learner did. Returns False when the
        action is not open now or an answer was wrong, True otherwise."""
        if action not in self.allowed:
            return False
        if action == ANSWER:
            return self.answer(str(argument if argument is not None else ""))
        if action == NUDGE:
            self.nudge(float(argument) if argument is not None else None)
            return True
        getattr(self, ACTION_METHODS[action])()
        return True

    # --- answering ----------------------------------------------------------------------------

    def answer(self, text: str) -> bool:
        """Grade a typed answer; True when it was right (the next question, or the replay, follows)."""
        self._need(ANSWER)
        if self.catch_up():
            return True
        verdict = self.tutor.submit(text)
        nudges = self.nudges if not verdict.correct else []
        self.message = verdict_message(verdict, text) + (self._nudge_table(nudges) if nudges else ())
        if verdict.correct:
            self._next_question()
            if self.phase == UPDATING:  # the step the learner just worked out runs at once: keep the verdict
                self.lead = (*verdict_message(verdict, text), line())
                self.message = self.lead + self.message
        return verdict.correct

    def catch_up(self) -> bool:
        """Take in what another window on the same progress saved. When it found the question asked
        here, say so and go on to the next question instead of asking it again: True then, and the
        learner's action (an answer typed here, a hint, showing the answer) is not taken."""
        if self.phase != ANSWERING:
            return False
        node = self.tutor.catch_up()
        if node is None:
            return False
        exercise = self.flow.exercise
        found = f": {format_number(exercise.answers[node])}" if isinstance(exercise, GradientExercise) else ""
        self.message = (line(Span("✓ Found elsewhere: ", "right"),
                             f"{self.flow.prompt(node)} was found in your other window{found}. "
                             "It counts here too, so on to the next question."),)
        self._next_question()
        return True

    def pick_up(self) -> None:
        """Pick the node above in an arranged answer (the app's keys; line mode types the order)."""
        self._arrange(PICK_UP)

    def pick_down(self) -> None:
        """Pick the node below in an arranged answer."""
        self._arrange(PICK_DOWN)

    def move_up(self) -> None:
        """Move the picked node up the arranged answer."""
        self._arrange(MOVE_UP)

    def move_down(self) -> None:
        """Move the picked node down the arranged answer."""
        self._arrange(MOVE_DOWN)

    def _arrange(self, action: str) -> None:
        self._need(action)
        self.flow.arrange(action)

    def hint(self) -> None:
        """The next rung of the hint ladder; the last shows the answer, marked as shown."""
        self._need(HINT)
        if self.catch_up():
            return
        hint = self.tutor.hint()
        label = self.flow.hint_labels[hint.level - 1]
        self.message = (line(Span(f"Hint {hint.level} of {HINT_LEVELS} · {label}: ", "hint"), hint.text),)
        if self.flow.exercise.current != hint.node:
            self._next_question(keep_message=True)

    def reveal(self) -> None:
        """Show the asked answer (counted as shown, not earned) and move on."""
        self._need(REVEAL)
        if self.catch_up():
            return
        self.message = verdict_message(self.tutor.reveal())
        self._next_question(keep_message=True)

    def nudge(self, h: float | None = None) -> None:
        """Move the asked node by h (the next smaller h on the ladder by default), run forward again,
        and show every estimate so far beside the answer."""
        self._need(NUDGE)
        exercise = self.flow.exercise
        assert isinstance(exercise, GradientExercise) and exercise.current is not None
        name = exercise.current
        if h is None:
            if len(self.nudges) >= len(NUDGE_SIZES):
                self.message = (*self._nudge_table(self.nudges), line(
                    f"h = {format_number(NUDGE_SIZES[-1])} is as small as the ladder goes: below it, rounding "
                    "in the computer's arithmetic starts to blur the estimate."))
                return
            h = NUDGE_SIZES[len(self.nudges)]
        try:
            self.nudges.append(exercise.nudge(name, h))
        except ExprError as error:  # a nudge out of the formula's domain, such as log of a negative
            self.message = (line(f"Nudging {name} by {format_number(h)} cannot be computed: {error.message}."),)
            return
        self.message = self._nudge_table(self.nudges)

    def _nudge_table(self, nudges: list[Nudge]) -> Message:
        out, name = self.flow.exercise.output_name, nudges[0].node
        rows = [line(Span(f"Nudge {name} by h, run forward again: estimate = ({out}({name}+h) − {out}({name})) / h",
                          "bold"))]
        rows += [line(f"  h = {format_number(n.h):<8} {out}: {format_number(n.output_before)} → "
                      f"{format_number(n.output_after):<12} estimate {format_number(n.estimate)}") for n in nudges]
        rows.append(line(Span(NUDGE, "key"), Span(" again for a smaller h: the estimate settles on the gradient as h "
                                                  "shrinks.", "muted")))
        return tuple(rows)

    def _next_question(self, keep_message: bool = False) -> None:
        self.nudges = []
        if self.flow.exercise.current is None:
            self._after_answers()

    # --- replays --------------------------------------------------------------------------------

    def advance(self) -> None:
        """Show the next replay step (a face's timer calls this; line mode calls it in a loop)."""
        replay = self.replay
        if replay is None or replay.done:
            return
        if replay.kind == TRAINING:  # a tick of a training run: the flow says how many update steps
            replay.position = min(replay.position + self.flow.steps_per_tick(replay.position), replay.length)
            return
        replay.position += 1
        self._show_replay_step()

    def step(self) -> None:
        """Pause, and show exactly one more step (one update step of a training run)."""
        self._need(STEP)
        assert self.replay is not None
        self.replay.paused = True
        if self.replay.kind == TRAINING:
            self.replay.position = min(self.replay.shown + 1, self.replay.length)
            return
        self.advance()

    def toggle_pause(self) -> None:
        """Pause the replay, or resume it."""
        self._need(PAUSE)
        replay = self.replay
        assert replay is not None
        replay.paused = not replay.paused
        if replay.kind == TRAINING:  # held where the face stands; a skip goes on skipping when resumed
            replay.position = min(replay.shown, replay.length) if replay.paused else (
                replay.length if replay.skipping else max(replay.position, replay.shown))

    def skip(self) -> None:
        """Show the end of the replay at once (its last step stays on screen with the summary)."""
        self._need(SKIP)
        assert self.replay is not None
        if self.replay.kind == TRAINING:  # every remaining update step, drawn once at the end
            self.replay.position, self.replay.paused, self.replay.skipping = self.replay.length, False, True
            return
        self.replay.position = self.replay.length - (self.replay.kind != BACKWARD)  # a backward pass: to done
        self.advance()

    def faster(self) -> None:
        """Shorten the pause between replay steps."""
        self._need(FASTER)
        assert self.replay is not None
        self.replay.speed_index = self.speed_index = min(self.replay.speed_index + 1, len(SPEEDS) - 1)

    def slower(self) -> None:
        """Lengthen the pause between replay steps."""
        self._need(SLOWER)
        assert self.replay is not None
        self.replay.speed_index = self.speed_index = max(self.replay.speed_index - 1, 0)

    def _steps(self) -> list[BackwardStep]:
        """The backward steps the replay shows (the engine's, or the bug's in a bug hunt)."""
        return self.flow.replay_steps()

    def _show_replay_step(self) -> None:
        replay = self.replay
        assert replay is not None
        if replay.kind == BACKWARD:
            step = self._steps()[min(replay.position, replay.length) - 1]  # done: the last step stays above
            text, why = self.flow.describe(step)
            self.message = (*self.lead, line(Span(text, "bold")), line(why))
            if replay.done and not self.flow.hunting:
                self.message += (line(), *comparison_message(self.flow.comparison(),
                                                             self.flow.exercise.output_name))
            return
        update = self.updates[-1]
        name, value = update.forward[replay.position - 1]
        self.values[name] = value
        if replay.done:
            self.values.update(update.forward)
            self.message = self.lead + self._update_message(update, done=True)

    # --- updates and moving on ------------------------------------------------------------------

    def update(self) -> None:
        """Take one update step from the current values and replay the forward pass that follows."""
        self._need(UPDATE)
        self.lead = ()
        self._take_step()

    def _take_step(self) -> None:
        part = self.tutor.part
        update = take_steps(part, self.inputs, 1, first=len(self.updates) + 1)[0]
        self.updates.append(update)
        self.inputs = update.new_inputs(self.inputs)
        self.history.append(update.output_after)
        self.phase = UPDATING
        self.replay = Replay(FORWARD, len(update.forward), speed_index=self.speed_index)
        self.message = self._update_message(update, done=False)
        self.tutor.note_updates(len(self.updates))

    def _update_message(self, update: UpdateStep, done: bool) -> Message:
        part = self.tutor.part
        rows = [line(describe_rule(part))]
        rows += [line(Span(describe_move(move, part), "bold")) for move in update.parameters]
        if done:
            trail = " → ".join(format_number(value) for value in self.history[-6:])
            rows.append(line(f"{self.flow.exercise.output_name}: {trail}"))
            # the boxes keep the gradients the step used, beside values the step has already moved
            rows.append(line(Span(f"The gradients shown are from before step {update.step}, at the old values; "
                                  "a new backward pass would give new ones.", "muted")))
        return tuple(rows)

    def drawn(self, steps: int) -> None:
        """The face has computed and drawn `steps` update steps of the training run."""
        if self.replay is not None and self.replay.kind == TRAINING:
            self.replay.shown = steps

    def painted(self, frame: Frame) -> bool:
        """A face has drawn (or printed) `frame` of the training run: the steps it shows now. A frame
        that ends the run (every step taken, or stopped early) is remembered, and Enter goes on;
        returns True then."""
        self.drawn(frame.step)
        if frame.over:
            self.trained(frame.step, frame.failure)
        return frame.over

    def trained(self, steps: int, failure: str = "") -> None:
        """A training run the face showed is over after `steps` update steps (stopped early, with
        `failure` saying why, when its numbers overflowed): remember it; Enter goes on."""
        if self.phase == WATCH:
            self.tutor.note_updates(steps)
            self.phase, self.replay, self.failure = DONE, None, failure

    def go_on(self) -> None:
        """Continue: from the introduction to the part, from a finished part to the next or the recap."""
        self._need(CONTINUE)
        if self.phase == INTRO:
            self._enter_part()
        elif self.phase == REPLAY and self.flow.hunting:  # a bug hunt: now find it
            self.phase, self.replay, self.lead = ANSWERING, None, ()
            self.message = self._question_guide()
        elif self.phase == OUTRO:
            self.phase = ""
        elif self.tutor.finish_part():
            self._enter_part()
        else:
            self.phase, self.message, self.replay = OUTRO, self._outro(), None

    def restart(self) -> None:
        """Start a finished lesson again; its attempts stay for mastery and the export."""
        self._need(RESTART)
        self.tutor.restart()
        if self.lesson.intro.strip():
            self.phase, self.message = INTRO, (line(Span(self.fill(self.lesson.intro), "prose")),)
        else:
            self._enter_part()

    def keep_speed(self, speed_index: int) -> None:
        """Go on at the replay speed the learner chose in an earlier session (a lesson left and
        opened again started its replay at 1× whatever they had chosen)."""
        self.speed_index = max(0, min(speed_index, len(SPEEDS) - 1))
        if self.replay is not None:
            self.replay.speed_index = self.speed_index

    def leave(self) -> str:
        """Save and leave (to the lessons); returns "" or why progress could not be saved. A training
        run left part-way counts its steps shown so far, so the lesson reads as started and reopens
        on the run, not on its introduction as though never begun."""
        replay = self.replay
        if self.phase == WATCH and replay is not None and replay.kind == TRAINING and replay.shown:
            progress = self.tutor.record.part_progress(self.tutor.part_index)
            progress.updates = max(progress.updates, replay.shown)
        return self.tutor.save()

    def successor(self) -> LessonSession | None:
        """The session that follows this one once it is over (practice's next exercise), if any."""
        return self.context.successor() if self.context is not None else None

    @property
    def over(self) -> bool:
        """True once the learner has read the recap and gone on: the face goes back to the lessons."""
        return self.phase == ""

    # --- inside ---------------------------------------------------------------------------------

    def _need(self, action: str) -> None:
        if action not in self.allowed:
            raise RuntimeError(f"'{action}' is not possible now (phase {self.phase or 'over'})")

    def _enter_part(self, resumed: bool = False) -> None:
        self.resumed = resumed
        self.flow = self._part_flow()
        self.inputs = self.tutor.inputs()
        self.values = self._forward(self.inputs)
        self.history = [self.values[self.tutor.part.output]] if self.tutor.part.output in self.values else []
        self.updates, self.nudges, self.replay, self.lead = [], [], None, ()
        self.phase = self.flow.first_phase()
        text = self.fill(self.tutor.part.text.strip() or self.flow.default_text, self.part_index)
        rows: list[Line] = [line(Span(text, "prose"))] if text else []
        rows += self._new_numbers()
        if opening := self.flow.opening():
            rows.append(line(Span(opening, "bold")))
        if resumed:
            rows.append(line("You are back where you left off."))
        if self.phase == ANSWERING:
            self.message = tuple(rows) + self._question_guide()
        else:
            self.message = tuple(rows)
            if self.phase == REPLAY and rows:  # a part that opens on a replay (a bug hunt): its text stays above
                self.lead = (*rows, line())
            self._start_phase()

    def _new_numbers(self) -> tuple[Line, ...]:
        """A line saying the numbers changed, when this part works the previous part's graph with other
        inputs (with --seed, a part whose numbers are drawn is followed by one with its own): the same
        boxes with other numbers otherwise read as a mistake."""
        index = self.part_index
        parts = self.lesson.parts
        if index == 0 or [a.text for a in parts[index].assignments] != [a.text for a in parts[index - 1].assignments]:
            return ()
        before, now = self.tutor.inputs(index - 1), self.inputs
        changed = [name for name in now if name in before and before[name] != now[name]]
        if not changed:
            return ()
        was = ", ".join(f"{name} = {format_number(now[name])} (was {format_number(before[name])})" for name in changed)
        return (line(Span("New numbers in this part: ", "bold"), f"{was}."),)

    def _part_flow(self) -> PartFlow:
        """The flow of the part in front of the learner, made by its kind."""
        tutor = self.tutor
        return tutor.kind.flow(tutor.part, tutor.exercise, tutor.following, tutor.history())

    def _question_guide(self) -> Message:
        """The line that names the keys of the questions."""
        keys: list[str | Span] = [Span(KEY_GUIDE, "muted")]
        for action in (HINT, NUDGE, REVEAL):
            if action in self.allowed:
                keys += [Span(" · ", "muted"), Span(action, "key"), Span(f" {ACTION_WORDS[action]}", "muted")]
        return (line(*keys),)

    def _forward(self, inputs: dict[str, float]) -> dict[str, float]:
        if not self.flow.asks or not self.tutor.part.assignments:  # no graph: a watched run, rules as code
            return dict(inputs)
        return {name: node.data for name, node in self.tutor.part.build(inputs).nodes.items()}

    def _after_answers(self) -> None:
        self.phase = self.flow.after_answers()
        self._start_phase()

    def _start_phase(self) -> None:
        if self.phase == REPLAY:
            self.replay = Replay(BACKWARD, len(self._steps()), speed_index=self.speed_index)
        elif self.phase == WATCH:
            self.replay, self.failure = Replay(TRAINING, self.flow.total_steps, speed_index=self.speed_index), ""
        elif self.phase == UPDATING and not self.updates:
            self._take_step()

    def _outro(self) -> Message:
        if self.context is not None:
            return (line(Span(self.context.summary(), "prose")), line(),
                    line(Span(CONTINUE, "key"), ": the next exercise · ", Span(LEAVE, "key"), ": back to the lessons"))
        if self.review:
            return self._review_summary()
        if not self.lesson.outro.strip():
            return (line(f"That is the end of {self.lesson.title}."),)
        return (line(Span(self.fill(self.lesson.outro.strip()), "prose")),)

    def _finished_message(self) -> Message:
        text = self.fill(self.lesson.outro.strip()) if self.lesson.outro.strip() else ""
        rows = [line(Span("You finished this lesson before. ", "bold"), Span(RESTART, "key"),
                     " starts it again from the beginning (your earlier answers still count toward your "
                     "skills); ", Span(LEAVE, "key"), " goes back to the lessons.")]
        return tuple(rows) + ((line(), line(Span(text, "prose"))) if text else ())

    def _updates_taken(self) -> str:
        """The update steps taken in the lesson's last part that took any (saved with progress), as a
        clause: where the output went, or that no step was taken."""
        parts = self.lesson.parts
        stepped = [index for index, part in enumerate(parts)
                   if part.assignments and self.tutor.record.part_progress(index).updates > 0]
        index = stepped[-1] if stepped else next(
            (i for i in reversed(range(len(parts))) if parts[i].assignments), 0)
        part = parts[index]
        out = part.output
        count = self.tutor.record.part_progress(index).updates if stepped else 0
        try:
            steps = take_steps(part, self.tutor.inputs(index), max(count, 1))
        except (LessonError, ArithmeticError):
            return f"{out} moved as the steps you took moved it"
        before = format_number(steps[0].output_before)
        if count == 0:
            return f"you took no update step, so {out} stayed at {before}"
        after = format_number(steps[-1].output_after)
        if count == 1:
            return f"{out} went from {before} to {after} in the one step you took"
        return f"{out} went from {before} to {after} in the {count} steps you took"

    def _mastery(self) -> dict[str, float]:
        store = self.tutor.store
        return {skill: m.level for skill, m in store.history.mastery().items()} if store else {}

    def _review_summary(self) -> Message:
        from tui_grad.core.skills import SKILLS

        after = self._mastery()
        skill = self.review or ""
        before_level, after_level = self.mastery_before.get(skill, 0.0), after.get(skill, 0.0)
        exercise = self.flow.exercise
        earned = sum(status == "earned" for status in exercise.status.values())
        change = ("up from" if after_level > before_level else "down from" if after_level < before_level
                  else "the same as")
        return (line(Span(f"Review done: {skill} ({SKILLS.get(skill, skill)}).", "bold")),
                line(f"You earned {earned} of {len(exercise.order)} on fresh numbers. Your {skill} meter is "
                     f"{_meter(after_level)}, {change} {_meter(before_level)}."),)

    def fill(self, text: str, part_index: int | None = None) -> str:
        """Lesson text with its `{{name}}` numbers taken from the graph this learner sees, and
        `{{updates}}` said as the update steps the learner took."""
        if "{{" not in text:
            return text
        if UPDATES_PLACEHOLDER in text:
            text = text.replace(UPDATES_PLACEHOLDER, self._updates_taken())
        parts = self.lesson.parts
        index = part_index if part_index is not None else next(
            (i for i, part in enumerate(parts) if part.assignments), 0)
        part = parts[index]
        if not part.assignments:
            return text
        inputs = self.tutor.inputs(index)
        try:
            graph = part.build(inputs)
            graph.output.backward()
        except (LessonError, ArithmeticError):
            return text
        values = {name: node.data for name, node in graph.nodes.items()}
        grads = {name: node.grad for name, node in graph.nodes.items()}
        step = first_update(part, inputs)
        after = dict(step.forward) if step else {}
        return fill_numbers(text, values, grads, after)


UPDATES_PLACEHOLDER = "{{updates}}"
"""In a lesson's text: the update steps the learner took, in words (`L went from -8 to -7.286496 in
the one step you took`), so a recap never reports a step that was not taken, or one of two."""


def _meter(level: float) -> str:
    dots = round(level * 5)
    return "●" * dots + "○" * (5 - dots)
