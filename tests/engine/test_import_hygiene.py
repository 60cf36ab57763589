"""The pure core never loads a UI library: each module is imported alone in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE = REPOSITORY / "tui_grad"
PURE_PACKAGES = ("engine", "core")
PURE_DRAWING = ("tui_grad.ui.diagram", "tui_grad.ui.plot", "tui_grad.plain")
"""Modules outside the core that draw or print without a screen library, and must stay that way."""
PURE_MODULES = sorted(
    [f"tui_grad.{package}" for package in PURE_PACKAGES]
    + [f"tui_grad.{package}.{path.stem}" for package in PURE_PACKAGES
       for path in (PACKAGE / package).glob("*.py") if path.stem != "__init__"]
    + list(PURE_DRAWING)
)
"""Every module of the engine and the core, found on disk: a new one is covered the day it lands."""
CHECK = (
    "import importlib, sys; importlib.import_module(sys.argv[1]); "
    "loaded = [name for name in ('textual', 'rich') if name in sys.modules]; "
    "assert not loaded, f'{sys.argv[1]} imported {loaded}'"
)


def run_fresh(code: str, *args: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter that imports this checkout's tui_grad."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(REPOSITORY), *filter(None, [environment.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPOSITORY, env=environment,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_does_not_import_textual_or_rich(module):
    result = run_fresh(CHECK, module)
    assert result.returncode == 0, f"importing {module} in a fresh interpreter failed:\n{result.stderr}"


def test_a_tutor_opened_on_a_lesson_loads_no_list_of_lessons():
    """The list (and practice, which its status line needs) loads when first shown: a lab's tutors
    launched on a lesson carry none of it (bench/idle_lab.py measures what that saves)."""
    check = ("import sys, tui_grad.cli, tui_grad.ui.app, tui_grad.ui.page, tui_grad.ui.exercise; "
             "loaded = [name for name in ('tui_grad.ui.home', 'tui_grad.core.home', 'tui_grad.core.practice', "
             "'tui_grad.core.generator') if name in sys.modules]; "
             "assert not loaded, loaded")
    result = run_fresh(check)
    assert result.returncode == 0, result.stderr


def test_the_list_of_a_learner_who_has_not_practised_loads_no_practice():
    """Practice's modules (its generator above all) load when the learner practises: the list's
    status line says "starts at level 1" and no review is due without them."""
    check = ("import sys; from tui_grad.core.home import due_for_review, practice_status; "
             "from tui_grad.core.history import History; "
             "lesson = History.rebuild([{'lesson': 'chain-rule', 'node': 'L', 'correct': True, 'at': 1.0}]); "
             "assert practice_status(lesson) == 'starts at level 1', practice_status(lesson); "
             "assert due_for_review(lesson) == ''; "
             "assert 'tui_grad.core.practice' not in sys.modules and 'tui_grad.core.generator' not in sys.modules")
    result = run_fresh(check)
    assert result.returncode == 0, result.stderr


def test_the_list_of_a_learner_who_has_practised_reads_the_summary_without_practice():
    """A start reads practice's level, streak and what is due from the stored summary: replaying the
    practice answers (and so the generator) waits until the learner practises again."""
    from tui_grad.core.history import History, LogPlace

    practised = History.rebuild([{"lesson": "practice", "level": 2, "seed": 0, "node": "L", "correct": True,
                                  "value": 1.0, "skills": ["chain"], "at": 1.0}])
    stored = json.dumps(practised.to_json(LogPlace(None, 0, 1)))
    check = ("import sys, json; from tui_grad.core.home import due_for_review, practice_status; "
             "from tui_grad.core.history import History; "
             f"history, _ = History.from_json(json.loads({stored!r})); "
             "assert practice_status(history).startswith('level 2'), practice_status(history); "
             "assert due_for_review(history, now=10 * 86400.0).startswith('Due for review: chain'); "
             "assert 'tui_grad.core.practice' not in sys.modules and 'tui_grad.core.generator' not in sys.modules")
    result = run_fresh(check)
    assert result.returncode == 0, result.stderr
