"""The `tui-grad` command: the tutor itself, and `list`, `trace` and `check` for the shell.

Textual is imported only when the full-screen app starts, so the shell commands stay quick.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tui_grad.core.catalog import Catalog, load_catalog, shipped_lessons_dir
from tui_grad.core.exercise import format_number
from tui_grad.core.lesson import Lesson, LessonError, load_lesson

COMMANDS = ("list", "trace", "check")


def build_parser() -> argparse.ArgumentParser:
    """The command line: `tui-grad [LESSON]` starts the tutor; the sub-commands print."""
    parser = argparse.ArgumentParser(
        prog="tui-grad",
        description="A terminal tutor for backpropagation. With no command, starts the tutor.",
        epilog="commands: list (the lessons), trace LESSON (a lesson's numbers), check PATH... "
        "(validate lesson files). 'tui-grad COMMAND --help' says more.",
    )
    parser.add_argument("lesson", nargs="?", help="open this lesson straight away (an id from 'tui-grad list')")
    parser.add_argument("--lessons", type=Path, metavar="DIR", help="also load the lessons in DIR")
    parser.add_argument("--plain", action="store_true",
                        help="line mode: prompts on standard output, answers on standard input, no full screen "
                        "(for screen readers, braille displays and scripts; TERM=dumb picks it)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="draw fresh input values from seed N where a lesson allows it (saved with progress)")
    parser.add_argument("--low-bandwidth", action="store_true",
                        help="for slow links: no animation, no cursor blink, no mouse tracking "
                        "(also TUI_GRAD_LOW_BANDWIDTH=1)")
    return parser


def command_parser(command: str) -> argparse.ArgumentParser:
    """The parser of one sub-command."""
    parser = argparse.ArgumentParser(prog=f"tui-grad {command}")
    if command == "trace":
        parser.description = "Print a lesson's forward values, gradients, backward steps and updates."
        parser.add_argument("lesson", help="a lesson id from 'tui-grad list'")
        parser.add_argument("--json", action="store_true", help="print JSON for scripts instead of tables")
        parser.add_argument("--steps", type=int, metavar="N", help="how many update steps (the lesson's own by default)")
        parser.add_argument("--part", type=int, metavar="K", help="which part of the lesson, from 1 (the first "
                            "with a graph by default)")
    elif command == "check":
        parser.description = "Validate lesson files: every problem with file, line and what to fix."
        parser.add_argument("paths", nargs="+", type=Path, help="lesson files or folders of them")
    else:
        parser.description = "List the lessons, in teaching order."
    if command != "check":
        parser.add_argument("--lessons", type=Path, metavar="DIR", help="also load the lessons in DIR")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        args = command_parser(argv[0]).parse_args(argv[1:])
        return {"list": run_list, "trace": run_trace, "check": run_check}[argv[0]](args)
    args = build_parser().parse_args(argv)
    catalog = catalog_for(args)
    if args.lesson and catalog.find(args.lesson) is None:
        return unknown_lesson(args.lesson, catalog)
    from tui_grad.core.progress import ProgressStore

    store = ProgressStore().load()
    if args.plain or os.environ.get("TERM") == "dumb":
        if not args.plain:
            print("tui-grad: TERM=dumb, so the tutor runs in line mode (--plain).", file=sys.stderr)
        from tui_grad.plain import run_plain

        return run_plain(catalog, args.lesson, store, args.seed, stdin=sys.stdin, stdout=sys.stdout)
    low_bandwidth = args.low_bandwidth or os.environ.get("TUI_GRAD_LOW_BANDWIDTH", "") not in ("", "0")
    if low_bandwidth:
        os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from tui_grad.ui.app import TuiGradApp

    # Textual sizes the screen with shutil.get_terminal_size(), which trusts COLUMNS and LINES
    # when they are exported: stale values would pin the layout and hide every resize.
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)
    app = TuiGradApp(catalog, start_lesson=args.lesson, store=store, seed=args.seed, low_bandwidth=low_bandwidth)
    app.run(mouse=not low_bandwidth)
    return 0


def catalog_for(args: argparse.Namespace) -> Catalog:
    """The shipped lessons plus any folder given with --lessons."""
    folders = [shipped_lessons_dir()]
    if getattr(args, "lessons", None):
        folders.append(args.lessons)
    return load_catalog(*folders)


def unknown_lesson(lesson_id: str, catalog: Catalog) -> int:
    """Say that a lesson id is unknown and list the ones there are."""
    known = ", ".join(lesson.id for lesson in catalog.lessons) or "none"
    print(f"tui-grad: no lesson called '{lesson_id}'. Lessons: {known}.", file=sys.stderr)
    return 2


def run_list(args: argparse.Namespace) -> int:
    """Print every lesson with its summary, and every broken file with its reason."""
    from rich.console import Console
    from rich.table import Table

    catalog = catalog_for(args)
    table = Table(title="tui-grad lessons", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("id")
    table.add_column("title")
    table.add_column("summary", overflow="fold")
    for number, lesson in enumerate(catalog.lessons, start=1):
        table.add_row(str(number), lesson.id, lesson.title, lesson.summary)
    console = Console()
    console.print(table)
    for error in catalog.broken:
        console.print(f"unavailable: {error}", markup=False, highlight=False)
    return 1 if catalog.broken or not catalog.lessons else 0


def run_trace(args: argparse.Namespace) -> int:
    """Print one lesson's numbers, as tables or JSON."""
    from tui_grad.core.trace import trace

    catalog = catalog_for(args)
    lesson = catalog.find(args.lesson)
    if lesson is None:
        return unknown_lesson(args.lesson, catalog)
    if args.steps is not None and not 0 <= args.steps <= 100_000:
        print("tui-grad trace: --steps must be between 0 and 100000", file=sys.stderr)
        return 2
    from tui_grad.core.trace import traceable_parts

    parts = [index + 1 for index in traceable_parts(lesson)]
    if not parts or (args.part is not None and args.part not in parts):
        which = f"parts with a graph: {', '.join(map(str, parts))}" if parts else "it has no part with a graph"
        print(f"tui-grad trace: lesson '{lesson.id}' has no part {args.part} to trace ({which})", file=sys.stderr)
        return 2
    part_index = (args.part or parts[0]) - 1
    data = trace(lesson, args.steps, part_index)
    if args.json:
        print(json.dumps(data, indent=1))
    else:
        print_trace(lesson, part_index, data)
    return 0


def print_trace(lesson: Lesson, part_index: int, data: dict) -> None:
    """The trace as Rich tables, for people."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    part = lesson.parts[part_index]
    name = f"{lesson.title}, part {part_index + 1}" if len(lesson.parts) > 1 else lesson.title
    nodes = Table(title=f"{name}: forward values and gradients", title_justify="left")
    for column in ("node", "op", "children", "value", f"d{data['output']}/dnode"):
        nodes.add_column(column, justify="right" if column in ("value",) or column.startswith("d") else "left")
    for node in data["nodes"]:
        nodes.add_row(node["name"], node["op"] or "input", ", ".join(node["children"]),
                      format_number(node["data"]), format_number(node["grad"]))
    console.print(nodes)
    steps = Table(title="Backward pass, in the order the engine ran it", title_justify="left")
    for column in ("#", "step", "local", "upstream", "contribution"):
        steps.add_column(column, justify="left" if column == "step" else "right")
    for number, step in enumerate(data["backward"], start=1):
        steps.add_row(str(number), f"{step['node']} → {step['child']}", format_number(step["local_grad"]),
                      format_number(step["upstream_grad"]), format_number(step["contribution"]))
    console.print(steps)
    if data["updates"]:
        updates = Table(title=f"Updates ({part.update.direction}, step size "
                        f"{format_number(part.update.step_size)})", title_justify="left")
        updates.add_column("step", justify="right")
        updates.add_column("parameters")
        updates.add_column(data["output"], justify="right")
        for update in data["updates"]:
            params = "  ".join(f"{name}={format_number(value)}" for name, value in update["params"].items())
            updates.add_row(str(update["step"]), params, format_number(update["output"]))
        console.print(updates)


def run_check(args: argparse.Namespace) -> int:
    """Validate lesson files; print each problem with file and line; non-zero when any is broken."""
    paths: list[Path] = []
    for path in args.paths:
        paths.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    broken = 0
    for path in paths:
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            broken += 1
            print(f"✗ {error}")
        else:
            print(f"✓ {path}: lesson '{lesson.id}' is fine")
    if not paths:
        print("tui-grad check: no lesson files found in " + ", ".join(map(str, args.paths)), file=sys.stderr)
        return 2
    print(f"{len(paths) - broken} fine, {broken} broken")
    return 1 if broken else 0
