"""The learner's rules as an engine of their own, run over the chain-rule graph and the neuron beside
the engine's pass: right rules agree at every edge, a wrong one is found at the first edge it touches."""

from __future__ import annotations

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.rule_checker import OPS
from tui_grad.core.your_engine import rule_key, run_your_engine
from tui_grad.engine import Value, backward_steps

RIGHT = {rule_key(op.key, target): op.answers[target] for op in OPS.values() for target in op.inputs}


def lesson_output(lesson_id: str) -> Value:
    part = load_catalog().find(lesson_id).parts[0]
    return part.build().output


@pytest.mark.parametrize("lesson_id", ["chain-rule", "neuron"])
def test_right_rules_agree_with_the_engine_at_every_edge(lesson_id):
    run = run_your_engine(lesson_output(lesson_id), RIGHT)
    assert run.first_difference is None
    assert len(run.steps) == len(backward_steps(lesson_output(lesson_id)))
    assert run.verdict() == f"your engine agrees with tui-grad's at all {len(run.steps)} steps"


def test_equivalent_forms_agree_too():
    rules = dict(RIGHT, **{"mul:self": "self.grad = self.grad + out.grad * other.data",
                           "tanh:self": "self.grad += (1 - out.data*out.data) * out.grad"})
    assert run_your_engine(lesson_output("neuron"), rules).first_difference is None


def test_a_wrong_rule_is_named_at_the_first_edge_it_runs():
    rules = dict(RIGHT, **{"mul:other": "other.grad += other.data * out.grad"})
    run = run_your_engine(lesson_output("chain-rule"), rules)
    index = run.first_difference
    step = run.steps[index]
    # L = d * f (d = 4, f = -2) runs first: f should get d = 4; f's own value gives -2.
    assert (step.node, step.child, step.rule) == ("L", "f", "mul:other")
    assert all(earlier.agrees for earlier in run.steps[:index])
    assert (step.yours, step.engine) == (-2, 4)
    assert run.verdict() == ("step 2 of 6, L → f: your other's line of * (other.grad += other.data * out.grad) "
                             "leaves f.grad = -2; the engine's is 4. Every step before this one agreed, so "
                             "this rule is where the two engines part")


def test_tanh_one_minus_t_shows_up_on_the_neuron_at_its_tanh():
    rules = dict(RIGHT, **{"tanh:self": "self.grad += (1 - t) * out.grad"})
    run = run_your_engine(lesson_output("neuron"), rules)
    step = run.steps[run.first_difference]
    assert (step.node, step.child, step.rule) == ("o", "n", "tanh:self")
    assert run.first_difference == 0


def test_assign_in_the_product_rule_parts_from_the_engine_only_where_a_node_is_used_twice():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    loss = b + a
    loss.label = "L"
    rules = dict(RIGHT, **{"mul:self": "self.grad = other.data * out.grad",
                           "mul:other": "other.grad = self.data * out.grad"})
    run = run_your_engine(loss, rules)
    step = run.steps[run.first_difference]
    assert (step.node, step.child, step.rule) == ("b", "a", "mul:self")
    assert (step.before, step.yours, step.engine) == (1, 3, 4)  # the 1 from L = b + a is lost
    assert run_your_engine(lesson_output("chain-rule"), rules).first_difference is None  # no reuse there


def test_a_missing_or_unreadable_rule_is_said_not_raised():
    rules = {key: text for key, text in RIGHT.items() if key != "mul:self"}
    run = run_your_engine(lesson_output("chain-rule"), rules)
    assert "you have no self's line of * yet" in run.verdict()
    broken = dict(RIGHT, **{"add:self": "self.grad += __import__('os')"})
    verdict = run_your_engine(lesson_output("chain-rule"), broken).verdict()
    assert "your self's line of + cannot be read: column 14" in verdict
    failing = dict(RIGHT, **{"add:other": "other.grad += out.grad / (self.data - self.data)"})
    assert "your other's line of + fails here: it divides by zero" in run_your_engine(
        lesson_output("chain-rule"), failing).verdict()


def test_an_op_without_a_rule_is_named():
    x = Value(2.0, label="x")
    loss = x.log()
    loss.label = "L"
    assert "the op 'log' is not one you wrote a rule for" in run_your_engine(loss, RIGHT).verdict()


def test_the_rules_a_graph_needs_and_those_missing():
    from tui_grad.core.your_engine import missing_rules, rules_needed

    output = lesson_output("neuron")
    assert rules_needed(output) == ("tanh:self", "add:self", "add:other", "mul:self", "mul:other")
    assert missing_rules(output, {"tanh:self": RIGHT["tanh:self"], "add:self": ""}) == (
        "add:self", "add:other", "mul:self", "mul:other")


def test_each_step_reads_side_by_side_with_a_word_and_a_glyph():
    from tui_grad.core.your_engine import describe_step

    rules = dict(RIGHT, **{"mul:other": "other.grad += other.data * out.grad"})
    run = run_your_engine(lesson_output("chain-rule"), rules)
    assert describe_step(run.steps[0]) == "L → d   self.grad += other.data * out.grad   yours -2 · engine -2  ✓ same"
    assert describe_step(run.steps[1]).endswith("yours -2 · engine 4  ✗ differs")
    missing = run_your_engine(lesson_output("chain-rule"), {})
    assert "yours: none · engine -2  ✗ you have no self's line of * yet" in describe_step(missing.steps[0])
