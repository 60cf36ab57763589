"""The exercise screen: find each gradient by hand, watch the engine's backward pass, then update.

The screen asks `GradientExercise` to grade and replays the engine's recorded steps; it never
computes a derivative of its own.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui_grad.core.exercise import (EARNED, PENDING, SHOWN, GradientExercise, Verdict, describe_step,
                                    format_number, grads_after)
from tui_grad.core.lesson import Lesson
from tui_grad.core.update import UpdateStep, describe_move, describe_rule, take_steps
from tui_grad.engine import BackwardStep
from tui_grad.ui.answer import AnswerEntry
from tui_grad.ui.diagram import DiagramNode
from tui_grad.ui.graph_view import GraphView
from tui_grad.ui.player import StepPlayer

ANSWER, BACKWARD, UPDATE = "answer", "backward", "update"
PLAYER_ACTIONS = ("toggle_pause", "step", "skip", "faster", "slower")


class ExerciseScreen(Screen):
    """One gradient lesson, in three phases: answer by hand, backward replay, update."""

    CSS_PATH = "exercise.tcss"
    BINDINGS = [
        Binding("ctrl+r", "reveal", "Show answer", tooltip="Show this node's gradient (marked as shown)",
                id="exercise.reveal"),
        Binding("space", "toggle_pause", "Pause/resume", id="exercise.pause"),
        Binding("n,right", "step", "Step", tooltip="Show one more step", id="exercise.step"),
        Binding("s,end", "skip", "Skip", tooltip="Jump to the end of the backward pass", id="exercise.skip"),
        Binding("plus,equals_sign", "faster", "Faster", id="exercise.faster"),
        Binding("minus", "slower", "Slower", id="exercise.slower"),
        Binding("u,enter", "update", "Update", tooltip="Step the parameters and run forward again",
                id="exercise.update"),
        Binding("o", "outro", "Recap", tooltip="Read what this lesson showed", id="exercise.outro"),
        Binding("escape", "app.pop_screen", "Lessons", id="exercise.back"),
    ]

    phase: reactive[str] = reactive(ANSWER)
    """Where the learner is: answering by hand, watching the backward pass, or updating."""

    def __init__(self, lesson: Lesson, step_interval: float = 0.8) -> None:
        super().__init__()
        self.lesson = lesson
        self.exercise = GradientExercise(lesson)
        self.step_interval = step_interval
        self.player: StepPlayer[BackwardStep] | None = None
        self.inputs = dict(lesson.inputs)
        self.updates: list[UpdateStep] = []
        self.history = [self.exercise.graph.output.data]
        self.values = {name: node.data for name, node in self.exercise.graph.nodes.items()}

    def compose(self) -> ComposeResult:
        yield Header()
        yield GraphView(id="graph")
        yield Static(id="status")
        yield AnswerEntry(id="answer")
        with VerticalScroll(id="feedback-area", can_focus=False):
            yield Static(id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.lesson.title
        self.sub_title = "find each gradient"
        entry = self.query_one(AnswerEntry)
        entry.output = self.exercise.output_name
        self.ask_next()
        self.say(Content("Work from the output back to the leaves. Type your answer and press Enter; "
                      "Ctrl+R shows the answer if you are stuck."))

    # --- answering by hand ------------------------------------------------------------------

    def ask_next(self) -> None:
        """Point the graph and the prompt at the next node, or start the backward pass."""
        current = self.exercise.current
        self.draw_graph()
        if current is None:
            self.phase = BACKWARD
            return
        entry = self.query_one(AnswerEntry)
        entry.node = current
        entry.focus_input()
        done = sum(status != PENDING for status in self.exercise.status.values())
        self.set_status(f"▶ Find d{self.exercise.output_name}/d{current}   "
                        f"(node {done + 1} of {len(self.exercise.order)})   {self.formula_of(current)}")

    def formula_of(self, name: str) -> str:
        """The assignment that defines `name`, or that it is an input."""
        for assignment in self.lesson.assignments:
            if assignment.name == name:
                return assignment.text
        return f"{name} is an input ({format_number(self.values[name])})"

    @on(AnswerEntry.Submitted)
    def grade(self, event: AnswerEntry.Submitted) -> None:
        if self.phase != ANSWER:
            return
        verdict = self.exercise.submit(event.text)
        self.show_verdict(verdict)
        if verdict.correct:
            self.ask_next()
        else:
            self.query_one(AnswerEntry).offer_again(event)

    def action_reveal(self) -> None:
        self.query_one(AnswerEntry).clear()
        self.show_verdict(self.exercise.reveal())
        self.ask_next()

    def show_verdict(self, verdict: Verdict) -> None:
        """A tick or a cross, the word, the number we read, and the chain rule or a pointer."""
        if verdict.correct:
            mark = ("✓ Right. ", "bold $success")
        elif verdict.shown:
            mark = ("~ Shown. ", "bold $warning")
        elif not verdict.readable:
            mark = ("? Unreadable. ", "bold $warning")
        else:
            mark = ("✗ Wrong. ", "bold $error")
        parts: list[str | tuple[str, str]] = [mark]
        if verdict.understood is not None and not verdict.shown:
            parts.append((f"(read as {format_number(verdict.understood)}) ", "$text-muted"))
        parts.append(verdict.message)
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
        self.set_status("Backward pass done: your gradients beside the engine's. Press U to update.")
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
        update = take_steps(self.lesson, self.inputs, 1, first=len(self.updates) + 1)[0]
        self.updates.append(update)
        self.inputs = update.new_inputs(self.inputs)
        self.history.append(update.output_after)
        grads = {move.name: move.grad for move in update.parameters}
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
        self.draw_graph({move.name: move.grad for move in update.parameters})
        out = self.exercise.output_name
        self.set_status(f"Step {update.step} done: {out} went from {format_number(update.output_before)} "
                        f"to {format_number(update.output_after)}. U: another step.  O: recap.")
        self.say(self.describe_update(update, done=True))

    def describe_update(self, update: UpdateStep, done: bool) -> Content:
        parts: list[str | tuple[str, str]] = [describe_rule(self.lesson) + "\n"]
        parts.extend((describe_move(move, self.lesson) + "\n", "bold") for move in update.parameters)
        if done:
            trail = " → ".join(format_number(value) for value in self.history[-6:])
            parts.append(f"{self.exercise.output_name}: {trail}")
        return Content.assemble(*parts)

    def action_outro(self) -> None:
        from tui_grad.ui.reading import ReadingScreen

        self.app.push_screen(ReadingScreen(self.lesson.title, self.lesson.outro or "That is the lesson."))

    # --- player keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        playing = self.player is not None and not self.player.done
        if action == "reveal":
            return self.phase == ANSWER
        if action in PLAYER_ACTIONS:
            return playing if self.phase != ANSWER else False
        if action == "update":
            return self.phase != ANSWER and not playing
        if action == "outro":
            return bool(self.updates) and not playing
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
        nodes = []
        for name, node in self.exercise.graph.nodes.items():
            if name not in self.exercise.status:
                state, grad = "constant", ""
            elif grads is None:
                status = self.exercise.status[name]
                state = {EARNED: "found", SHOWN: "shown"}.get(status, "asked" if name == self.exercise.current else "unknown")
                grad = format_number(self.exercise.answers[name]) if name in self.exercise.answers else ""
            else:
                state = "asked" if active and name == active[0] else "found" if name in grads else "unknown"
                grad = format_number(grads[name]) if name in grads else ""
            title = next((a.text for a in self.lesson.assignments if a.name == name), name)
            nodes.append(DiagramNode(name, title, tuple(c.label for c in node.children),
                                     format_number(self.values[name]), grad, state))
        view = self.query_one(GraphView)
        view.nodes = tuple(nodes)
        view.active_edge = active
        view.highlight = highlight

    def set_status(self, message: str) -> None:
        self.query_one("#status", Static).update(message)

    def say(self, text: Content) -> None:
        self.query_one("#feedback", Static).update(text)

    def on_unmount(self) -> None:
        if self.player:
            self.player.stop()
