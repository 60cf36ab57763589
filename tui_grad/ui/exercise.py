"""The exercise screen: find each gradient (or slope, or new value) by hand, watch the engine's
backward pass, then update.

The screen asks the `Tutor` to grade (which saves after every answer) and replays the engine's
recorded steps; it never computes a derivative of its own.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from collections.abc import Callable

from tui_grad.core.exercise import (EARNED, NUDGE_SIZES, PENDING, SHOWN, GradientExercise, Nudge, Verdict,
                                    describe_step, format_number, grads_after)
from tui_grad.core.expr import ExprError
from tui_grad.core.tutor import Tutor
from tui_grad.core.update import UpdateExercise, UpdateStep, describe_move, describe_rule, take_steps
from tui_grad.engine import BackwardStep
from tui_grad.ui.answer import AnswerEntry
from tui_grad.ui.diagram import DiagramNode
from tui_grad.ui.graph_view import GraphView
from tui_grad.ui.player import StepPlayer
from tui_grad.ui.prose import prose

ANSWER, BACKWARD, UPDATE, DONE = "answer", "backward", "update", "done"
PLAYER_ACTIONS = ("toggle_pause", "step", "skip", "faster", "slower")


class ExerciseScreen(Screen):
    """One gradient lesson, in three phases: answer by hand, backward replay, update."""

    CSS_PATH = "exercise.tcss"
    BINDINGS = [
        Binding("ctrl+g", "hint", "Hint", tooltip="A hint that goes one step further each time",
                id="exercise.hint"),
        Binding("ctrl+n", "nudge", "Nudge", tooltip="Nudge this node by h and run forward again; press again "
                "for a smaller h", id="exercise.nudge"),
        Binding("ctrl+r", "reveal", "Show answer", tooltip="Show this answer (marked as shown, not earned)",
                id="exercise.reveal"),
        Binding("space", "toggle_pause", "Pause/resume", id="exercise.pause"),
        Binding("n,right", "step", "Step", tooltip="Show one more step", id="exercise.step"),
        Binding("s,end", "skip", "Skip", tooltip="Jump to the end of the backward pass", id="exercise.skip"),
        Binding("plus,equals_sign", "faster", "Faster", id="exercise.faster"),
        Binding("minus", "slower", "Slower", id="exercise.slower"),
        Binding("u", "update", "Update", tooltip="Step the parameters and run forward again",
                id="exercise.update"),
        Binding("enter", "continue", "Continue", tooltip="On to the next part of the lesson",
                id="exercise.continue"),
        Binding("escape", "app.pop_screen", "Lessons", id="exercise.back"),
    ]

    phase: reactive[str] = reactive(ANSWER)
    """Where the learner is: answering by hand, watching the backward pass, or updating."""

    def __init__(self, tutor: Tutor, step_interval: float = 0.8,
                 on_done: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.tutor = tutor
        self.lesson = tutor.part
        exercise = tutor.exercise
        assert exercise is not None, "an exercise screen needs a part that asks questions"
        self.exercise: GradientExercise | UpdateExercise = exercise
        self.step_interval = step_interval
        self.on_done = on_done
        self.player: StepPlayer | None = None
        self.inputs = tutor.inputs()
        self.updates: list[UpdateStep] = []
        self.history = [self.exercise.graph.output.data]
        self.values = {name: node.data for name, node in self.exercise.graph.nodes.items()}
        self.nudges: list[Nudge] = []
        self.warned = ""

    @property
    def kind(self) -> str:
        """The part's kind: "gradients", "slope" or "update"."""
        return self.lesson.kind

    def compose(self) -> ComposeResult:
        yield Header()
        if self.kind == "slope":
            yield Static(id="function")
        else:
            with VerticalScroll(id="graph-area", can_focus=False):
                yield GraphView(id="graph")
        yield Static(id="status")
        yield AnswerEntry(self.grade, id="answer")
        with VerticalScroll(id="feedback-area", can_focus=False):
            yield Static(id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        lesson = self.tutor.lesson
        parts = len(lesson.parts)
        self.title = lesson.title + (f" · part {self.tutor.part_index + 1} of {parts}" if parts > 1 else "")
        self.sub_title = {"slope": "find the slope", "update": "take a step by hand"}.get(self.kind,
                                                                                          "find each gradient")
        entry = self.query_one(AnswerEntry)
        entry.output = self.exercise.output_name
        self.ask_next()
        first = self.lesson.text.strip() or {
            "slope": "Nudge the input with Ctrl+N (each press uses a smaller h) and watch the estimate settle; "
                     "then type the slope.",
            "update": "Work out each parameter's new value after one step and type it.",
        }.get(self.kind, "Work from the output back to the leaves.")
        resumed = " You are back where you left off." if any(
            state != PENDING for state in self.exercise.status.values()) else ""
        nudge = "" if self.kind == "update" else " · Ctrl+N nudge"
        keys = f"Enter checks an answer · Ctrl+G hint{nudge} · Ctrl+R show the answer."
        self.say(Content.assemble(prose(first + resumed), "\n", (keys, "$text-muted")))

    # --- answering by hand ------------------------------------------------------------------

    def ask_next(self) -> None:
        """Point the graph and the prompt at the next node, or start the backward pass."""
        current = self.exercise.current
        self.nudges = []
        self.draw_graph()
        if current is None:
            self.phase = {"gradients": BACKWARD, "update": UPDATE}.get(self.kind, DONE)
            return
        entry = self.query_one(AnswerEntry)
        entry.node = current
        entry.question = self.exercise.question(current) if isinstance(self.exercise, UpdateExercise) else ""
        entry.focus_input()
        done = sum(status != PENDING for status in self.exercise.status.values())
        count = f"({done + 1} of {len(self.exercise.order)})"
        out = self.exercise.output_name
        if self.kind == "update":
            self.set_status(f"▶ New value of {current}   {count}   d{out}/d{current} = "
                            f"{format_number(self.exercise.grads[current])}")
        elif self.kind == "slope":
            self.set_status(f"▶ Find the slope d{out}/d{current} at {current} = "
                            f"{format_number(self.values[current])}   {self.formula_of(out)}")
        else:
            self.set_status(f"▶ Find d{out}/d{current}   {count}   {self.formula_of(current)}")

    def assignment_text(self, name: str) -> str | None:
        """The line that defines `name` (`e = a * b`), or None for an input."""
        return next((a.text for a in self.lesson.assignments if a.name == name), None)

    def formula_of(self, name: str) -> str:
        """The assignment that defines `name`, or that it is an input."""
        return self.assignment_text(name) or f"{name} is an input ({format_number(self.values[name])})"

    def grade(self, text: str) -> None:
        """Grade a submitted answer (AnswerEntry calls this within the Enter key's handler)."""
        if self.phase != ANSWER:
            return
        verdict = self.tutor.submit(text)
        self.warn_if_unsaved()
        self.show_verdict(verdict, text)
        if verdict.correct:
            self.ask_next()
        else:
            self.query_one(AnswerEntry).offer_again(text)

    def action_reveal(self) -> None:
        self.query_one(AnswerEntry).clear()
        self.show_verdict(self.tutor.reveal())
        self.warn_if_unsaved()
        self.ask_next()

    def action_hint(self) -> None:
        """Show the next hint; the fourth shows the answer, marked as shown."""
        hint = self.tutor.hint()
        self.warn_if_unsaved()
        label = ("Think", "Local rule", "Chain rule", "Answer")[hint.level - 1]
        self.say(Content.assemble((f"Hint {hint.level} of 4 · {label}: ", "bold $accent"), hint.text))
        if self.exercise.current != hint.node:
            self.query_one(AnswerEntry).clear()
            self.ask_next()

    def action_nudge(self) -> None:
        """Nudge the asked node by the next smaller h and show the estimate beside the learner's answer."""
        if not isinstance(self.exercise, GradientExercise) or self.exercise.current is None:
            return
        name = self.exercise.current
        h = NUDGE_SIZES[len(self.nudges) % len(NUDGE_SIZES)]
        if len(self.nudges) >= len(NUDGE_SIZES):
            self.nudges = []
        try:
            self.nudges.append(self.exercise.nudge(name, h))
        except ExprError as error:  # a nudge that leaves the function's domain, e.g. log of a negative
            self.say(Content(f"Nudging {name} by {format_number(h)} cannot be computed: {error.message}."))
            return
        out = self.exercise.output_name
        lines = [(f"Nudge {name} by h, run forward again: estimate = ({out}({name}+h) − {out}({name})) / h\n", "bold")]
        for nudge in self.nudges:
            lines.append(f"  h = {format_number(nudge.h):<8} {out}: {format_number(nudge.output_before)} → "
                         f"{format_number(nudge.output_after):<12} estimate {format_number(nudge.estimate)}\n")
        lines.append(("Ctrl+N again for a smaller h. The estimate settles on the gradient as h shrinks.",
                      "$text-muted"))
        self.say(Content.assemble(*lines))

    def warn_if_unsaved(self) -> None:
        """Tell the learner once when progress cannot be saved; they can go on regardless."""
        if self.tutor.problem and self.tutor.problem != self.warned:
            self.warned = self.tutor.problem
            self.notify(self.tutor.problem, title="Progress not saved", severity="warning", timeout=8)

    def show_verdict(self, verdict: Verdict, typed: str = "") -> None:
        """A tick or a cross, the word, the number we read, and the chain rule or a pointer."""
        if verdict.correct:
            mark = ("✓ Right: ", "bold $success")
        elif verdict.shown:
            mark = ("~ ", "bold $warning")
        elif not verdict.readable:
            mark = ("? ", "bold $warning")
        else:
            mark = ("✗ Wrong: ", "bold $error")
        parts: list[str | tuple[str, str]] = [mark]
        parts.append(verdict.message)
        if verdict.understood is not None and not verdict.shown and typed.strip() != format_number(verdict.understood):
            parts.append((f" (read {typed.strip()} as {format_number(verdict.understood)})", "$text-muted"))
        if verdict.explanation:
            parts.append("\n" + verdict.explanation)
        if verdict.shown:
            parts.append(("\nMarked as shown, not earned.", "italic"))
        self.say(Content.assemble(*parts))

    # --- the backward pass ------------------------------------------------------------------

    def watch_phase(self, phase: str) -> None:
        self.query_one(AnswerEntry).display = phase == ANSWER
        self.refresh_bindings()
        if phase == BACKWARD:
            self.sub_title = "the engine's backward pass"
            self.player = StepPlayer(self, self.exercise.steps, self.show_step, self.backward_finished,
                                     self.step_interval)
            self.set_status("The engine now runs the same backward pass, one edge at a time.")
            self.player.start()
        elif phase == UPDATE:
            self.sub_title = "update the parameters"
            if self.kind == "update" and not self.updates:  # the step the learner just worked out
                self.call_after_refresh(self.action_update)
        elif phase == DONE:
            self.sub_title = "done"
            found = self.exercise.order[0]
            self.set_status(f"Slope found: d{self.exercise.output_name}/d{found} = "
                            f"{format_number(self.exercise.expected(found))}. Enter: continue.")

    def show_step(self, index: int, step: BackwardStep) -> None:
        assert self.player is not None
        line, why = describe_step(step, self.exercise.output_name)
        self.draw_graph(grads_after(self.exercise.steps, index + 1, self.exercise.output_name),
                        active=(step.node, step.child))
        self.set_status(f"Step {index + 1} of {len(self.exercise.steps)}   "
                        f"{step.node} → {step.child}   speed {self.player.speed_label}")
        self.say(Content.assemble((line, "bold"), "\n", why))

    def backward_finished(self) -> None:
        self.draw_graph(grads_after(self.exercise.steps, len(self.exercise.steps), self.exercise.output_name))
        self.set_status("Backward pass done: yours beside the engine's. U: update · Enter: continue.")
        self.say(self.comparison())
        self.refresh_bindings()

    def comparison(self) -> Content:
        """A small table: each node, the learner's answer, the engine's, and a mark."""
        names = list(self.exercise.order)
        width = max(8, *(len(format_number(self.exercise.expected(n))) + 2 for n in names))
        rows = {"node": names, "yours": [], "engine": [], "": []}
        for name in names:
            status = self.exercise.status[name]
            rows["yours"].append(format_number(self.exercise.answers[name]))
            rows["engine"].append(format_number(self.exercise.expected(name)))
            rows[""].append("✓ earned" if status == EARNED else "~ shown" if status == SHOWN else "?")
        parts: list[str | tuple[str, str]] = []
        for label, cells in rows.items():
            parts.append((f"{label:<7}", "bold"))
            parts.append("".join(f"{cell:>{width + 1}}" for cell in cells) + "\n")
        earned = sum(status == EARNED for status in self.exercise.status.values())
        parts.append(f"You earned {earned} of {len(names)} gradients.")
        return Content.assemble(*parts)

    # --- updating ---------------------------------------------------------------------------

    def action_update(self) -> None:
        self.phase = UPDATE
        if self.player is not None and not self.player.done:
            return
        update = take_steps(self.lesson, self.inputs, 1, first=len(self.updates) + 1)[0]
        self.updates.append(update)
        self.inputs = update.new_inputs(self.inputs)
        self.history.append(update.output_after)
        grads = dict(update.gradients)
        player = StepPlayer(self, list(update.forward), lambda i, item: self.show_forward(i, item, grads),
                            lambda: self.update_finished(update), self.step_interval / 2)
        self.player = player
        self.say(self.describe_update(update, done=False))
        player.start()

    def show_forward(self, index: int, item: tuple[str, float], grads: dict[str, float]) -> None:
        name, value = item
        self.values[name] = value
        self.draw_graph(grads, highlight=name)
        self.set_status(f"Forward pass again: {name} = {format_number(value)}")

    def update_finished(self, update: UpdateStep) -> None:
        self.values.update(update.forward)  # a skipped replay shows only its last node
        self.draw_graph(dict(update.gradients))
        out = self.exercise.output_name
        self.set_status(f"Step {update.step}: {out} went {format_number(update.output_before)} → "
                        f"{format_number(update.output_after)}. U: another step · Enter: continue")
        self.tutor.note_updates(len(self.updates))
        self.say(self.describe_update(update, done=True))

    def describe_update(self, update: UpdateStep, done: bool) -> Content:
        parts: list[str | tuple[str, str]] = [describe_rule(self.lesson) + "\n"]
        parts.extend((describe_move(move, self.lesson) + "\n", "bold") for move in update.parameters)
        if done:
            trail = " → ".join(format_number(value) for value in self.history[-6:])
            parts.append(f"{self.exercise.output_name}: {trail}")
        return Content.assemble(*parts)

    def action_continue(self) -> None:
        """On to the next part, or the lesson's recap after the last one."""
        if self.on_done is not None:
            self.on_done()
        else:
            self.app.pop_screen()

    # --- player keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        playing = self.player is not None and not self.player.done
        if action in ("reveal", "hint"):
            return self.phase == ANSWER
        if action == "nudge":
            return self.phase == ANSWER and isinstance(self.exercise, GradientExercise)
        if action in PLAYER_ACTIONS:
            return playing if self.phase != ANSWER else False
        if action == "update":
            return self.phase in (BACKWARD, UPDATE) and not playing and self.kind != "slope"
        if action == "continue":
            return self.phase != ANSWER and not playing
        return True

    def action_toggle_pause(self) -> None:
        if self.player:
            self.player.toggle()
            state = "paused: N steps, Space resumes" if self.player.paused else "playing"
            self.notify(state, timeout=1.5)

    def action_step(self) -> None:
        if self.player:
            self.player.step()

    def action_skip(self) -> None:
        if self.player:
            self.player.skip()

    def action_faster(self) -> None:
        if self.player:
            self.player.faster()

    def action_slower(self) -> None:
        if self.player:
            self.player.slower()

    # --- drawing ----------------------------------------------------------------------------

    def draw_graph(self, grads: dict[str, float] | None = None, active: tuple[str, str] | None = None,
                   highlight: str | None = None) -> None:
        """Redraw the graph: by hand, the learner's answers; in a replay, the given gradients."""
        exercise = self.exercise
        engine = exercise.grads if isinstance(exercise, UpdateExercise) else {
            name: node.grad for name, node in exercise.graph.nodes.items()}
        nodes = []
        for name, node in exercise.graph.nodes.items():
            if name not in exercise.status and not node.children and name not in self.lesson.inputs:
                state, grad = "constant", ""
            elif grads is not None:  # a replay: the gradients as they stand at this step
                state = "asked" if active and name == active[0] else "found" if name in grads else "unknown"
                grad = format_number(grads[name]) if name in grads else ""
            elif isinstance(exercise, UpdateExercise) or name not in exercise.status:
                state = "asked" if name == exercise.current else "given"
                grad = format_number(engine[name])
            else:
                status = exercise.status[name]
                state = {EARNED: "found", SHOWN: "shown"}.get(status, "asked" if name == exercise.current else "unknown")
                grad = format_number(exercise.answers[name]) if name in exercise.answers else ""
            nodes.append(DiagramNode(name, self.assignment_text(name) or name, tuple(c.label for c in node.children),
                                     format_number(self.values[name]), grad, state))
        if self.kind == "slope":
            self.draw_function()
            return
        view = self.query_one(GraphView)
        view.nodes = tuple(nodes)
        view.active_edge = active
        view.highlight = highlight

    def draw_function(self) -> None:
        """A slope part shows its function and point, not a graph whose boxes would give the answer away."""
        out = self.exercise.output_name
        x = self.exercise.order[0]
        formula = self.formula_of(out)
        found = self.exercise.answers.get(x)
        slope = f"   slope {'✓ ' + format_number(found) if found is not None else '?'}"
        self.query_one("#function", Static).update(Content.assemble(
            ("  " + formula, "bold"), f"\n  at {x} = {format_number(self.values[x])}:  {out} = "
            f"{format_number(self.values[out])}{slope}"))

    def set_status(self, message: str) -> None:
        self.query_one("#status", Static).update(message)

    def say(self, text: Content) -> None:
        self.query_one("#feedback", Static).update(text)

    def on_unmount(self) -> None:
        if self.player:
            self.player.stop()
