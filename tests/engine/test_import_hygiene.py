"""The pure core never loads a UI library: each module is imported alone in a fresh interpreter."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
PURE_MODULES = [
    "tui_grad.engine",
    "tui_grad.core",
    "tui_grad.core.expr",
    "tui_grad.core.lesson",
    "tui_grad.core.exercise",
    "tui_grad.core.trace",
    "tui_grad.core.generator",
]
CHECK = (
    "import importlib, sys; importlib.import_module(sys.argv[1]); "
    "loaded = [name for name in ('textual', 'rich') if name in sys.modules]; "
    "assert not loaded, f'{sys.argv[1]} imported {loaded}'"
)


def module_exists(name: str) -> bool:
    """True when `name` can be found, without failing when a parent package is missing."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_does_not_import_textual_or_rich(module):
    if not module_exists(module):
        pytest.skip(f"{module} does not exist yet")
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPOSITORY), *filter(None, [environment.get("PYTHONPATH")])]
    )
    result = subprocess.run(
        [sys.executable, "-c", CHECK, module],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"importing {module} in a fresh interpreter failed:\n{result.stderr}"
