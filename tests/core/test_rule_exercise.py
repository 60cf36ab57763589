"""The backward-rules exercise walked as a learner would: lines checked one rule at a time, hints,
shown answers, a session restored, and the rules found again in the attempt log as text."""

from __future__ import annotations

import pytest

from tui_grad.core.exercise import EARNED, PENDING, SHOWN
from tui_grad.core.rule_checker import OPS
from tui_grad.core.rule_exercise import (
    RULE_ATTEMPT_KIND,
    RuleExercise,
    answer_of,
    learner_rules,
    rule_keys,
)

ALL_OPS = tuple(OPS)


def test_one_line_per_input_in_the_order_of_the_ops():
    assert rule_keys(("add", "tanh", "mul")) == ("add:self", "add:other", "tanh:self", "mul:self", "mul:other")
    assert RuleExercise(ALL_OPS).order[-1] == "relu:self"
    with pytest.raises(ValueError, match="no backward rule is taught for 'log'"):
        RuleExercise(("log",))


def test_a_walk_through_every_rule_with_a_mistake_a_typo_and_a_right_line():
    exercise = RuleExercise(("mul",))
    assert exercise.prompt("mul:self") == "out = self * other: write self's line"
    typo = exercise.submit("self.grad += other.data * (out.grad")
    assert not typo.readable and "column 27" in typo.message and exercise.attempts == []
    wrong = exercise.submit("self.grad = other.data * out.grad")
    assert not wrong.correct and wrong.mistake == "assign" and "path through the other use is lost" in wrong.message
    right = exercise.submit("  self.grad += out.grad * other.data ")
    assert right.correct and exercise.status["mul:self"] == EARNED
    assert exercise.texts["mul:self"] == "self.grad += out.grad * other.data"
    assert exercise.current == "mul:other"
    exercise.submit("other.grad += self.data * out.grad")
    assert exercise.done
    assert [(a.node, a.correct, a.mistake) for a in exercise.attempts] == [
        ("mul:self", False, "assign"), ("mul:self", True, None), ("mul:other", True, None)]


def test_hints_climb_to_the_answer_which_counts_as_shown():
    exercise = RuleExercise(("tanh",))
    texts = [exercise.hint().text for _ in range(4)]
    assert "tanh's slope is written with its own output" in texts[0]
    assert "1 - t**2" in texts[1] and "self.grad += ..." in texts[2]
    assert texts[3].startswith("Shown: self.grad += (1 - t**2) * out.grad")
    assert exercise.status["tanh:self"] == SHOWN and exercise.done


def test_restore_then_remember_keeps_lines_that_still_check_and_asks_again_for_others():
    exercise = RuleExercise(("add", "exp"))
    exercise.restore({"add:self": EARNED, "add:other": EARNED, "exp:self": SHOWN, "relu:self": EARNED}, {},
                     {"add:other": 2, "nope": 9})
    assert exercise.status == {"add:self": EARNED, "add:other": EARNED, "exp:self": SHOWN}
    exercise.remember([log("add:self", "self.grad += out.grad", correct=True),
                       log("add:other", "other.grad = out.grad", correct=True)])  # an edited log
    assert exercise.status == {"add:self": EARNED, "add:other": PENDING, "exp:self": SHOWN}
    assert exercise.texts["add:self"] == "self.grad += out.grad"
    assert exercise.texts["exp:self"] == answer_of("exp:self")
    assert exercise.hints == {"add:other": 2}
    assert exercise.current == "add:other"


def log(node, text, *, correct=False, shown=False, lesson="backward-rules", kind=RULE_ATTEMPT_KIND):
    return {"lesson": lesson, "node": node, "text": text, "correct": correct, "shown": shown, "kind": kind}


def test_the_learners_rules_come_back_from_the_attempt_log_as_text():
    attempts = [
        log("mul:self", "self.grad = other.data * out.grad"),
        log("mul:self", "self.grad += out.grad*other.data", correct=True),
        log("tanh:self", "", shown=True),
        log("add:self", "self.grad += out.grad", correct=True, lesson="chain-rule"),
        log("add:other", "other.grad += out.grad", correct=True, kind="gradient"),
        log("sin:self", "self.grad += 1", correct=True),
    ]
    assert learner_rules(attempts) == {"mul:self": "self.grad += out.grad*other.data",
                                       "tanh:self": "self.grad += (1 - t**2) * out.grad"}
