"""The interface every part kind implements, and what the kinds drawn as a formula graph share.

A `Kind` is one kind of part as a whole: it reads and checks its table of a lesson file, builds its
exercise from the part and its input values, makes the flow that carries the part through its
phases, and says what the rest of the tutor asks of it (whether the learner types answers, which
skills an answer exercises, what an attempt is filed as). Nothing outside the registry tests a
kind's name; everything asks the kind.

`PartFlow` is what the flows of all kinds share: how a part's questions read and what follows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from tui_grad.core.exercise import Questions, asking_order, format_number
from tui_grad.core.lesson import MAX_NODES, MAX_TRAINING_WORK, Graph, Part
from tui_grad.core.parts import ANSWERING, DONE
from tui_grad.core.tables import TableReader
from tui_grad.core.views import ComparisonRow, NodeView
from tui_grad.engine import BackwardStep


class PartFlow:
    """What every kind of part shares: the part, its exercise, and the phase that follows the answers.
    Each kind (`tui_grad.core.kinds`) has a subclass of its own."""

    asks: ClassVar[bool] = True
    """True when the learner types answers in this kind of part."""
    hint_labels: ClassVar[tuple[str, ...]] = ("Think", "Local rule", "Chain rule", "Answer")
    subtitle: ClassVar[str] = "find each gradient"
    default_text: ClassVar[str] = "Work from the output back to the leaves."
    """What the part says first when its lesson file gives it no text of its own."""
    draws_graph: ClassVar[bool] = True
    """False for a part whose exercise shows its `picture` in place of a graph of boxes."""

    @property
    def hunting(self) -> bool:
        """True while a replay shows a bug whose questions come after it (a bug hunt)."""
        return False

    def replay_name(self) -> str:
        """What the backward replay shows, in a few words."""
        return "the engine's backward pass"

    def __init__(self, part: Part, exercise: Questions | None = None, following: Kind | None = None) -> None:
        self.part = part
        self.questions = exercise
        self.following = following
        """The kind of the part after this one in its lesson, if there is one."""

    @property
    def exercise(self) -> Questions:
        """The part's exercise (kinds that ask questions only)."""
        if self.questions is None:
            raise RuntimeError(f"a {self.part.kind} part asks no questions")
        return self.questions

    def graph_note(self) -> str:
        """A line line mode prints under the graph (what an update step does), or ""."""
        return ""

    def picture(self, values: dict[str, float]) -> tuple[str, str]:
        """Two lines in place of the graph, for a part that draws none (a slope: the function and
        the point)."""
        raise NotImplementedError(f"a {self.part.kind} part draws its graph")

    def can_nudge(self, name: str) -> bool:
        """Whether question `name` can be checked by nudging it and running forward again."""
        return False

    @property
    def total_steps(self) -> int:
        """The update steps a training run takes (0: this part trains nothing)."""
        return 0

    def tick_seconds(self) -> float:
        """Seconds between two ticks of a training run at 1× (0: no run)."""
        return 0.0

    def steps_per_tick(self, position: int) -> int:
        """Update steps the next tick of a training run takes from `position`."""
        return 1

    def replay_steps(self) -> list[BackwardStep]:
        """The backward steps a replay shows (none: this part has no backward replay)."""
        return []

    def describe(self, step: BackwardStep) -> tuple[str, str]:
        """One replayed step in words: what happened and why."""
        raise NotImplementedError(f"a {self.part.kind} part replays no backward pass")

    def replay_grads(self, position: int) -> dict[str, float]:
        """Every gradient as the replay stands after `position` steps."""
        return {}

    def comparison(self) -> tuple[ComparisonRow, ...]:
        """Once the replay is done: each answer beside the engine's."""
        return ()

    def first_phase(self) -> str:
        """The phase a learner meets on entering the part (or coming back to it)."""
        return ANSWERING if self.exercise.current is not None else self.after_answers()

    def after_answers(self) -> str:
        """The phase once every answer is in."""
        return DONE

    def can_update(self) -> bool:
        """Whether U (another update step) makes sense once the answers and replay are done."""
        return False

    def blocked(self) -> bool:
        """True when the part cannot be done yet (what it needs is made in another lesson): the
        learner may only leave, and the part is not marked done. Its `done_line` says why."""
        return False

    def prompt(self, name: str) -> str:
        """The question as the answer line asks it: `dL/dd`."""
        return f"d{self.exercise.output_name}/d{name}"

    def prompt_end(self, name: str) -> str:
        """What the answer line puts between the question and the answer: `dL/dd =`."""
        return " ="

    def answer_hint(self, name: str) -> str:
        """What an empty answer field suggests typing."""
        return "a number, a fraction or a little arithmetic; Enter to check"

    def answer_form(self, name: str) -> str:
        """What an answer to question `name` is, with examples, for line mode's help."""
        return "a number (-2), a fraction (1/2) or a little arithmetic (-2*1)"

    def status(self, name: str, values: dict[str, float]) -> str:
        """The status line while `name` is asked."""
        return f"▶ Find {self.prompt(name)}   {self.count(name)}   {self.formula_of(name, values)}"

    def count(self, name: str) -> str:
        """`(3 of 7)`: which question this is."""
        order = self.exercise.order
        return f"({order.index(name) + 1} of {len(order)})"

    def formula_of(self, name: str, values: dict[str, float]) -> str:
        """The assignment that defines `name` (`e = a * b`), or that it is an input."""
        text = next((a.text for a in self.part.assignments if a.name == name), None)
        return text or f"{name} is an input ({format_number(values[name])})"

    arranges: ClassVar[bool] = False
    """True when the answer is arranged with keys in the app (pick a node, move it): `arrange`."""

    def arrange(self, action: str) -> None:
        """Pick a node or move the picked one (views.ARRANGE_ACTIONS); only a flow that arranges."""
        raise RuntimeError(f"a {self.part.kind} part has nothing to arrange")

    def opening(self) -> str:
        """A sentence the part opens with under its text, when the part has one to add ("" by default)."""
        return ""

    def done_line(self) -> str:
        """The status line once every answer is in: `Found: dL/dL = 1.`"""
        exercise = self.exercise
        found = exercise.order[0]
        return f"Found: d{exercise.output_name}/d{found} = {format_number(exercise.expected(found))}."

    def nodes(self, values: dict[str, float], replay: dict[str, float] | None = None,
              active: str | None = None, finished: bool = False) -> tuple[NodeView, ...]:
        """Every box: by hand, the learner's answers and the gradients they need; in a replay, the
        engine's gradients as they stand; once it is finished, each mark as it was earned."""
        return ()


class Kind:
    """One kind of part: its name in lesson files and everything that differs between kinds."""

    name: ClassVar[str] = ""
    """The `kind = "..."` a lesson file writes."""
    flow_type: ClassVar[type[PartFlow]] = PartFlow
    """The flow that carries a part of this kind through its phases."""
    asks: ClassVar[bool] = True
    """True when the learner types answers in this kind of part (False: a run to watch)."""
    reviewable: ClassVar[bool] = False
    """True when a review may take questions from parts of this kind (nodes asked by the chain rule)."""
    asks_the_step: ClassVar[bool] = False
    """True when the learner works out an update step by hand: the part before must not take it."""
    drawn: ClassVar[bool] = False
    """True when the exercise screen draws the part's graph, so it must fit 80x24."""
    remembers: ClassVar[bool] = False
    """True when a restored exercise needs the attempt log (`remember`): its answers are text."""
    attempt_kind: ClassVar[str] = "gradient"
    """What an attempt at a question of this kind is filed as in the attempt log."""
    steps_parameters: ClassVar[bool] = True
    """False for a kind whose part never takes an update step (an order, your engine): `trace` then
    lists none, though the part's inputs count as its parameters."""

    def read(self, reader: TableReader, table: dict[str, Any], where: str, common: dict[str, Any]) -> Part:
        """The part one `[[parts]]` table describes, checked; a problem raises LessonError with the
        file and line (`common` holds the title, kind, text and path every kind reads alike)."""
        raise NotImplementedError

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        """The part's questions for these input values (the part's own by default); None for a
        kind that asks none."""
        return None

    def flow(self, part: Part, exercise: Questions | None, following: Kind | None,
             history: Sequence[Mapping[str, Any]] = ()) -> PartFlow:
        """The flow of one part in front of the learner (`following`: the next part's kind, if any;
        `history`: the learner's attempt log, for a kind that shows what they did elsewhere)."""
        return self.flow_type(part, exercise, following)

    def remember(self, exercise: Questions, attempts: Sequence[Mapping[str, Any]]) -> None:
        """Give a restored exercise what only the attempt log holds (this part's attempts, oldest
        first): the text of answers that are not numbers. Nothing by default."""

    def questions(self, part: Part) -> tuple[str, ...]:
        """The questions a part asks, in the order it asks them, without building its exercise."""
        return ()

    def attempt_kind_of(self, exercise: Questions, node: str) -> str:
        """What an attempt at question `node` is filed as: `attempt_kind`, unless the kind asks
        questions of several sorts (a network step asks gradients, then new values)."""
        return self.attempt_kind

    def skills_of(self, exercise: Questions, node: str) -> tuple[str, ...]:
        """The skills answering question `node` exercises, for mastery (none by default)."""
        return ()

    def answers_use_step(self, part: Part) -> float | None:
        """The step size the answers depend on, when they do (two exercises differing only in it differ)."""
        return None

    def reviews_without_graph(self, part: Part, skill: str) -> bool:
        """True when a short review of `skill` may ask this part's own questions as they are (a part
        with no graph); graph parts are reviewed node by node where the kind is `reviewable`."""
        return False

    def trace_without_graph(self, part: Part) -> dict[str, Any] | None:
        """What `tui-grad trace --json` shows of a part with no formula graph (None: nothing)."""
        return None

    def trace_extras(self, graph: Graph, steps: list[BackwardStep]) -> dict[str, Any]:
        """What `tui-grad trace --json` adds for this kind beyond the graph, backward pass and updates."""
        return {}


class GraphKind(Kind):
    """A kind whose part is a formula graph: inputs, assignments, an output, parameters."""

    drawn: ClassVar[bool] = True
    """True when the exercise screen draws the graph, so it must fit 80x24."""
    ask_what: ClassVar[str] = "node"
    """What `ask` names, in an error: a node, or a parameter."""

    def ask_default(self, inputs: Mapping[str, float], parameters: tuple[str, ...]) -> tuple[str, ...]:
        """What is asked when the table has no `ask`: () means every node."""
        return ()

    def ask_allowed(self, defined: list[str], parameters: tuple[str, ...]) -> list[str] | tuple[str, ...]:
        """What `ask` may name."""
        return defined

    def read_ask(self, reader: TableReader, table: dict[str, Any], inputs: Mapping[str, float], defined: list[str],
                 parameters: tuple[str, ...]) -> tuple[str, ...]:
        """The part's `ask`, checked against what this kind may ask."""
        return reader.ask(table, self.ask_default(inputs, parameters), self.ask_allowed(defined, parameters),
                          self.ask_what)

    def check(self, reader: TableReader, part: Part, graph: Graph) -> None:
        """Refuse, with a LessonError, a part this kind cannot use (the graph is built and checked)."""

    def read(self, reader: TableReader, table: dict[str, Any], where: str, common: dict[str, Any]) -> Part:
        inputs = reader.inputs(table, where)
        assignments = reader.assignments(table, inputs, where)
        defined = [*inputs, *(a.name for a in assignments)]
        output = reader.field(table, "output", str, where, 'output = "L"', default=defined[-1])
        if output not in defined:
            raise reader.fail(f"output '{output}' is not a node (nodes: {', '.join(defined)})", "output")
        parameters = reader.parameters(table, inputs)
        part = Part(
            **common,
            inputs=inputs,
            assignments=assignments,
            output=output,
            parameters=parameters,
            ask=self.read_ask(reader, table, inputs, defined, parameters),
            relative_tolerance=reader.tolerance(table, "relative_tolerance", 1e-6),
            absolute_tolerance=reader.tolerance(table, "absolute_tolerance", 1e-9),
            update=reader.update_rule(table),
            randomize=reader.randomize(table, inputs),
            plot=reader.line_plot(table, parameters),
            zero_grad=reader.field(table, "zero_grad", bool, where, "zero_grad = false", default=True),
        )
        graph = part.build()
        unused = [name for name in defined if name not in graph.nodes]
        if unused:
            raise reader.fail(f"'{unused[0]}' does not feed the output '{output}'; use it or remove it", unused[0])
        if len(graph.nodes) > MAX_NODES:
            raise reader.fail(reader.too_many_nodes(len(graph.nodes)), "nodes")
        work = part.update.steps * len(graph.nodes)
        if work > MAX_TRAINING_WORK:  # each step is a forward and a backward pass over the whole graph
            raise reader.fail(f"{part.update.steps} steps on a graph of {len(graph.nodes)} nodes is {work} "
                              f"node-steps; at most {MAX_TRAINING_WORK}, about a second to trace. Use fewer steps "
                              f"(at most {MAX_TRAINING_WORK // len(graph.nodes)} on this graph) or a smaller graph",
                              "steps")
        if self.drawn:
            reader.check_drawable(graph)
        self.check(reader, part, graph)
        return part

    def questions(self, part: Part) -> tuple[str, ...]:
        return asking_order(part.build(), part.ask)


def trace_step(record: BackwardStep) -> dict[str, Any]:
    """One backward step as `tui-grad trace --json` prints it."""
    return {
        "node": record.node,
        "child": record.child,
        "local_grad": record.local_grad,
        "upstream_grad": record.upstream_grad,
        "contribution": record.contribution,
    }
