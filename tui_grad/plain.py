"""Line mode (`tui-grad --plain`): the same lessons as prompts on standard output and answers on
standard input, for screen readers, braille displays, `TERM=dumb` and scripts.

Every answer, hint and reveal goes through the same `Tutor` as the full-screen app, so grading,
diagnoses, hints and saved progress are identical; this module only words things as lines. No
colour, no cursor movement: each line stands on its own when read aloud.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TextIO

from tui_grad.core.catalog import Catalog
from tui_grad.core.exercise import HINT_LEVELS, NUDGE_SIZES, GradientExercise, Verdict, describe_step, format_number
from tui_grad.core.lesson import Lesson, UpdateRule
from tui_grad.core.network import NetworkTrainer
from tui_grad.core.progress import ProgressStore, part_summary
from tui_grad.core.training import TrainingError, describe_loss, describe_params, train_steps
from tui_grad.core.tutor import ANSWERED_KINDS, Tutor
from tui_grad.core.update import UpdateExercise, describe_move, describe_rule, take_steps

HELP = """\
Type your answer: a number (-2), a fraction (1/2) or a little arithmetic (-2*1).
Commands:
  hint       the next hint (the fourth shows the answer, marked as shown)
  show       show this answer (marked as shown, not earned)
  nudge [h]  move this node by h and run forward again (each nudge a smaller h)
  help       this list
  quit       stop here; progress is saved and you resume at this question"""

KEYS_NOTE = "Where the lesson says Ctrl+N, type nudge; for Ctrl+G, type hint; for Ctrl+R, type show."

ASCII_FALLBACK = str.maketrans({"·": "*", "×": "x", "←": "<-", "→": "->", "−": "-", "²": "^2", "∂": "d",
                                "✓": "+", "✗": "x"})
"""For an output that cannot encode the core's math symbols (a 7-bit terminal)."""


class Stop(Exception):
    """The learner typed `quit` or input ended: save and leave."""


class PlainTutor:
    """One line-mode session: lesson menu, questions, verdicts, and saving on the way out."""

    def __init__(self, catalog: Catalog, store: ProgressStore | None, seed: int | None,
                 stdin: TextIO, stdout: TextIO) -> None:
        self.catalog, self.store, self.seed = catalog, store, seed
        self.stdin, self.stdout = stdin, stdout
        self.tutor: Tutor | None = None
        self.warned: set[str] = set()
        self.nudges = 0
        self.echo = not _isatty(stdin)
        self.read_line = _line_reader(stdin)

    # --- lines in and out -----------------------------------------------------------------

    def say(self, text: str = "") -> None:
        """Write one or more whole lines, at once: a script or a screen reader waits on each."""
        self._write(text + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str:
        """Print a prompt (no newline) and read one line; raises Stop at the end of input."""
        while True:
            self._write(prompt)
            self.stdout.flush()
            line = self.read_line()
            if not line:
                self.say()
                raise Stop
            if not self.echo:
                return line.strip()
            self.say(line.rstrip("\r\n"))  # from a pipe or a file nothing shows what was typed
            return line.strip()

    def _write(self, text: str) -> None:
        try:
            self.stdout.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self.stdout, "encoding", None) or "ascii"
            self.stdout.write(text.translate(ASCII_FALLBACK).encode(encoding, "replace").decode(encoding))

    def warn(self) -> None:
        """Say, once each, any store warning and any failed save."""
        sentences = list(self.store.warnings if self.store else [])
        if self.tutor is not None and self.tutor.problem:
            sentences.append(self.tutor.problem)
        for sentence in sentences:
            if sentence not in self.warned:
                self.warned.add(sentence)
                self.say(f"Warning: {sentence}")

    def close(self) -> None:
        """Save once more and say where progress stands."""
        if self.tutor is not None:
            self.tutor.save()
            self.warn()
        if self.store is None:
            self.say("Progress is not saved in this session.")
        elif self.tutor is not None and self.tutor.problem:
            self.say("Progress could not be saved (see the warning above).")
        else:
            self.say(f"Progress is saved in {self.store.path}.")

    # --- choosing a lesson ----------------------------------------------------------------

    def choose(self) -> Lesson | None:
        """List the lessons with their state and read a number or an id; None for `q`."""
        lessons = self.catalog.lessons
        self.say("Lessons:")
        for number, lesson in enumerate(lessons, start=1):
            record = self.store.lesson(lesson.id) if self.store else None
            self.say(f"{number}. {lesson.title} ({lesson.id}): {lesson.summary} [{part_summary(lesson, record)}]")
        for error in self.catalog.broken:
            self.say(f"Unavailable: {error}")
        while True:
            choice = self.ask(f"Lesson number or id (1 to {len(lessons)}, q to quit): ")
            if choice.lower() in ("q", "quit", "exit"):
                return None
            if choice.isdigit() and 1 <= int(choice) <= len(lessons):
                return lessons[int(choice) - 1]
            if (lesson := self.catalog.find(choice)) is not None:
                return lesson
            if choice:
                self.say(f"No lesson '{choice}'. Type a number from 1 to {len(lessons)}, an id, or q.")

    # --- one lesson ------------------------------------------------------------------------

    def run_lesson(self, lesson: Lesson) -> None:
        """Work through a lesson from where the learner stands, to its outro."""
        tutor = self.tutor = Tutor(lesson, self.store, self.seed)
        if tutor.finished:
            self.say(f"You finished '{lesson.title}' before; this time it starts again from the beginning.")
            tutor.restart()
        if tutor.started:
            self.say(lesson.title)
            self.say(self.resume_line(tutor))
        else:
            intro = markdown_to_text(lesson.intro)
            if not intro.startswith(lesson.title):  # most intros open with the title as their heading
                self.say(lesson.title)
            if intro:
                self.say(intro)
        if any(part.kind in ANSWERED_KINDS for part in lesson.parts):
            self.say("Type help at any question for the commands.")
        self.warn()
        while True:
            self.run_part(tutor)
            if not tutor.finish_part():
                break
            self.warn()
        self.warn()
        if lesson.outro.strip():
            self.say()
            self.say(markdown_to_text(lesson.outro))
        self.say(f"Lesson finished: {lesson.title}.")

    def resume_line(self, tutor: Tutor) -> str:
        """`Resuming at part 1 of 1, question dL/da.`"""
        where = f"Resuming at part {tutor.part_index + 1} of {len(tutor.lesson.parts)}"
        exercise = tutor.exercise
        if exercise is not None and exercise.current is not None:
            return f"{where}, question {self.question(tutor, exercise.current)}."
        return f"{where}."

    def run_part(self, tutor: Tutor) -> None:
        """One part: its title and text, then its questions or its training run."""
        part, count = tutor.part, len(tutor.lesson.parts)
        self.say()
        if count > 1:
            self.say(f"Part {tutor.part_index + 1} of {count}: {part.title}")
        if part.text.strip():
            self.say(markdown_to_text(part.text))
        if "Ctrl+" in part.text + (tutor.lesson.intro if tutor.part_index == 0 else ""):
            self.say(KEYS_NOTE)
        if part.kind == "train":
            self.show_training(tutor)
        elif part.kind == "network":
            self.show_network(tutor)
        else:
            self.show_graph(tutor)
            self.answer_questions(tutor)
            if part.kind == "gradients":
                self.show_backward(tutor)
            elif part.kind == "update":
                step = tutor.exercise.step
                out = tutor.exercise.output_name
                self.say(f"With every parameter moved, {out} goes from {format_number(step.output_before)} "
                         f"to {format_number(step.output_after)}.")

    # --- questions -------------------------------------------------------------------------

    def show_graph(self, tutor: Tutor) -> None:
        """The graph as lines: the inputs with their values, then `e = a * b = -6` per node."""
        exercise, part = tutor.exercise, tutor.part
        nodes = exercise.graph.nodes
        self.say("Inputs: " + ", ".join(f"{name} = {format_number(nodes[name].data)}"
                                        for name in part.inputs if name in nodes))
        for assignment in part.assignments:
            self.say(f"{assignment.text} = {format_number(nodes[assignment.name].data)}")
        if isinstance(exercise, UpdateExercise):
            out = exercise.output_name
            self.say("Gradients: " + ", ".join(f"d{out}/d{name} = {format_number(exercise.grads[name])}"
                                              for name in exercise.order))
            self.say(f"One {part.update.direction} step with step size {format_number(part.update.step_size)}.")

    def question(self, tutor: Tutor, name: str) -> str:
        """What is asked, as the prompt words it: `dL/dd`, `a after one step`, `slope df/dx at x = 3`."""
        exercise = tutor.exercise
        if isinstance(exercise, UpdateExercise):
            return exercise.question(name)
        out = exercise.output_name
        if tutor.part.kind == "slope":
            return f"slope d{out}/d{name} at {name} = {format_number(exercise.graph.nodes[name].data)}"
        return f"d{out}/d{name}"

    def answer_questions(self, tutor: Tutor) -> None:
        """Ask each question until it is answered or shown, taking commands on the way."""
        exercise = tutor.exercise
        asked = None
        while (name := exercise.current) is not None:
            if name != asked:
                asked, self.nudges = name, 0
                self.say(f"Question {exercise.order.index(name) + 1} of {len(exercise.order)}.")
            question = self.question(tutor, name)
            text = self.ask(question + (": " if tutor.part.kind == "slope" else " = "))
            if not text:
                continue
            command, _, argument = text.partition(" ")
            command = command.lower()
            if command in ("quit", "exit"):
                raise Stop
            if command in ("help", "?"):
                self.say(HELP)
            elif command == "hint":
                hint = tutor.hint()
                self.say(f"Hint {hint.level} of {HINT_LEVELS}: {hint.text}")
            elif command == "show":
                self.verdict(tutor.reveal())
            elif command == "nudge":
                self.nudge(tutor, name, argument.strip())
            else:
                self.verdict(tutor.submit(text), text)
            self.warn()

    def verdict(self, verdict: Verdict, typed: str = "") -> None:
        """A word first (Right, Wrong, Shown), then the message and the explanation on their own lines."""
        message = verdict.message
        if verdict.correct:
            self.say("Right.")
        elif verdict.shown:
            message = message.removeprefix("Shown: ")
            self.say("Shown.")
        elif verdict.readable:
            self.say("Wrong.")
        if verdict.understood is not None and not verdict.shown and typed and typed != format_number(
                verdict.understood):
            message += f" (read {typed} as {format_number(verdict.understood)})"
        self.say(message)
        if verdict.explanation:
            self.say(verdict.explanation)
        if verdict.shown:
            self.say("Marked as shown, not earned.")

    def nudge(self, tutor: Tutor, name: str, argument: str) -> None:
        """Move the asked node by h, run forward again, and print the estimate of the slope."""
        exercise = tutor.exercise
        if not isinstance(exercise, GradientExercise):
            self.say("Nudging is for gradients and slopes; here, work out the new value from the update rule.")
            return
        if argument:
            try:
                h = float(argument)
            except ValueError:
                h = math.nan
            if not math.isfinite(h) or h == 0:
                self.say(f"Could not use '{argument}' as h: type a small non-zero number, like nudge 0.01.")
                return
        else:
            h = NUDGE_SIZES[self.nudges % len(NUDGE_SIZES)]
            self.nudges += 1
        try:
            nudge = exercise.nudge(name, h)
        except Exception as error:  # a nudge out of the formula's domain, like log of a negative number
            self.say(f"Nudging {name} by {format_number(h)} fails: {error}")
            return
        out = exercise.output_name
        self.say(f"nudge {name} by {format_number(h)}: {out} goes from {format_number(nudge.output_before)} to "
                 f"{format_number(nudge.output_after)}; ({out}({name}+h) - {out}({name}))/h = "
                 f"{format_number(nudge.estimate)}")

    # --- after the questions ---------------------------------------------------------------

    def show_backward(self, tutor: Tutor) -> None:
        """The engine's backward pass step by step, the learner's answers beside the engine's, and
        one update step where `steps_after_gradients` says the lesson wants it."""
        exercise, part = tutor.exercise, tutor.part
        out = exercise.output_name
        self.say()
        self.say("The engine's backward pass, one edge at a time:")
        for number, step in enumerate(exercise.steps, start=1):
            line, why = describe_step(step, out)
            self.say(f"{number}. {line}")
            self.say(f"   {why}")
        self.say("Your answers beside the engine's:")
        for name in exercise.order:
            self.say(f"d{out}/d{name}: yours {format_number(exercise.answers[name])}, engine "
                     f"{format_number(exercise.expected(name))}, {exercise.status[name]}")
        earned = sum(status == "earned" for status in exercise.status.values())
        self.say(f"You earned {earned} of {len(exercise.order)} gradients.")
        if not steps_after_gradients(tutor):
            return
        update = take_steps(part, tutor.inputs(), 1)[0]
        self.say()
        self.say("One update step:")
        self.say(describe_rule(part))
        for move in update.parameters:
            self.say(describe_move(move, part))
        self.say(f"{out} goes from {format_number(update.output_before)} to {format_number(update.output_after)}.")
        tutor.note_updates(1)

    def show_training(self, tutor: Tutor) -> None:
        """A "train" part: run its steps and print step, loss and parameters every tenth of the way."""
        part = tutor.part
        rule, out = part.update, part.output
        every = max(1, rule.steps // 10)
        self.say(f"Training: {rule.steps} {rule.direction} steps of size {format_number(rule.step_size)} "
                 f"on {out}.")
        self.say(f"{'step':>6}  {out:>10}  parameters")
        last = None
        try:
            for last in train_steps(part, tutor.inputs()):
                if last.step % every == 0 or last.step == rule.steps:
                    self.say(f"{last.step:>6}  {describe_loss(last.loss):>10}  {describe_params(last)}")
        except TrainingError as error:
            self.say(error.message)
        if last is not None:
            self.say(f"After {last.step} steps: {out} = {format_number(last.loss)}, "
                     + ", ".join(f"{name} = {format_number(value)}" for name, value in last.params.items()) + ".")
            tutor.note_updates(last.step)

    def show_network(self, tutor: Tutor) -> None:
        """A "network" part: train the network and print loss and accuracy every tenth of the way."""
        spec = tutor.part.network
        trainer = NetworkTrainer(spec)
        layers = " and ".join(map(str, spec.hidden))
        self.say(f"Training a network with hidden layers of {layers} neurons on {spec.samples} {spec.dataset} "
                 f"points: {spec.steps} steps of size {format_number(spec.step_size)}.")
        every = max(1, spec.steps // 10)
        while not trainer.done:
            step = trainer.steps_taken
            loss, accuracy = trainer.step()
            if step % every == 0:
                self.say(f"step {step}: loss {format_number(round(loss, 4))}, accuracy {accuracy:.0%}")
        loss, accuracy = trainer.evaluate()
        self.say(f"After {trainer.steps_taken} steps: loss {format_number(round(loss, 4))}, "
                 f"accuracy {accuracy:.0%}.")
        tutor.note_updates(trainer.steps_taken)


def steps_after_gradients(tutor: Tutor) -> bool:
    """Whether a gradients part ends with one update step shown: when the lesson gives the part its
    own update rule and the next part does not ask for that same step by hand."""
    following = tutor.lesson.parts[tutor.part_index + 1:tutor.part_index + 2]
    part = tutor.part
    return bool(part.parameters) and part.update != UpdateRule() and not (
        following and following[0].kind == "update")


def _line_reader(stream: TextIO) -> Callable[[], str]:
    """Read lines as bytes where the stream allows, so a byte the encoding cannot decode becomes
    one unreadable answer (U+FFFD) instead of an error that throws away the buffered lines after it."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return stream.readline
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return lambda: buffer.readline().decode(encoding, "replace")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def run_plain(catalog: Catalog, lesson_id: str | None, store: ProgressStore | None, seed: int | None = None, *,
              stdin: TextIO, stdout: TextIO) -> int:
    """Run the tutor in line mode: one lesson (`lesson_id`) or the menu of lessons when None.

    `store` is a loaded ProgressStore (None: nothing is saved). Returns the exit status: 0 when the
    learner is done or input ends (progress saved), 1 when there are no lessons, 2 for an unknown id.
    """
    session = PlainTutor(catalog, store, seed, stdin, stdout)
    lesson = catalog.find(lesson_id) if lesson_id is not None else None
    if lesson_id is not None and lesson is None:
        known = ", ".join(item.id for item in catalog.lessons) or "none"
        session.say(f"No lesson called '{lesson_id}'. Lessons: {known}.")
        return 2
    session.warn()
    if not catalog.lessons:
        for error in catalog.broken:
            session.say(f"Unavailable: {error}")
        session.say("There are no lessons to run.")
        return 1
    try:
        if lesson is not None:
            session.run_lesson(lesson)
        else:
            while (lesson := session.choose()) is not None:
                session.run_lesson(lesson)
                session.say()
    except Stop:
        pass
    except KeyboardInterrupt:  # Ctrl+C at a prompt: the same as quit, with the shell's status for it
        session.say()
        session.close()
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): keep the work, there is no one to tell
        if session.tutor is not None:
            session.tutor.save()
        return 0
    session.close()
    return 0


HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE)
INLINE = (
    (re.compile(r"\[([^\]]+)\]\(([^)]+)\)"), r"\1 (\2)"),  # a link: its text, then the address
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis, not `a * b`
)


def markdown_to_text(markdown: str) -> str:
    """Lesson Markdown as plain lines: no `#`, `**` or backticks; bullets and numbering kept."""
    text = "\n".join(line for line in markdown.strip().splitlines() if not line.lstrip().startswith("```"))
    text = BULLET.sub(r"\1- ", HEADING.sub(r"\1", text))
    pieces = re.split(r"`([^`\n]*)`", text)  # odd pieces are code: their `*` stays multiplication
    for index in range(0, len(pieces), 2):
        for pattern, replacement in INLINE:
            pieces[index] = pattern.sub(replacement, pieces[index])
    return "".join(pieces)
