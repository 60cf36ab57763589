"""The registry of part kinds: which kinds exist, found by the name a lesson file gives them.

A kind is one unit (see `tui_grad.core.kinds.base.Kind`): it reads and checks its `[[parts]]` table,
builds its exercise from the part and its values, carries its flow (a `PartFlow` subclass) and,
where it trains, runs the training. Nothing outside this package tests a kind's name: code that
needs to know something about a part asks `kind_of(part)`.

How to add a kind:

1. Write one module in `tui_grad/core/kinds/`, say `mykind.py`, holding a `Kind` subclass (a
   `GraphKind` when the part is a formula graph read from `inputs` and `nodes`) and ending with
   `KIND = MyKind()`. Give it:
   - `name`: the `kind = "..."` of lesson files;
   - `read` (a GraphKind: `ask_default`, `ask_allowed`, `read_ask`, `check`) to validate its table,
     raising `reader.fail(message, needle)` so the error names the file and line;
   - `exercise(part, inputs)`: its questions, a `tui_grad.core.exercise.Questions` subclass
     (None for a kind the learner only watches, with `asks = False`);
   - `flow_type`: a `PartFlow` subclass (`kinds/base.py`) for its phases, prompts, status line,
     boxes and replay;
   - what the rest of the tutor asks: `reviewable`, `asks_the_step`, `attempt_kind`, `skills_of`,
     `questions`, `answers_use_step`, `trace_extras`.
2. Add the module's `KIND` to `BUILT_IN` below.
3. The faces need nothing for a kind that asks questions: the exercise screen (`ui/boards.py`)
   draws its flow's `nodes()` as a graph, or, with `draws_graph = False`, the two lines of its
   `picture()`; line mode asks its questions in the same loop. A kind that trains gives its flow a
   `run()` (`kinds/train.py`: `FormulaRun`, `kinds/network.py`: `NetworkRun`) whose frames both
   faces paint and whose `report()` line mode prints; only a new `picture` of a run needs a
   painter in `ui/train.py`.

`tests/core/test_kinds.py` checks the registered kinds against the shipped lessons, and
`tests/core/test_house.py` fails when a kind's name is tested anywhere outside this package.
"""

from __future__ import annotations

from tui_grad.core.kinds import (
    bughunt,
    gradients,
    mlp_step,
    network,
    order,
    rules,
    slope,
    train,
    update,
    your_engine,
    zero_grad,
)
from tui_grad.core.kinds.base import Kind
from tui_grad.core.lesson import Part

BUILT_IN: tuple[Kind, ...] = (gradients.KIND, slope.KIND, update.KIND, train.KIND, network.KIND, bughunt.KIND,
                               rules.KIND, order.KIND, mlp_step.KIND, your_engine.KIND,
                               zero_grad.KIND)
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
