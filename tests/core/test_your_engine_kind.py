"""The your-engine lesson: the learner's own rules, from their attempt log, replayed beside the
engine's pass in both faces; a wrong rule is named at the first edge it changes; a learner without
rules is sent to write them."""

from __future__ import annotations

import io

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession
from tui_grad.core.parts import DONE, REPLAY
from tui_grad.core.progress import ProgressStore
from tui_grad.core.rule_checker import OPS
from tui_grad.core.rule_exercise import RULE_ATTEMPT_KIND
from tui_grad.core.views import text_of
from tui_grad.plain import run_plain

CATALOG = load_catalog()
LESSON = CATALOG.find("your-engine")


def write_rules(home, **changed: str) -> ProgressStore:
    """A learner who wrote micrograd's rules in backward-rules (some replaced by `changed`, as
    they were accepted then: the log holds what was typed)."""
    store = ProgressStore(home).load()
    for op in OPS.values():
        for target in op.inputs:
            key = f"{op.key}:{target}"
            store.record({"lesson": "backward-rules", "part": 1, "node": key, "kind": RULE_ATTEMPT_KIND,
                          "text": changed.get(key.replace(":", "_"), op.answers[target]), "value": None,
                          "correct": True, "shown": False, "mistake": None, "hints": 0, "skills": ["rules"]})
    store.save()
    return ProgressStore(home).load()


def replay_to_end(session: LessonSession) -> list[str]:
    seen = []
    while not session.replay.done:
        session.advance()
        seen.append(text_of(session.message))
    return seen


def test_without_rules_the_learner_is_sent_to_write_them(tmp_path):
    session = LessonSession(LESSON, ProgressStore(tmp_path).load())
    session.go_on()
    assert session.phase == DONE
    words = text_of(session.message)
    assert "Your engine has no rule yet for * (both lines) and + (both lines)" in words
    assert "write them in the lesson 'backward-rules' first" in words


def test_the_learners_rules_agree_with_the_engine_at_every_edge(tmp_path):
    session = LessonSession(LESSON, write_rules(tmp_path))
    session.go_on()
    assert session.phase == REPLAY
    seen = replay_to_end(session)
    # six edges, the last shown as a step of its own, then done with the summary under that step
    assert len(seen) == 7 and all("✓ same" in text for text in seen)
    assert "You earned 6 of 6" in seen[-1] and "You earned" not in seen[-2]
    assert session.status()[0].text.startswith("Backward pass done") or session.flow.done_line().startswith(
        "your engine agrees with tui-grad's at all 6 steps")


def test_a_rule_that_adds_a_wrong_share_is_named_at_the_first_edge_it_runs(tmp_path):
    store = write_rules(tmp_path, mul_other="other.grad += other.data * out.grad")
    session = LessonSession(LESSON, store)
    session.go_on()
    seen = replay_to_end(session)
    assert "✗ differs" in seen[1] and "✓ same" in seen[0]
    assert ("step 2 of 6, L → f: your other's line of * (other.grad += other.data * out.grad) leaves f.grad = -2"
            in seen[1])
    assert session.flow.replay_grads(2)["f"] == -2  # while it replays, the boxes show the learner's engine


def test_both_faces_leave_mid_lesson_and_come_back(tmp_path):
    store = write_rules(tmp_path)
    first = LessonSession(LESSON, store)
    first.go_on()
    first.skip()
    first.go_on()  # on to the neuron
    assert first.part_index == 1
    first.leave()
    again = LessonSession(LESSON, ProgressStore(tmp_path).load())
    assert again.part_index == 1 and again.phase == REPLAY and again.resumed

    home = tmp_path / "plain"
    write_rules(home)
    out = io.StringIO()
    run_plain(CATALOG, "your-engine", ProgressStore(home).load(), None, stdin=io.StringIO("\nlessons\n"),
              stdout=out)
    assert "Your engine beside tui-grad's, one edge at a time:" in out.getvalue()
    out = io.StringIO()
    run_plain(CATALOG, "your-engine", ProgressStore(home).load(), None, stdin=io.StringIO("\nlessons\n"),
              stdout=out)
    text = out.getvalue()
    assert "Resuming at part 2 of 2" in text and "1. o → n   self.grad += (1 - t**2) * out.grad" in text
