"""Line mode (`tui-grad --plain`): the same lessons as prompts on standard output and answers on
standard input, for screen readers, braille displays, `TERM=dumb` and scripts.

This module renders a `LessonSession` as lines and types its actions as commands; every decision
(what comes next, which actions are possible, every sentence about the lesson) is the session's,
exactly as in the full-screen app. No colour, no cursor movement: each line stands on its own.
"""

from __future__ import annotations

import math
import re
import shutil
import textwrap
from collections.abc import Callable
from typing import TextIO

from tui_grad.core.activity import Activity
from tui_grad.core.catalog import Catalog
from tui_grad.core.diagnosis import symbol
from tui_grad.core.exercise import format_number
from tui_grad.core.flow import (
    ACTION_WORDS,
    BACKWARD,
    FINISHED,
    INTRO,
    OUTRO,
    PAGE,
    RUN,
    LessonSession,
)
from tui_grad.core.formula import formula_lesson
from tui_grad.core.home import (
    ENTRY_SUMMARIES,
    ENTRY_TITLES,
    FORMULA,
    PRACTICE,
    REVIEW,
    FieldError,
    due_for_review,
    group_headings,
    part_summary,
    practice_status,
    read_formula,
    resume_index,
    review_due,
    summary_text,
)
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.kinds.train import TrainFlow
from tui_grad.core.lesson import Lesson
from tui_grad.core.parts import ANSWERING, WATCH
from tui_grad.core.practice import PracticeRun
from tui_grad.core.progress import ProgressStore, exit_status
from tui_grad.core.safe_text import safe_text
from tui_grad.core.views import (
    ANSWER,
    CONTINUE,
    HINT,
    KEY_GUIDE,
    LEAVE,
    NUDGE,
    RESTART,
    REVEAL,
    SKIP,
    UPDATE,
    Line,
    Message,
    name_keys,
)

COMMANDS = {HINT: "hint", NUDGE: "nudge", REVEAL: "show", UPDATE: "update", CONTINUE: "Enter",
            RESTART: "restart", LEAVE: "lessons"}
"""The typed command of each action: what line mode says wherever the app names a key."""


def command(action: str) -> str:
    """What line mode types for `action`, for a key a text names as `{{key:action}}`."""
    return COMMANDS.get(action, action)
TYPED = {"hint": HINT, "nudge": NUDGE, "show": REVEAL, "reveal": REVEAL, "update": UPDATE, "u": UPDATE,
         "": CONTINUE, "continue": CONTINUE, "next": CONTINUE, "restart": RESTART, "lessons": LEAVE,
         "back": LEAVE}
MAX_LINE = 4096
"""Characters read from one input line; a longer line is refused without being kept in memory."""

HELP_COMMANDS = (
    ("hint", "the next hint (the fourth shows the answer, marked as shown)"),
    ("show", "show this answer (marked as shown, not earned)"),
    ("nudge [h]", "move this node by h and run forward again (each nudge a smaller h)"),
    ("lessons", "back to the list of lessons; progress is saved and you resume here"),
    ("help", "this list"),
    ("quit", "stop here; progress is saved and you resume at this question"),
)
"""Line mode's commands at a question, for `help`; nudge is listed only where the question has one."""


def help_text(session: LessonSession) -> str:
    """What `help` prints at a question: what an answer to it is, and the commands open here."""
    rows = [f"Type your answer: {session.answer_form}.", "Commands:"]
    rows += [f"  {command:<10} {words}" for command, words in HELP_COMMANDS
             if command != "nudge [h]" or NUDGE in session.allowed]
    return "\n".join(rows)

KEYS_NOTE = "Where the lesson says Ctrl+N, type nudge; for Ctrl+G, type hint; for Ctrl+R, type show."

ASCII_FALLBACK = str.maketrans({"·": "*", "×": "x", "←": "<-", "→": "->", "−": "-", "²": "^2", "∂": "d",
                                "✓": "+", "✗": "x", "●": "#", "○": "o", "▶": ">"})
"""For an output that cannot encode the core's math symbols (a 7-bit terminal)."""


class Stop(Exception):
    """The learner typed `quit` or input ended: save and leave."""


class PlainTutor:
    """One line-mode session: lesson menu, then each lesson's session rendered as lines."""

    def __init__(self, catalog: Catalog, store: ProgressStore | None, seed: int | None,
                 stdin: TextIO, stdout: TextIO) -> None:
        self.catalog, self.store, self.seed = catalog, store, seed
        self.stdin, self.stdout = stdin, stdout
        self.session: LessonSession | None = None
        self.warned: set[str] = set()
        self.echo = not _isatty(stdin)
        self.width = shutil.get_terminal_size((0, 0)).columns if _isatty(stdout) else 0
        """Wrap prose to this many columns (a terminal's width); 0 keeps a paragraph on one line."""
        self.read_line = _line_reader(stdin)
        self.shown: Message = ()
        """The message printed last, so a replay's end adds only what is new."""
        self.formula_fields = ("", "")
        """The formula and values typed last, offered again (Enter keeps them)."""
        self.activity = Activity(store.folder if store is not None else None)
        """Marks the learner active on every line, for the class view's "last active"."""

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
            self.activity.mark()  # a clock reading a line; the file is touched at most once a minute
            if line is None:
                self.say()
                self.say(f"That line was over {MAX_LINE} characters long and was not read.")
                continue
            if not line:
                self.say()
                raise Stop
            if self.echo:  # from a pipe or a file nothing shows what was typed
                self.say(safe_text(line.rstrip("\r\n")))  # escapes shown as glyphs, never obeyed
            return line.strip()

    def _write(self, text: str) -> None:
        try:
            self.stdout.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self.stdout, "encoding", None) or "ascii"
            self.stdout.write(text.translate(ASCII_FALLBACK).encode(encoding, "replace").decode(encoding))

    def show(self, message: Message) -> None:
        """A session message as lines: marks as words, actions as commands, Markdown as text."""
        for row in message:
            self.say(self.render(row))
        self.shown = message

    def render(self, row: Line) -> str:
        """One line of a message as plain text."""
        if row and row[0].text == KEY_GUIDE:
            commands = [COMMANDS[span.text] for span in row if span.role == "key"]
            return f"Type your answer, or {', '.join(commands)} (help says more)."
        pieces = []
        for span in row:
            if span.role in ("right", "wrong", "shown", "unread"):
                word = span.text.strip(" :✓✗~?")
                pieces.append(f"{word}.\n" if word else "")
            elif span.role == "key":
                pieces.append(COMMANDS.get(span.text, span.text))
            elif span.role == "prose":
                pieces.append(self.prose(name_keys(span.text, command)))
            else:
                pieces.append(name_keys(span.text, command))
        return "".join(pieces)

    def prose(self, markdown: str) -> str:
        """Lesson Markdown as plain lines, wrapped to the terminal rather than the file's breaks."""
        return rewrap(markdown_to_text(markdown), self.width)

    def warn(self) -> None:
        """Say, once each, any store warning and any failed save."""
        sentences = list(self.store.warnings if self.store else [])
        if self.session is not None and self.session.tutor.problem:
            sentences.append(self.session.tutor.problem)
        for sentence in sentences:
            if sentence not in self.warned:
                self.warned.add(sentence)
                self.say(f"Warning: {sentence}")

    def close(self) -> int:
        """Save once more, say where progress stands, and return the exit status (not 0 when
        progress could not be saved)."""
        if self.session is not None:
            self.session.leave()
            self.warn()
        status = exit_status(self.store)
        if self.store is None:
            self.say("Progress is not saved in this session.")
        elif status or (self.session is not None and self.session.tutor.problem):
            self.say("Progress could not be saved (see the warning above).")
        else:
            self.say(f"Progress is saved in {self.store.path}.")
        return status

    # --- choosing a lesson ----------------------------------------------------------------

    def choose(self) -> Lesson | str | None:
        """List the lessons with their state, practice and the own formula, what is due for review,
        and the lesson to go on with; read a number, an id, p, f or Enter (that lesson). Returns the
        lesson, PRACTICE, FORMULA or REVIEW, or None for `q`."""
        lessons = self.catalog.lessons
        records = self.store.lessons if self.store else {}
        history = self.store.history if self.store else None
        self.say("Lessons:")
        headings = group_headings(lessons)
        for number, lesson in enumerate(lessons, start=1):
            if number - 1 in headings:
                self.say(f"{headings[number - 1]}:")
            self.say(f"{number}. {lesson.title} ({lesson.id}): {summary_text(lesson.summary)} "
                     f"[{part_summary(lesson, records.get(lesson.id))}]")
        for error in self.catalog.broken:
            self.say(f"Unavailable: {error}")
        self.say(f"p. {ENTRY_TITLES[PRACTICE]}: {ENTRY_SUMMARIES[PRACTICE]} [{practice_status(history)}]")
        self.say(f"f. {ENTRY_TITLES[FORMULA]}: {summary_text(ENTRY_SUMMARIES[FORMULA])}")
        if due := due_for_review(history):
            self.say(f"{due} Practice (p) takes them first.")
        if review := review_due(history):
            self.say(f"r. {review}: a short review on fresh numbers.")
        index = resume_index([lesson.id for lesson in lessons], records) if lessons else None
        suggested = lessons[index] if index is not None else None
        offer = f", Enter for {index + 1}. {suggested.title}" if suggested is not None and index is not None else ""
        while True:
            choice = self.ask(f"Lesson number or id (1 to {len(lessons)}, p, f{offer}, q to quit): ")
            if choice.lower() in ("q", "quit", "exit"):
                return None
            if choice.lower() in ("p", "practice"):
                return PRACTICE
            if choice.lower() in ("f", "formula"):
                return FORMULA
            if choice.lower() in ("r", "review"):
                return REVIEW
            if not choice and suggested is not None:
                return suggested
            if choice.isdigit() and 1 <= int(choice) <= len(lessons):
                return lessons[int(choice) - 1]
            if (found := self.catalog.find(choice)) is not None:
                return found
            if choice:
                self.say(f"No lesson '{choice}'. Type a number from 1 to {len(lessons)}, an id, p, f or q.")

    def run_review(self) -> None:
        """A short review of the weakest skill (see core/review.py), or why there is none."""
        from tui_grad.core.review import offer_review

        offer = offer_review(self.catalog, self.store.history if self.store else None)
        if offer.lesson is None:
            self.say(offer.message)
            return
        self.run_session(LessonSession(offer.lesson, self.store, review=offer.skill))

    def ask_formula(self) -> tuple[str, dict[str, float]] | None:
        """Read a formula and its values, saying what is wrong and where (a caret under the column)
        until both can be worked; Enter keeps what was typed last time; None for an empty first try."""
        formula, values = self.formula_fields
        while True:
            keep = f" (Enter keeps {formula})" if formula else ""
            formula = self._field(f"Formula, like (x+2)**2 + x**3{keep}: ") or formula
            if not formula or formula in ("lessons", "back"):
                return None
            keep = f" (Enter keeps {values})" if values else ""
            values = self._field(f"Values, like x=5{keep}: ") or values
            self.formula_fields = (formula, values)
            result = read_formula(formula, values)
            if not isinstance(result, FieldError):
                return formula, result
            text, message = result.pointer(safe_text(formula if result.field == FORMULA else values))
            label = "Formula" if result.field == FORMULA else "Values"
            if text:
                self.say(f"{label}: {text}")
                self.say(" " * (len(label) + 2) + message)
            else:
                self.say(f"{label}: {message}")

    def _field(self, prompt: str) -> str:
        """One field of the formula form; quit stops as at any question."""
        typed = self.ask(prompt)
        if typed.lower() in ("quit", "exit"):
            raise Stop
        return typed

    # --- one lesson ------------------------------------------------------------------------

    def run_lesson(self, lesson: Lesson) -> bool:
        """Work through a lesson from where the learner stands, to its recap; False when the learner
        went back to the lessons before."""
        return self.run_session(LessonSession(lesson, self.store, self.seed))

    def run_session(self, session: LessonSession | None) -> bool:
        """Render a session until the learner leaves or reads its recap; then its successor (the
        next practice exercise), if it has one. False when the learner went back to the lessons."""
        while session is not None:
            if not self.render_session(session):
                return False
            session = session.successor()
        return True

    def render_session(self, session: LessonSession) -> bool:
        """One session, phase by phase; False when the learner chose to leave."""
        self.session = session
        lesson = session.lesson
        self.say(session.title)
        if session.resumed:
            self.say(self.resume_line(session))
        if any(kind_of(part).asks for part in lesson.parts):
            self.say("Type help at any question for the commands.")
        self.warn()
        shown_part = -1 if session.phase in (INTRO, FINISHED) else None
        while not session.over:
            if session.screen == PAGE:  # the introduction and the recap read on; a finished lesson asks
                self.show(session.message)
                # practice's summary offers the next exercise: it waits for Enter, as it says
                if CONTINUE not in session.allowed or (session.phase == OUTRO and session.context is not None):
                    if self.choose_next(session) == LEAVE:
                        return False
                    continue
                session.act(CONTINUE)
                if session.over and session.context is None:
                    self.say(f"Lesson finished: {lesson.title}.")
                continue
            if shown_part != session.part_index:
                shown_part = session.part_index
                self.part_header(session)
            if session.phase == ANSWERING:
                if not self.answer_questions(session):
                    return False
            elif session.screen == RUN and session.phase == WATCH:
                show_run(self, session)
            elif session.replay is not None and not session.replay.done:
                self.replay(session)
            elif self.choose_next(session) == LEAVE:
                return False
            self.warn()
        return True

    def resume_line(self, session: LessonSession) -> str:
        """`Resuming at part 1 of 1, question dL/da.`"""
        where = f"Resuming at part {session.part_index + 1} of {len(session.lesson.parts)}"
        return f"{where}, question {session.prompt}." if session.asked else f"{where}."

    def part_header(self, session: LessonSession) -> None:
        """A part's number and title, its text, and the graph as lines."""
        part, count = session.tutor.part, len(session.lesson.parts)
        self.say()
        if count > 1:
            self.say(f"Part {session.part_index + 1} of {count}: {part.title}")
        self.show(session.message)
        if "Ctrl+" in part.text + (session.lesson.intro if session.part_index == 0 else ""):
            self.say(KEYS_NOTE)
        self.show_graph(session)

    def show_graph(self, session: LessonSession) -> None:
        """The graph as lines: the inputs with their values, then `e = a * b = -6` per node, and the
        gradients given for this part."""
        part = session.tutor.part
        if not session.flow.asks:
            return
        values = session.values
        if not part.assignments:  # no graph (rules written as code): the flow's picture stands in
            return
        self.say("Inputs: " + ", ".join(f"{name} = {format_number(values[name])}" for name in part.inputs
                                        if name in values))
        for assignment in part.assignments:
            self.say(f"{assignment.text} = {format_number(values[assignment.name])}")
        given = [node for node in session.nodes() if node.state in ("given", "asked") and node.grad]
        if given:
            out = part.output
            # d(a * b): a hidden node's name is a formula, and dd/da * b reads as a product
            self.say("Gradients given: " + ", ".join(f"d{out}/d{symbol(node.name)} = {node.grad}" for node in given))
        if note := session.flow.graph_note():
            self.say(note)

    def answer_questions(self, session: LessonSession) -> bool:
        """Ask each question until it is answered or shown, taking commands on the way; False when
        the learner went back to the lessons."""
        asked = None
        table: tuple = ()  # the nudge table last printed, which a wrong answer's verdict repeats
        while session.phase == ANSWERING:
            name = session.asked
            if name != asked:
                asked, table = name, ()
                order = session.flow.exercise.order
                self.say(f"Question {order.index(name) + 1} of {len(order)}.")
                if not session.tutor.part.assignments:  # no graph: the picture of what is being written
                    for row in session.flow.picture(session.values):
                        self.say(row)
            text = self.ask(session.prompt_line + " ")
            if len(text) > 200:
                self.say("That answer is over 200 characters long; type a shorter one.")
                continue
            command, _, argument = text.partition(" ")
            command = command.lower()
            if not text:
                continue
            if command in ("quit", "exit"):
                raise Stop
            if command in ("help", "?"):
                self.say(help_text(session))
                continue
            action = TYPED.get(command)
            if action == LEAVE:
                session.act(LEAVE)
                return False
            if action == NUDGE and NUDGE not in session.allowed:
                self.say(f"Nudging is for gradients and slopes; here, type {session.answer_form}.")
                continue
            if action == NUDGE:
                h = _read_h(argument.strip())
                if h is None:
                    self.say(f"Could not use '{argument.strip()}' as h: type a small non-zero number, like "
                             "nudge 0.01.")
                    continue
                session.act(NUDGE, h or None)
                table = session.message
                self.show(table)
                self.warn()
                continue
            elif action in (HINT, REVEAL):
                session.act(action)
            else:  # anything else typed at a question is an answer
                session.act(ANSWER, text)
            message = session.message
            repeated = bool(table) and message[-len(table):] == table  # the app keeps it in view; here it is above
            self.show(message[:-len(table)] if repeated else message)
            if repeated:
                self.say("(Your nudges so far are printed above.)")
            self.warn()
        return True

    def replay(self, session: LessonSession) -> None:
        """A replay all at once: the backward pass step by step, or an update and its forward pass."""
        assert session.replay is not None
        if session.replay.kind == BACKWARD:
            self.say()
            self.say(f"{session.subtitle[:1].upper()}{session.subtitle[1:]}, one edge at a time:")
            while not session.replay.done:
                session.advance()
                first, *rest = session.message[len(session.lead):]  # the lead was printed with the part
                if session.replay.done:  # the tick after the last step: the summary below the step printed
                    self.show(tuple(rest[1:]))
                    break
                self.say(f"{session.replay.position}. {self.render(first)}")
                self.show(tuple(rest[:1]))
            return
        while not session.replay.done:
            session.advance()
        already = set(self.shown)  # the verdict and the moves, when an answer set the step off
        self.show(tuple(row for row in session.message if row not in already))
        update = session.updates[-1]
        out = session.tutor.part.output
        self.say(f"With every parameter moved, {out} goes from {format_number(update.output_before)} to "
                 f"{format_number(update.output_after)}.")

    def choose_next(self, session: LessonSession) -> str:
        """Between steps, offer what the session allows: Enter to continue, update, lessons."""
        choices = [a for a in session.allowed if a in COMMANDS]
        words = ", ".join(f"{COMMANDS[a]} to {ACTION_WORDS[a]}" if a != CONTINUE else "Enter to continue"
                          for a in choices)
        while True:
            typed = self.ask(f"({words}) ").lower()
            if typed in ("quit", "exit", "q"):
                raise Stop
            action = TYPED.get(typed)
            if action not in choices:
                names = (COMMANDS[a] if a != CONTINUE else "nothing (Enter)" for a in choices)
                self.say(f"Type one of: {', '.join(names)}.")
                continue
            session.act(action)
            return action


# --- a training run ---------------------------------------------------------------------------

def show_run(plain: PlainTutor, session: LessonSession) -> None:
    """A part to watch train: line mode has no animation, so it skips to the end like S in the app
    and prints the run's own account of it (a row every tenth of the way, then where it ended)."""
    flow = session.flow
    assert isinstance(flow, TrainFlow)
    session.act(SKIP)
    run = flow.run(session.inputs)
    for text in run.report(flow.report_every()):
        plain.say(text)
    session.painted(run.frame())


def _read_h(argument: str) -> float | None:
    """h typed after `nudge`: 0.0 for none (the next on the ladder), None when it is no usable number."""
    if not argument:
        return 0.0
    try:
        h = float(argument)
    except ValueError:
        return None
    return h if math.isfinite(h) and h != 0 else None


def _line_reader(stream: TextIO) -> Callable[[], str | None]:
    """Read one line of at most MAX_LINE characters; None for a longer one (the rest of it is read
    and dropped in pieces, never held whole). Bytes the encoding cannot decode become U+FFFD, one
    unreadable answer, instead of an error that throws away the buffered lines after it."""
    buffer = getattr(stream, "buffer", None)
    encoding = getattr(stream, "encoding", None) or "utf-8"

    def read() -> str:
        return buffer.readline(MAX_LINE + 1).decode(encoding, "replace") if buffer else stream.readline(MAX_LINE + 1)

    def read_line() -> str | None:
        line = read()
        if len(line) <= MAX_LINE or line.endswith("\n"):
            return line
        while line and not line.endswith("\n"):
            line = read()
        return None

    return read_line


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
    try:
        return _run(session, catalog, lesson_id)
    except KeyboardInterrupt:  # Ctrl+C at a prompt: the same as quit, with the shell's status for it
        session.say()
        session.close()
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): keep the work, there is no one to tell
        if session.session is not None:
            session.session.leave()
        silence_closed_stdout(stdout)
        return 0


def run_plain_series(first: Callable[[], LessonSession], store: ProgressStore | None, *, stdin: TextIO,
                     stdout: TextIO) -> int:
    """Line mode for sessions made in code (practice, a learner's own formula), each followed by
    its successor, until input ends or the learner types quit; returns the exit status."""
    plain = PlainTutor(Catalog((), ()), store, None, stdin, stdout)
    try:
        plain.warn()
        plain.run_session(first())
    except Stop:
        pass
    except KeyboardInterrupt:
        plain.say()
        plain.close()
        return 130
    except BrokenPipeError:
        if plain.session is not None:
            plain.session.leave()
        silence_closed_stdout(stdout)
        return 0
    return plain.close()


def _run(session: PlainTutor, catalog: Catalog, lesson_id: str | None) -> int:
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
        if lesson is None or not session.run_lesson(lesson):  # a lesson left for the lessons: the menu
            while (choice := session.choose()) is not None:
                if choice == PRACTICE:
                    session.run_session(PracticeRun(session.store).session())
                elif choice == REVIEW:
                    session.run_review()
                elif choice == FORMULA:
                    typed = session.ask_formula()
                    if typed is not None:
                        formula, values = typed
                        session.run_session(LessonSession(formula_lesson(formula, values), session.store,
                                                          transient=True, extra={"formula": formula}))
                elif isinstance(choice, Lesson):
                    session.run_lesson(choice)
                session.say()
    except Stop:
        pass
    return session.close()


def silence_closed_stdout(stdout: TextIO) -> None:
    """After a closed pipe, point the real standard output at /dev/null, so the interpreter's last
    flush at exit does not print a BrokenPipeError of its own."""
    import os
    import sys

    if stdout is sys.stdout:
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
        except (OSError, ValueError):
            pass


HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE)
INLINE = (
    (re.compile(r"\[([^\]]+)\]\(([^)]+)\)"), r"\1 (\2)"),  # a link: its text, then the address
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis, not `a * b`
)


def markdown_to_text(markdown: str) -> str:
    """Lesson Markdown as plain lines: no `#`, `**` or backticks; bullets and numbering kept. The
    lines of a fenced code block are kept as written, each marked with CODE_LINE for `rewrap`."""
    out: list[str] = []
    prose: list[str] = []
    fenced = False
    after_blank = True
    for raw in markdown.strip("\n").splitlines():
        indented = raw.startswith("    ") and raw.strip() and (after_blank or (out and out[-1].startswith(CODE_LINE)
                                                                              and not prose))
        after_blank = not raw.strip()
        if indented and not fenced:  # an indented code block: its lines kept, like a fenced one
            if prose:
                out.append(_plain_prose("\n".join(prose)))
                prose = []
            out.append(CODE_LINE + raw[4:].rstrip())
        elif raw.lstrip().startswith("```"):
            if not fenced and prose:
                out.append(_plain_prose("\n".join(prose)))
                prose = []
            fenced = not fenced
        elif fenced:
            out.append(CODE_LINE + raw.rstrip())
        else:
            prose.append(raw)
    if prose:
        out.append(_plain_prose("\n".join(prose)))
    return "\n".join(out)


CODE_LINE = "\x00"
"""Marks a line of a code block, which `rewrap` leaves as it is (a lesson's text never holds NUL)."""


def _plain_prose(text: str) -> str:
    text = BULLET.sub(r"\1- ", HEADING.sub(r"\1", text))
    pieces = re.split(r"`([^`\n]*)`", text)  # odd pieces are code: their `*` stays multiplication
    for index in range(0, len(pieces), 2):
        for pattern, replacement in INLINE:
            pieces[index] = pattern.sub(replacement, pieces[index])
    return "".join(pieces)


ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def rewrap(text: str, width: int) -> str:
    """Join each paragraph's (and each list item's) lines into one, then wrap it to `width` columns
    (0: leave it one line, for screen readers and scripts). Words are never split."""
    blocks: list[list[str]] = []
    for raw in text.splitlines():
        if raw.startswith(CODE_LINE):  # a line of code: its own block, never joined or wrapped
            blocks.append([raw])
        elif not raw.strip():
            blocks.append([])
        elif ITEM.match(raw) or not blocks or not blocks[-1] or blocks[-1][0].startswith(CODE_LINE):
            blocks.append([raw.rstrip()])
        else:
            blocks[-1].append(raw.strip())
    lines = []
    for block in blocks:
        if not block:
            lines.append("")
            continue
        joined = " ".join(block)
        if joined.startswith(CODE_LINE):
            lines.append("    " + joined[1:])
            continue
        if width <= 20:
            lines.append(joined)
            continue
        indent = " " * (len(item.group(0)) if (item := ITEM.match(joined)) else 0)
        lines.extend(textwrap.wrap(joined, width - 1, subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False) or [""])
    return "\n".join(lines).strip("\n")
