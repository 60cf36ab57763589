"""The `tui-grad` command: the tutor itself, and `list`, `trace` and `check` for the shell.

Textual is imported only when the full-screen app starts, so the shell commands stay quick.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tui_grad.core.catalog import Catalog, check_lesson_files, load_catalog, shipped_lessons_dir
from tui_grad.core.lesson import COMMAND_NAMES, Lesson
from tui_grad.core.safe_text import csv_cell, safe_data, safe_text, utc_time
from tui_grad.terminal import served

if TYPE_CHECKING:  # the app and the store load only for the commands that need them
    from tui_grad.core.progress import LessonProgress, ProgressStore
    from tui_grad.ui.app import TuiGradApp

COMMANDS = tuple(name for name in COMMAND_NAMES if name in ("list", "trace", "check", "progress", "reset", "practice"))
"""The sub-commands this version runs; core's COMMAND_NAMES also holds those planned, which no lesson id may take."""


def build_parser() -> argparse.ArgumentParser:
    """The command line: `tui-grad [LESSON]` starts the tutor; the sub-commands print."""
    parser = argparse.ArgumentParser(
        prog="tui-grad",
        description="A terminal tutor for backpropagation. With no command, starts the tutor.",
        epilog="commands: list (the lessons), practice (fresh exercises at your level; --formula F --values V "
        "works your own formula), progress (where you stand; --export for instructors), "
        "reset [LESSON] (start over), trace LESSON (a lesson's numbers), check PATH... (validate lesson "
        "files), serve --roster FILE (the lab in browsers), class DIR (the class at a glance). "
        "'tui-grad COMMAND --help' says more.",
    )
    parser.add_argument("lesson", nargs="?", help="open this lesson straight away (an id from 'tui-grad list')")
    parser.add_argument("--lessons", type=Path, metavar="DIR", help="also load the lessons in DIR")
    parser.add_argument("--plain", action="store_true",
                        help="line mode: prompts on standard output, answers on standard input, no full screen "
                        "(for screen readers, braille displays and scripts; TERM=dumb picks it)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="draw fresh input values from seed N where a lesson allows it (saved with progress)")
    parser.add_argument("--theme", metavar="NAME",
                        help="a colour theme (also TUI_GRAD_THEME); ansi-dark and ansi-light use your terminal's "
                        "own palette, so high-contrast settings carry through. Ctrl+P lists them all")
    parser.add_argument("--low-bandwidth", action="store_true",
                        help="for slow links: no animation, no cursor blink, no mouse tracking "
                        "(also TUI_GRAD_LOW_BANDWIDTH=1)")
    return parser


def command_parser(command: str) -> argparse.ArgumentParser:
    """The parser of one sub-command."""
    parser = argparse.ArgumentParser(prog=f"tui-grad {command}")
    if command == "trace":
        parser.description = "Print a lesson's forward values, gradients, backward steps and updates."
        parser.add_argument("lesson", nargs="?", help="a lesson id from 'tui-grad list'")
        parser.add_argument("--formula", metavar="F", help='trace your own formula instead, like "(x+2)**2 + x**3"')
        parser.add_argument("--values", metavar="V", help="the formula's inputs, like x=5")
        parser.add_argument("--json", action="store_true", help="print JSON for scripts instead of tables")
        parser.add_argument("--steps", type=int, metavar="N",
                            help="how many update steps (the lesson's own by default)")
        parser.add_argument("--part", type=int, metavar="K", help="which part of the lesson, from 1 (the first "
                            "with a graph by default)")
    elif command == "check":
        parser.description = "Validate lesson files: every problem with file, line and what to fix."
        parser.add_argument("paths", nargs="+", type=Path, help="lesson files or folders of them")
    elif command == "progress":
        parser.description = ("Show where you stand in each lesson, your skills, and where progress is saved; "
                              "or export every answer for an instructor.")
        parser.add_argument("--export", choices=EXPORT_FORMATS, help="write every attempt as CSV or JSON lines")
        parser.add_argument("--output", type=Path, metavar="FILE", help="write the export to FILE (default: "
                            "standard output)")
    elif command == "practice":
        parser.description = ("Practice without end: fresh exercises at your level, chosen from your skills; "
                              "or work your own formula with --formula.")
        parser.add_argument("--level", type=int, metavar="K", help="start at level K (1, the easiest, to 10); with "
                            "--seed, the level of the one exercise to reproduce")
        parser.add_argument("--seed", type=int, metavar="N", help="with --level: reproduce that one exercise (for "
                            "instructors; nothing is saved)")
        parser.add_argument("--formula", metavar="F", help='your own formula, like "(x+2)**2 + x**3"')
        parser.add_argument("--values", metavar="V", help="its inputs, like x=5 or 'x=1, y=-2'")
        parser.add_argument("--plain", action="store_true", help="line mode, as for the tutor")
        parser.add_argument("--theme", metavar="NAME", help="a colour theme, as for the tutor")
        parser.add_argument("--low-bandwidth", action="store_true", help="for slow links, as for the tutor")
    elif command == "reset":
        parser.description = "Start over: forget the progress of one lesson, or of every lesson. Asks first."
        parser.add_argument("lesson", nargs="?", help="a lesson id from 'tui-grad list' (default: every lesson)")
        parser.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    else:
        parser.description = "List the lessons, in teaching order."
    if command != "check":
        parser.add_argument("--lessons", type=Path, metavar="DIR", help="also load the lessons in DIR")
    return parser


FORMULA_OPTIONS = ("--formula", "--values")
"""Options whose value may start with a minus sign: a formula like -x**2, values like -1."""


def _joined_values(argv: list[str]) -> list[str]:
    """`--formula -x**2` as `--formula=-x**2`: argparse takes a value starting with '-' for an option of
    its own and refuses it ('expected one argument'). A value starting with '--' stays an option."""
    joined: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        following = argv[index + 1] if index + 1 < len(argv) else None
        if word in FORMULA_OPTIONS and following is not None and following.startswith("-") \
                and not following.startswith("--"):
            joined.append(f"{word}={following}")
            index += 2
        else:
            joined.append(word)
            index += 1
    return joined


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("serve", "class"):  # the lab's commands: their own module, their own parsers
        from tui_grad.serve import run_class, run_serve

        return (run_serve if argv[0] == "serve" else run_class)(argv[1:])
    if argv and argv[0] in COMMANDS:
        args = command_parser(argv[0]).parse_args(_joined_values(argv[1:]))
        return {"list": run_list, "trace": run_trace, "check": run_check, "progress": run_progress,
                "reset": run_reset, "practice": run_practice}[argv[0]](args)
    args = build_parser().parse_args(argv)
    catalog = catalog_for(args)
    if args.lesson and catalog.find(args.lesson) is None:
        return unknown_lesson(args.lesson, catalog)
    from tui_grad.core.progress import ProgressStore

    store = ProgressStore().load()
    if args.plain or (os.environ.get("TERM") == "dumb" and not served()):
        if not args.plain:
            print("tui-grad: TERM=dumb, so the tutor runs in line mode (--plain).", file=sys.stderr)
        from tui_grad.plain import run_plain

        return run_plain(catalog, args.lesson, store, args.seed, stdin=sys.stdin, stdout=sys.stdout)
    return run_app(args, catalog, store, start_lesson=args.lesson)


def run_app(args: argparse.Namespace, catalog: Catalog, store: ProgressStore, start_lesson: str | None = None,
            start: Callable[[TuiGradApp], None] | None = None) -> int:
    """Run the full-screen tutor with the terminal options of `args`; returns the exit status."""
    low_bandwidth = args.low_bandwidth or os.environ.get("TUI_GRAD_LOW_BANDWIDTH", "") not in ("", "0")
    if low_bandwidth:
        os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from tui_grad.ui.app import TuiGradApp

    # Textual sizes the screen with shutil.get_terminal_size(), which trusts COLUMNS and LINES
    # when they are exported: stale values would pin the layout and hide every resize. Served to a
    # browser, COLUMNS is the browser's size and the only one there is.
    if not served():
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)
    app = TuiGradApp(catalog, start_lesson=start_lesson, store=store, seed=getattr(args, "seed", None),
                     low_bandwidth=low_bandwidth, start=start)
    theme = args.theme or os.environ.get("TUI_GRAD_THEME")
    if theme:
        if theme not in app.available_themes:
            names = ", ".join(sorted(app.available_themes))
            print(f"tui-grad: no theme called '{theme}'. Themes: {names}.", file=sys.stderr)
            return 2
        app.theme = theme
    app.run(mouse=not low_bandwidth)
    if app.return_code:
        return app.return_code  # Textual sets 1 when the app failed
    from tui_grad.core.progress import exit_status

    status = exit_status(store)
    if status:
        print(f"tui-grad: progress could not be saved in {safe_text(str(store.folder))}: the answers since the "
              "last save are lost.", file=sys.stderr)
    return status


def formula_from_args(args: argparse.Namespace, command: str) -> Lesson | None:
    """The lesson of `--formula` with `--values`, or None after saying what is wrong and where."""
    from tui_grad.core.formula import FormulaError, formula_lesson, parse_values

    try:
        return formula_lesson(args.formula, parse_values(args.values or ""))
    except FormulaError as error:
        print(f"tui-grad {command}: {safe_text(str(error))}", file=sys.stderr)
        return None


def run_practice(args: argparse.Namespace) -> int:
    """Endless practice at the learner's level, one exercise reproduced, or the learner's own formula."""
    from tui_grad.core.flow import LessonSession
    from tui_grad.core.generator import LEVELS
    from tui_grad.core.practice import PracticeRun
    from tui_grad.core.progress import ProgressStore

    if args.level is not None and not 1 <= args.level <= len(LEVELS):
        print(f"tui-grad practice: --level must be 1 to {len(LEVELS)}", file=sys.stderr)
        return 2
    store = ProgressStore().load()
    if args.formula is not None:
        lesson = formula_from_args(args, "practice")
        if lesson is None:
            return 2

        def first() -> LessonSession:
            return LessonSession(lesson, store, transient=True, extra={"formula": args.formula})

        def start(app: TuiGradApp) -> None:
            app.show_session(first())
    else:
        run = PracticeRun(store, args.level, args.seed)
        first = run.session

        def start(app: TuiGradApp) -> None:
            app.show_session(run.session())
    if args.plain or (os.environ.get("TERM") == "dumb" and not served()):
        from tui_grad.plain import run_plain_series

        return run_plain_series(first, store, stdin=sys.stdin, stdout=sys.stdout)
    return run_app(args, load_catalog(), store, start=start)


def catalog_for(args: argparse.Namespace) -> Catalog:
    """The shipped lessons plus any folder given with --lessons."""
    folders = [shipped_lessons_dir()]
    if getattr(args, "lessons", None):
        folders.append(args.lessons)
    return load_catalog(*folders)


def unknown_lesson(lesson_id: str, catalog: Catalog) -> int:
    """Say that a lesson id is unknown and list the ones there are."""
    known = ", ".join(lesson.id for lesson in catalog.lessons) or "none"
    print(f"tui-grad: no lesson called '{safe_text(lesson_id)}'. Lessons: {known}.", file=sys.stderr)
    return 2


def run_list(args: argparse.Namespace) -> int:
    """Print every lesson with its summary, and every broken file with its reason."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tui_grad.core.home import summary_text

    catalog = catalog_for(args)
    table = Table(title="tui-grad lessons", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("id")
    table.add_column("title")
    table.add_column("summary", overflow="fold")
    from tui_grad.core.home import group_headings

    headings = group_headings(catalog.lessons)
    for number, lesson in enumerate(catalog.lessons, start=1):  # Text: a lesson's words are never markup
        if number - 1 in headings:
            if number > 1:
                table.add_section()
            table.add_row("", "", Text(headings[number - 1], style="bold"), "")
        table.add_row(str(number), Text(lesson.id), Text(lesson.title), Text(summary_text(lesson.summary)))
    console = Console()
    console.print(table)
    for error in catalog.broken:
        console.print(f"unavailable: {error}", markup=False, highlight=False)
    return 1 if catalog.broken or not catalog.lessons else 0


def run_trace(args: argparse.Namespace) -> int:
    """Print one lesson's numbers, as tables or JSON."""
    from tui_grad.core.trace import trace

    catalog = catalog_for(args)
    if args.formula is not None:
        formula = formula_from_args(args, "trace")
        if formula is None:
            return 2
        lesson = formula
    elif args.lesson is None:
        print("tui-grad trace: name a lesson, or give --formula and --values", file=sys.stderr)
        return 2
    else:
        found = catalog.find(args.lesson)
        if found is None:
            return unknown_lesson(args.lesson, catalog)
        lesson = found
    if args.steps is not None and not 0 <= args.steps <= 100_000:
        print("tui-grad trace: --steps must be between 0 and 100000", file=sys.stderr)
        return 2
    from tui_grad.core.trace import traceable_parts

    parts = [index + 1 for index in traceable_parts(lesson)]
    if not parts:
        print(f"tui-grad trace: lesson '{lesson.id}' has nothing to trace (no part has a graph, rules or a "
              "network)", file=sys.stderr)
        return 2
    if args.part is not None and args.part not in parts:
        count = len(lesson.parts)
        which = (f"it has {count} part{'s' if count != 1 else ''}" if not 1 <= args.part <= count
                 else f"part {args.part} has no graph or network")
        print(f"tui-grad trace: lesson '{lesson.id}' has no part {args.part} to trace ({which}; parts to "
              f"trace: {', '.join(map(str, parts))})", file=sys.stderr)
        return 2
    part_index = (args.part or parts[0]) - 1
    data = trace(lesson, args.steps, part_index)
    if args.json:
        print(json.dumps(data, indent=1))
    elif "network" in data:  # a network part: its training, step by step
        print_network_trace(lesson, part_index, data)
    else:
        print_trace(lesson, part_index, data)
    return 0 if "stopped" not in data else 1


def print_network_trace(lesson: Lesson, part_index: int, data: dict) -> None:
    """A network's training as a Rich table: each step's loss and accuracy."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tui_grad.core.exercise import format_number

    network = data["network"]
    name = f"{lesson.title}, part {part_index + 1}" if len(lesson.parts) > 1 else lesson.title
    hidden = ", ".join(str(size) for size in network["hidden"])
    heading = (f"{name}: training a network with hidden layers of {hidden} on {network['samples']} points of "
               f"{network['dataset']}, step size {format_number(network['step_size'])}")
    table = Table(title="loss and accuracy measured just before each step", title_justify="left")
    for column in ("step", "loss", "accuracy"):
        table.add_column(column, justify="right")
    for step in data["steps"]:
        table.add_row(str(step["step"]), format_number(step["loss"]), f"{step['accuracy']:.0%}")
    console = Console()
    console.print(Text(heading))
    console.print(table)
    if "stopped" in data:
        console.print(Text(f"Training stopped at step {data['stopped']['step']}: {data['stopped']['reason']}"))


def print_trace(lesson: Lesson, part_index: int, data: dict) -> None:
    """The trace as Rich tables, for people."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tui_grad.core.exercise import format_number

    console = Console()
    part = lesson.parts[part_index]
    name = f"{lesson.title}, part {part_index + 1}" if len(lesson.parts) > 1 else lesson.title
    if "rules" in data:  # a rules part: each rule and the line that passes, never a learner's line run
        rules = Table(title=Text(f"{name}: backward rules, each checked at {len(data['rules'][0]['points'])} "
                                 "points with a share already in .grad"), title_justify="left")
        for column in ("rule", "op", "micrograd's line", "local slope at the first point"):
            rules.add_column(Text(column))
        for rule in data["rules"]:
            rules.add_row(Text(rule["rule"]), Text(rule["op"]), Text(rule["answer"]),
                          format_number(rule["local_grads"][0]))
        console.print(rules)
        return
    # Every cell and title is a Text: names, formulas and titles come from the lesson file, never markup.
    nodes = Table(title=Text(f"{name}: forward values and gradients"), title_justify="left")
    for column in ("node", "op", "children", "value", f"d{data['output']}/dnode"):
        nodes.add_column(Text(column), justify="right" if column in ("value",) or column.startswith("d") else "left")
    for node in data["nodes"]:
        nodes.add_row(Text(node["name"]), Text(node["op"] or "input"), Text(", ".join(node["children"])),
                      format_number(node["data"]), format_number(node["grad"]))
    console.print(nodes)
    passes = [("Backward pass, in the order the engine ran it", data["backward"])]
    if "buggy_backward" in data:  # a bug hunt: the pass with `=` comes first, as the learner watches it
        passes.insert(0, ("The buggy pass: = where += belongs", data["buggy_backward"]))
    for title, records in passes:
        lost_caption = "lost: what the child's gradient held before = overwrote it" if "lost" in records[0] else None
        steps = Table(title=title, title_justify="left", caption=lost_caption, caption_justify="left")
        columns = ("#", "step", "local", "upstream", "contribution") + (("lost",) if "lost" in records[0] else ())
        for column in columns:
            steps.add_column(column, justify="left" if column == "step" else "right")
        for number, step in enumerate(records, start=1):
            lost = (format_number(step["lost"]) if step["lost"] else "",) if "lost" in step else ()
            steps.add_row(str(number), Text(f"{step['node']} → {step['child']}"), format_number(step["local_grad"]),
                          format_number(step["upstream_grad"]), format_number(step["contribution"]), *lost)
        console.print(steps)
    if data["updates"]:
        updates = Table(title=f"Updates ({part.update.direction}, step size "
                        f"{format_number(part.update.step_size)})", title_justify="left")
        updates.add_column("step", justify="right")
        updates.add_column("parameters")
        updates.add_column(Text(data["output"]), justify="right")
        for update in data["updates"]:
            params = "  ".join(f"{name}={format_number(value)}" for name, value in update["params"].items())
            updates.add_row(str(update["step"]), Text(params), format_number(update["output"]))
        console.print(updates)


def run_check(args: argparse.Namespace) -> int:
    """Validate lesson files; print each problem with file and line; non-zero when any is broken.

    Besides what loading refuses, `check` reports control characters (shown as glyphs when the lesson
    is used) and an id that another checked file, or a shipped lesson in another file, already has."""
    checked = check_lesson_files(args.paths, load_catalog())
    if not checked:
        paths = ", ".join(safe_text(str(path)) for path in args.paths)
        print(f"tui-grad check: no lesson files found in {paths}", file=sys.stderr)
        return 2
    for result in checked:
        for problem in result.problems:
            print(f"✗ {problem}")
        if result.lesson is not None and not result.problems:
            print(f"✓ {safe_text(str(result.path))}: lesson '{result.lesson.id}' is fine")
    broken = sum(1 for result in checked if result.problems)
    print(f"{len(checked) - broken} fine, {broken} broken")
    return 1 if broken else 0


# --- progress and reset ------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "jsonl")
EXPORT_COLUMNS = ("time", "lesson", "part", "node", "kind", "text", "value", "result", "mistake", "hints",
                  "skills", "seed", "level", "practice_skill", "formula")
def load_progress():
    """The learner's saved progress, with any warning about the file said on standard error."""
    from tui_grad.core.progress import ProgressStore

    store = ProgressStore().load()
    for warning in store.warnings:
        print(f"tui-grad: {safe_text(str(warning))}", file=sys.stderr)
    return store


def lesson_state(lesson: Lesson | None, record: LessonProgress | None) -> str:
    """Where a learner stands in a lesson, in a few words: not started, part k of n, finished."""
    if record is None or not record.started:
        return "not started"
    if record.finished:
        return "finished"
    count = len(getattr(lesson, "parts", None) or ())
    number = record.part + 1
    return f"part {min(number, count)} of {count}" if count else f"part {number}"


def run_progress(args: argparse.Namespace) -> int:
    """Show lessons, skills and the progress file; or export every attempt for an instructor."""
    if args.output and not args.export:
        print("tui-grad progress: --output goes with --export csv or --export jsonl", file=sys.stderr)
        return 2
    store = load_progress()
    if args.export:
        return export_attempts(store.each_attempt(), args.export, args.output)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tui_grad.core.skills import SKILLS

    catalog = catalog_for(args)
    lessons = Table(title="Your lessons", title_justify="left")
    for column in ("#", "id", "title", "state"):
        lessons.add_column(column, justify="right" if column == "#" else "left")
    for number, lesson in enumerate(catalog.lessons, start=1):  # Text: lesson words are never markup
        lessons.add_row(str(number), Text(lesson.id), Text(lesson.title),
                        lesson_state(lesson, store.lessons.get(lesson.id)))
    known = {lesson.id for lesson in catalog.lessons}
    for lesson_id, record in sorted(store.lessons.items()):
        if lesson_id not in known and record.started:  # an id from the progress file: made safe here too
            lessons.add_row("", Text(safe_text(lesson_id)), "(lesson not installed)", lesson_state(None, record))
    skills = Table(title="Your skills (the last 5 tries at each; right means first time, no hint)",
                   title_justify="left")
    for column in ("skill", "what it is", "right", "level", "state"):
        skills.add_column(column, justify="right" if column in ("right", "level") else "left",
                          overflow="fold")
    for skill, known_skill in store.history.mastery().items():
        state = "✓ mastered" if known_skill.mastered else "practising" if known_skill.practised else "not tried"
        skills.add_row(skill, SKILLS[skill], f"{known_skill.correct} of {known_skill.recent}",
                       f"{known_skill.level:.0%}", state)
    console = Console()
    console.print(lessons)
    console.print(skills)
    review = store.history.to_review()
    if review:
        console.print(f"To review next time: {', '.join(review)}.", markup=False, highlight=False)
    where = store.path if store.path.exists() else f"{store.path} (nothing saved yet)"
    console.print(f"Progress file: {safe_text(str(where))}", markup=False, highlight=False)
    return 0


def export_attempts(attempts: Iterable[dict], export_format: str, output: Path | None) -> int:
    """Write every attempt as CSV (with a header row) or JSON lines, to a file or standard output,
    one at a time as they are read (a long log is never held whole).

    Practice answers carry their level, seed and skill, a learner's own formula its formula. A
    reader that goes away (`| head`) ends the export quietly, with status 0."""
    import contextlib
    import csv

    written = 0
    try:
        with contextlib.ExitStack() as stack:
            stream = (stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
                      if output else sys.stdout)
            if export_format == "csv":
                writer = csv.writer(stream)
                writer.writerow(EXPORT_COLUMNS)
                for attempt in attempts:
                    written += 1
                    result = "shown" if attempt["shown"] else "right" if attempt["correct"] else "wrong"
                    value = "" if attempt["value"] is None else repr(attempt["value"])
                    writer.writerow([
                        csv_cell(utc_time(attempt["at"])), csv_cell(attempt["lesson"]), attempt["part"],
                        csv_cell(attempt["node"]), csv_cell(attempt["kind"]), csv_cell(attempt["text"]), value,
                        result, csv_cell(attempt["mistake"]), attempt["hints"], csv_cell(" ".join(attempt["skills"])),
                        "" if attempt["seed"] is None else attempt["seed"],
                        csv_cell(attempt.get("level")),
                        csv_cell(attempt.get("practice_skill")), csv_cell(attempt.get("formula"))])
            else:
                for attempt in attempts:
                    written += 1
                    # Controls as glyphs rather than ensure_ascii's \u escapes: readable as `class --export`
                    # is, and still safe once a reader decodes the JSON and prints a field.
                    record = safe_data({"time": utc_time(attempt["at"]), **attempt})
                    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            stream.flush()
    except BrokenPipeError:
        if output is None:  # the reader went away: a quiet exit, as for any command-line tool
            _quiet_stdout()
            return 0
        print(f"tui-grad progress: cannot write {output}: the pipe was closed", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"tui-grad progress: cannot write {output or 'to standard output'}: {error.strerror or error}",
              file=sys.stderr)
        return 1
    if output:
        print(f"tui-grad: wrote {written} attempts to {output}", file=sys.stderr)
    return 0


def _quiet_stdout() -> None:
    """Point standard output at /dev/null after a closed pipe (see plain.silence_closed_stdout)."""
    from tui_grad.plain import silence_closed_stdout

    silence_closed_stdout(sys.stdout)


def run_reset(args: argparse.Namespace) -> int:
    """Forget one lesson's progress (or every lesson's) after asking; --yes does not ask."""
    store = load_progress()
    if args.lesson:
        lesson = catalog_for(args).find(args.lesson)
        record = store.lessons.get(args.lesson)
        tried = any(attempt["lesson"] == args.lesson for attempt in store.attempts)
        if lesson is None and record is None and not tried:
            return unknown_lesson(args.lesson, catalog_for(args))
        what = f"'{lesson.title}' ({args.lesson})" if lesson else f"'{args.lesson}'"
        anything = tried or (record is not None and record.started)
    else:
        what = "every lesson"
        anything = bool(store.attempts) or any(record.started for record in store.lessons.values())
    if not anything and not store.warnings:  # with a warning, the save below says what stops it
        print(f"Nothing to reset: there is no saved progress for {what if args.lesson else 'any lesson'}.")
        return 0
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            print("tui-grad reset: cannot ask for confirmation without a terminal; add --yes to reset "
                  "without asking.", file=sys.stderr)
            return 2
        try:
            reply = input(f"Reset progress for {what}? [y/N] ")
        except (EOFError, KeyboardInterrupt):
            reply = ""
            print()
        if reply.strip().lower() not in ("y", "yes"):
            print("Nothing was reset.")
            return 1
    store.reset(args.lesson or None)
    problem = store.save()
    if problem:
        print(f"tui-grad reset: {problem}", file=sys.stderr)
        return 1
    print(f"Progress for {what} is reset: it starts afresh next time.")
    return 0
