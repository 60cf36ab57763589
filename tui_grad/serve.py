"""`tui-grad serve` (the lab in a browser) and `tui-grad class` (the class at a glance).

The web server needs the optional `web` extra; without it `serve` says how to install it. The
class view needs nothing more than the tutor.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui_grad.core.safe_text import safe_text

if TYPE_CHECKING:  # the lab loads only when it is served
    from tui_grad.web.lab import Lab

INSTALL_WEB = "pip install 'tui-grad[web]'"
DEFAULT_PORT = 8000


def serve_parser() -> argparse.ArgumentParser:
    """The command line of `tui-grad serve`."""
    parser = argparse.ArgumentParser(
        prog="tui-grad serve",
        description="Serve the tutor to browsers: one secret link per learner on the roster, each with their "
        "own progress folder under --homes, and one for the instructor's class view.")
    parser.add_argument("--roster", type=Path, required=True, metavar="FILE",
                        help="the learners, one name a line ('#' starts a comment)")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1; any "
                        "other needs --public-url)")
    parser.add_argument("--port", type=int, help=f"the port (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--public-url", metavar="URL", help="the address learners' browsers use, such as "
                        "https://lab.example.org (behind a reverse proxy that adds TLS)")
    parser.add_argument("--homes", type=Path, metavar="DIR", help="where each learner's progress folder goes "
                        "(default: 'lab' in tui-grad's data folder)")
    parser.add_argument("--lessons", type=Path, metavar="DIR", help="also load the lessons in DIR")
    parser.add_argument("--links", action="store_true", help="print every link again, at the address the lab "
                        "was last served at (or at --public-url or --port), and exit")
    parser.add_argument("--per-learner", type=int, default=3, metavar="N",
                        help="tabs one learner may have open at once (default 3)")
    parser.add_argument("--max-sessions", type=int, default=40, metavar="N",
                        help="tutors open at once in the whole lab (default 40; see docs/performance.md)")
    return parser


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: only this machine can reach the server."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_public_url(url: str) -> str | None:
    """Why `url` cannot be the lab's public address, or None when it can."""
    try:
        parts = urlsplit(url)
        _port = parts.port  # a port that is no number, or out of range, raises here and not in the server
    except ValueError:
        return "--public-url has a malformed host or port, such as https://lab.example.org:8443"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "--public-url must be an http:// or https:// address, such as https://lab.example.org"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "--public-url must be the site's root (the reverse proxy passes every path through as it is)"
    return None


def run_serve(argv: list[str]) -> int:
    """`tui-grad serve`: check the options, open the lab, print the links, serve until Ctrl+C."""
    args = serve_parser().parse_args(argv)
    if not is_loopback(args.host) and not args.public_url:
        print(f"tui-grad serve: --host {safe_text(args.host)} is reachable from other machines, so give "
              "--public-url, the address their browsers use (https behind a reverse proxy)", file=sys.stderr)
        return 2
    if args.public_url and (problem := check_public_url(args.public_url)):
        print(f"tui-grad serve: {problem}", file=sys.stderr)
        return 2
    if args.per_learner < 1 or args.max_sessions < 1:
        print("tui-grad serve: --per-learner and --max-sessions must be at least 1", file=sys.stderr)
        return 2
    if not args.links:
        try:
            import aiohttp  # noqa: F401
            import textual_serve  # noqa: F401
        except ImportError:
            print(f"tui-grad serve needs the web extra: {INSTALL_WEB}", file=sys.stderr)
            return 2
    from tui_grad.core.progress import data_dir
    from tui_grad.web.lab import LabError, links, open_lab, served_address

    homes = (args.homes or data_dir() / "lab").expanduser().resolve()
    try:
        lab = open_lab(args.roster, homes)
    except (LabError, OSError) as error:
        print(f"tui-grad serve: {error}", file=sys.stderr)
        return 2
    if args.links:
        url = args.public_url or (f"http://{args.host}:{args.port}" if args.port else served_address(homes))
        if url is None:
            print("tui-grad serve --links: this lab has not been served yet, so the address of its links is not "
                  "known: start it first, or give --public-url or --port", file=sys.stderr)
            return 2
        print_links(links(lab, url))
        return 0
    if args.port is None:
        args.port = DEFAULT_PORT
    return serve_lab(lab, args)


def print_links(pairs: list[tuple[str, str]]) -> None:
    """Each link on its own line, the person first: for the instructor to hand out."""
    width = max(len(who) for who, _link in pairs)
    for who, link in pairs:
        print(f"{who:<{width}}  {link}", flush=True)


def serve_lab(lab: Lab, args: argparse.Namespace) -> int:
    """Run the web server in this process until SIGINT, SIGTERM or SIGHUP; every tutor is stopped first."""
    import asyncio
    import logging
    import signal

    from tui_grad.web.lab import links, remember_address
    from tui_grad.web.server import LabServer, run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stderr)
    server = LabServer(lab, args.public_url, lessons=args.lessons, per_learner=args.per_learner,
                       total=args.max_sessions)

    def ready(port: int) -> None:
        try:
            remember_address(lab.homes, server.public_url)
        except OSError as error:
            print(f"tui-grad serve: cannot note the lab's address for --links: {error.strerror or error}",
                  file=sys.stderr)
        print(f"tui-grad lab: {len(lab.learners)} learners, progress in {lab.homes}", flush=True)
        print(f"serving on {args.host}:{port}; links (also 'tui-grad serve --roster ... --links'):", flush=True)
        print_links(links(lab, server.public_url))
        print("Ctrl+C stops the lab (every tutor saves and closes first).", flush=True)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the instructor's terminal closed
            loop.add_signal_handler(number, stop.set)
        await run(server, args.host, args.port, ready, stop)

    try:
        asyncio.run(main())
    except OSError as error:
        print(f"tui-grad serve: cannot listen on {safe_text(args.host)}:{args.port}: {error.strerror or error}",
              file=sys.stderr)
        return 1
    with contextlib.suppress(OSError):  # after a hang-up the terminal may be gone; stopping cleanly is what matters
        print("tui-grad lab: stopped.", flush=True)
    return 0


def class_parser() -> argparse.ArgumentParser:
    """The command line of `tui-grad class`."""
    parser = argparse.ArgumentParser(
        prog="tui-grad class",
        description="The class at a glance: one row per learner, one per lesson node and one per learner per node, "
        "from each DIR holding learners' progress folders (as 'tui-grad serve --homes' lays them out, or "
        "TUI_GRAD_HOME=DIR/$USER); several DIRs for a lab split over several servers.")
    parser.add_argument("folders", type=Path, nargs="+", metavar="DIR",
                        help="a folder of learners' progress folders (one per lab server)")
    parser.add_argument("--export", choices=("csv", "jsonl"), help="write the tables as CSV or JSON lines")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the export to FILE (default: standard "
                        "output)")
    parser.add_argument("--lessons", type=Path, metavar="DIR", help="also load the lessons in DIR")
    return parser


def run_class(argv: list[str]) -> int:
    """`tui-grad class DIR`: the view in the terminal, or its tables exported."""
    args = class_parser().parse_args(argv)
    if args.output and not args.export:
        print("tui-grad class: --output goes with --export csv or --export jsonl", file=sys.stderr)
        return 2
    for folder in args.folders:
        if not folder.is_dir():
            print(f"tui-grad class: {safe_text(str(folder))} is not a folder", file=sys.stderr)
            return 2
    from tui_grad.core.catalog import load_catalog, shipped_lessons_dir

    catalog = load_catalog(shipped_lessons_dir(), *([args.lessons] if args.lessons else []))
    if args.export:
        from tui_grad.core.classroom import export, read_class

        try:
            view = read_class(tuple(args.folders), catalog)
        except ValueError as error:
            print(f"tui-grad class: {error}", file=sys.stderr)
            return 1
        text = export(view, args.export)
        if args.output:
            try:
                args.output.write_text(text, encoding="utf-8", newline="")
            except OSError as error:
                print(f"tui-grad class: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
                return 1
        else:
            sys.stdout.write(text)
        for entry in view.unreadable:
            print(f"tui-grad class: {entry.learner}: {entry.reason}", file=sys.stderr)
        return 0
    from tui_grad.ui.classview import ClassApp

    app = ClassApp(tuple(args.folders), catalog)
    app.run()
    return app.return_code or 0
