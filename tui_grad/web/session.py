"""What one browser tab runs: the tutor for the learner named in TUI_GRAD_LEARNER, whose progress
folder is TUI_GRAD_HOME; or, with --class DIR, the instructor's class view.

The server starts this with Textual's web driver and the browser's size in COLUMNS and ROWS, so the
first screen already fits the window; TERM never chooses line mode here, as a browser is no dumb
terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run one served session; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tui_grad.web.session")
    parser.add_argument("--lessons", type=Path, metavar="DIR", help="also load the lessons in DIR")
    parser.add_argument("--class", dest="class_dir", type=Path, metavar="DIR", help="the class view of DIR")
    parser.add_argument("--parent", type=int, metavar="PID", help="the lab server's process: end with it")
    args = parser.parse_args(argv)
    if args.parent is not None and not end_with_parent(args.parent):
        return 0
    from tui_grad.core.catalog import load_catalog, shipped_lessons_dir

    folders = [shipped_lessons_dir(), *([args.lessons] if args.lessons else [])]
    catalog = load_catalog(*folders)
    if args.class_dir is not None:
        from tui_grad.ui.classview import ClassApp

        class_app = ClassApp(args.class_dir, catalog)
        class_app.run()
        return class_app.return_code or 0
    from tui_grad.core.progress import ProgressStore
    from tui_grad.core.safe_text import safe_text
    from tui_grad.ui.app import TuiGradApp

    low_bandwidth = os.environ.get("TUI_GRAD_LOW_BANDWIDTH", "") not in ("", "0")
    app = TuiGradApp(catalog, store=ProgressStore().load(), low_bandwidth=low_bandwidth)
    name = os.environ.get("TUI_GRAD_LEARNER")
    if name:
        app.title = f"tui-grad · {safe_text(name)}"
    theme = os.environ.get("TUI_GRAD_THEME")
    if theme in app.available_themes:
        app.theme = theme
    app.run(mouse=not low_bandwidth)
    return app.return_code or 0


PR_SET_PDEATHSIG = 1
"""prctl(2)'s option asking Linux for a signal when the process's parent ends."""


def end_with_parent(parent: int) -> bool:
    """Have this tutor hang up when the lab server ends, however it ends (SIGKILL included): the
    kernel sends SIGHUP, on which the tutor saves and leaves as when a terminal closes. False when
    the server is already gone (it ended before the request could be made): nothing to serve.

    Linux only; elsewhere the tutor ends when its tab's pipe closes."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGHUP, 0, 0, 0)
    return os.getppid() == parent


if __name__ == "__main__":
    sys.exit(main())
