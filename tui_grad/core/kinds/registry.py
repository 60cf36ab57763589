"""The registry of part kinds: which kinds exist, found by the name a lesson file gives them.

A kind is one unit (see `tui_grad.core.kinds.base.Kind`): it reads and checks its `[[parts]]` table,
builds its exercise from the part and its values, carries its flow (a `PartFlow` subclass) and,
where it trains, runs the training. Nothing outside this package tests a kind's name: code that
needs to know something about a part asks `kind_of(part)`.

How to add a kind:

1. Write one module in `tui_grad/core/kinds/`, say `mykind.py`, with a `Kind` subclass (a
   `GraphKind` for a part that is a formula graph) whose `name` is the `kind = "..."` of lesson
   files, a `PartFlow` subclass as its `flow_type` (phases, prompts, boxes, replay), its `read`
   (or `ask_default` / `read_ask` / `check`) to validate its table with file and line, `exercise`
   to build its questions (a `tui_grad.core.exercise.Questions`), and the flags the rest of the
   tutor asks (`asks`, `reviewable`, `attempt_kind`, `skills_of`...). End it with
   `KIND = MyKind()`.
2. Add the module to `BUILT_IN` below.
3. Only if the faces must draw it differently: one renderer in the app (a screen or widget keyed
   by the flow type) and one in line mode; a kind that asks questions on a graph needs neither.

`tests/core/test_kinds.py` checks every registered kind and that no name is tested elsewhere.
"""

from __future__ import annotations

from tui_grad.core.kinds import bughunt, gradients, network, slope, train, update
from tui_grad.core.kinds.base import Kind
from tui_grad.core.lesson import Part

BUILT_IN: tuple[Kind, ...] = (gradients.KIND, slope.KIND, update.KIND, train.KIND, network.KIND, bughunt.KIND)
"""The kinds shipped, in the order `check` and errors list them."""
KINDS: dict[str, Kind] = {kind.name: kind for kind in BUILT_IN}
"""Every kind by its name."""
DEFAULT_KIND = gradients.KIND.name
"""The kind of a part whose table names none."""


def find_kind(name: str) -> Kind | None:
    """The kind called `name` in lesson files, or None when there is none."""
    return KINDS.get(name)


def kind_of(part: Part) -> Kind:
    """The kind of a part (read from a file, so always a registered one)."""
    return KINDS[part.kind]


def kind_names() -> tuple[str, ...]:
    """The names of every kind, for error messages and help."""
    return tuple(KINDS)
