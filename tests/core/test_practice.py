"""Practice: levels that follow the learner, resuming, spaced review, and the learner's own formula."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from tui_grad.core.exercise import format_number
from tui_grad.core.formula import (
    FormulaError,
    formula_lesson,
    formula_part,
    parse_values,
)
from tui_grad.core.generator import graph_key
from tui_grad.core.practice import DAY, PracticeRun, easier_level, replay
from tui_grad.core.progress import ProgressStore
from tui_grad.core.rule_exercise import RuleExercise, answer_of
from tui_grad.core.skills import SKILLS, skills_of_node
from tui_grad.plain import run_plain_series


def work(session, wrong: bool = False, hint: bool = False) -> None:
    """Answer every question of a practice session: right, or the first one wrong (or with a hint).
    A rule is answered with micrograd's line (wrong: with = for +=)."""
    first = True
    while session.asked:
        if isinstance(session.flow.exercise, RuleExercise):
            right = answer_of(session.asked)
            wrong_text = right.replace("+=", "=")
        else:
            expected = session.flow.exercise.expected(session.asked)
            right, wrong_text = format_number(expected), format_number(expected + 1)
        if first and hint:
            session.hint()
        if first and wrong:
            session.answer(wrong_text)
        session.answer(right)
        first = False


def finish(session) -> None:
    """Watch the replay to its end and go on to the exercise's summary."""
    if session.replay is not None and not session.replay.done:
        session.skip()
    session.go_on()


def test_three_right_in_a_row_move_up_and_a_miss_brings_an_easier_graph_of_the_same_skill(tmp_path):
    store = ProgressStore(tmp_path).load()
    run = PracticeRun(store, level=2)
    levels = []
    for _ in range(3):
        session = run.session()
        levels.append(run.item.level)
        work(session)
        finish(session)
    assert levels == [2, 2, 2] and run.state().level == 3
    session = run.session()
    assert run.item.level == 3
    session.answer(format_number(session.flow.exercise.expected(session.asked)))  # dL/dL: no skill of its own
    graph = session.flow.exercise.graph
    skill = max(skills_of_node(graph.nodes[session.asked], graph.nodes, graph.output), key=list(SKILLS).index)
    work(session, wrong=True)  # the next node missed: its most advanced skill goes a level easier
    finish(session)
    state = run.state()
    assert state.streak == 0 and state.level == easier_level(skill, 3)
    assert "a miss" in state.events[-1]
    run.session()
    assert run.item.skill == skill and run.item.level == easier_level(skill, 3)


def test_a_miss_lowers_the_level_by_the_skill_of_the_node_missed_not_the_exercises_tag(tmp_path):
    run = PracticeRun(ProgressStore(tmp_path).load(), level=3)
    session = run.session()
    session.answer(format_number(session.flow.exercise.expected(session.asked)))  # dL/dL, no skill of its own
    graph = session.flow.exercise.graph
    missed = session.asked
    assert skills_of_node(graph.nodes[missed], graph.nodes, graph.output) == ("product",)
    work(session, wrong=True)
    attempts = [dict(a, practice_skill="paths") for a in ProgressStore(tmp_path).load().attempts]
    state = replay(attempts)  # tagged "paths", which no easier level trains: the tag alone would keep level 3
    assert state.level == easier_level("product", 3) == 2
    assert state.easier_for == "product"
    assert state.events[-1] == "level 3 → 2 (a miss: an easier graph for product next)"


def test_a_hint_breaks_the_streak(tmp_path):
    run = PracticeRun(ProgressStore(tmp_path).load(), level=1)
    session = run.session()
    work(session, hint=True)
    finish(session)
    assert run.state().streak == 0


def test_an_exercise_left_half_done_comes_back_where_it_was(tmp_path):
    run = PracticeRun(ProgressStore(tmp_path).load(), level=2)
    session = run.session()
    first = session.asked
    session.answer(format_number(session.flow.exercise.expected(first)))
    second = session.asked
    item = run.item

    again = PracticeRun(ProgressStore(tmp_path).load())  # a new process
    resumed = again.session()
    assert again.item == item and resumed.asked == second and resumed.resumed


def test_an_hour_of_practice_never_shows_the_same_graph_twice(tmp_path):
    run = PracticeRun(ProgressStore(tmp_path).load(), level=1)
    seen = set()
    for _ in range(60):  # a minute an exercise
        session = run.session()
        part = session.lesson.parts[0]
        key = graph_key(part)
        assert key not in seen or not part.assignments  # the rule level asks for one of six rules: no graph
        seen.add(key)
        work(session)
        finish(session)


def test_practised_skills_come_due_again_after_days(tmp_path):
    store = ProgressStore(tmp_path).load()
    run = PracticeRun(store, level=1)
    session = run.session()
    work(session)
    state = replay(store.attempts)
    due = dict(state.due())
    assert due and all(moment - state.last_practised[skill] == pytest.approx(DAY) for skill, moment in due.items())


def test_every_practice_answer_carries_level_skill_and_seed(tmp_path):
    store = ProgressStore(tmp_path).load()
    run = PracticeRun(store, level=3)
    work(run.session())
    saved = [a for a in ProgressStore(tmp_path).load().attempts if a.get("lesson") == "practice"]
    assert saved and all(a["level"] == 3 and a["practice_skill"] == run.item.skill and a["seed"] == run.item.seed
                         for a in saved)


def test_line_mode_transcript_shows_the_level_go_down_and_up(tmp_path):
    store = ProgressStore(tmp_path).load()
    run = PracticeRun(store, level=3)
    sessions = []
    make = run.session

    def first():
        session = make()
        sessions.append(session)
        return session

    run.session = first  # successor() asks run.session for the next exercise too
    planted = {"done": False}

    class Learner(io.StringIO):
        """Answers right, except one planted wrong answer on the first node whose skill has an easier
        level (a miss lowers the level by the skill of the node missed); stops after a dozen exercises."""

        def readline(self, *args) -> str:
            session = sessions[-1]
            if len(sessions) > 12:
                return ""
            if not session.asked:
                return "\n"
            exercise = session.flow.exercise
            expected = exercise.expected(session.asked)
            graph = getattr(exercise, "graph", None)
            node_skills = skills_of_node(graph.nodes[session.asked], graph.nodes, graph.output) if graph else ()
            skill = max(node_skills, key=list(SKILLS).index) if node_skills else ""
            if not planted["done"] and skill and easier_level(skill, run.item.level) < run.item.level:
                planted["done"] = True
                return format_number(expected + 1) + "\n"
            return format_number(expected) + "\n"

    out = io.StringIO()
    assert run_plain_series(first, store, stdin=Learner(), stdout=out) == 0
    text = out.getvalue()
    down = text.index("(a miss: an easier graph for")
    assert "Wrong." in text[:down]
    assert "(three exercises right in a row)" in text[down:]
    assert "Traceback" not in text


def test_the_instructor_reproduces_one_exercise_and_nothing_is_saved(tmp_path):
    store = ProgressStore(tmp_path).load()
    one = PracticeRun(store, level=4, seed=17).session()
    two = PracticeRun(store, level=4, seed=17).session()
    assert graph_key(one.lesson.parts[0]) == graph_key(two.lesson.parts[0])
    work(one)
    assert not [a for a in ProgressStore(tmp_path).load().attempts if a.get("lesson") == "practice"]


def test_own_formula_is_cut_into_named_steps_and_its_gradient_is_the_seeds():
    part = formula_part("(x+2)**2 + x**3", {"x": 5.0})
    assert [a.text for a in part.assignments] == ["u = x + 2", "v = u ** 2", "w = x ** 3", "L = v + w"]
    graph = part.build()
    graph.output.backward()
    assert graph.nodes["x"].grad == 89  # seed 001: (x+2)^2 + x^3 at x = 5 has derivative 89


@pytest.mark.parametrize(("formula", "values", "column", "words"), [
    ("x + zz", "x=5", 5, "unknown name 'zz'"),
    ("log(x - 7)", "x=5", 1, "not positive"),
    ("(x +", "x=1", 4, ""),
    ("2 + 3", "x=1", 1, "no input"),
    ("x*x*x*x*x*x*x*x*x*x*x*x*x*x*x*x", "x=1", 0, ""),
])
def test_own_formula_problems_say_what_and_where(formula, values, column, words):
    with pytest.raises(FormulaError) as caught:
        formula_lesson(formula, parse_values(values))
    if column:
        assert caught.value.column == column
    assert words in caught.value.message


@pytest.mark.parametrize("values", ["x", "x=abc", "x=inf", ""])
def test_values_that_are_not_name_equals_number_are_refused(values):
    with pytest.raises(FormulaError):
        parse_values(values)


def tutor(*args: str, home, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "TUI_GRAD_HOME": str(home), "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "tui_grad", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def test_practice_command_works_an_own_formula_in_line_mode(tmp_path):
    done = tutor("practice", "--plain", "--formula", "(x+2)**2 + x**3", "--values", "x=5", home=tmp_path,
                 stdin="1\n1\n1\n14\n89\n\n")
    assert done.returncode == 0, done.stderr
    assert "dL/dx = 89\nRight." in done.stdout


def test_practice_command_refuses_a_bad_formula_with_its_column(tmp_path):
    done = tutor("practice", "--formula", "log(x - 7)", "--values", "x=5", home=tmp_path)
    assert done.returncode == 2 and "column 1" in done.stderr and "Traceback" not in done.stderr


def test_trace_takes_an_own_formula(tmp_path):
    import json

    done = tutor("trace", "--formula", "(x+2)**2 + x**3", "--values", "x=5", "--json", home=tmp_path)
    assert done.returncode == 0, done.stderr
    nodes = {node["name"]: node for node in json.loads(done.stdout)["nodes"]}
    assert nodes["x"]["grad"] == 89 and nodes["L"]["data"] == 174
    refused = tutor("trace", "--formula", "x + y", "--values", "x=5", home=tmp_path)
    assert refused.returncode == 2 and "column 5" in refused.stderr


def test_a_clock_set_back_does_not_shuffle_practice(tmp_path):
    """The level follows the order answers were saved in, not their clock times: a home shared by
    machines whose clocks disagree gives the same state."""
    store = ProgressStore(tmp_path).load()
    run = PracticeRun(store, level=2)
    for wrong in (True, False, False, False):  # a miss goes down a level, three right come back up
        session = run.session()
        work(session, wrong=wrong)
        finish(session)
    saved = ProgressStore(tmp_path).load().attempts
    backwards = [{**attempt, "at": 1e9 - index} for index, attempt in enumerate(saved)]
    assert replay(backwards).level == replay(saved).level == run.state().level
    assert [event.split(" (")[0] for event in replay(backwards).events] == [
        event.split(" (")[0] for event in run.state().events]


def test_practice_command_reaches_every_level_and_names_the_top_one(tmp_path):
    """--level takes every level there is (the top one works an exercise in line mode) and refuses one
    past it, saying where levels end; the help names the same top level."""
    from tui_grad.core.generator import LEVELS, generate
    from tui_grad.core.kinds.registry import kind_of

    top = len(LEVELS)
    part = generate(top, 1)
    exercise = kind_of(part).exercise(part)
    assert exercise is not None
    answers = "".join(f"{format_number(exercise.expected(name))}\n" for name in exercise.order)
    done = tutor("practice", "--plain", "--level", str(top), "--seed", "1", home=tmp_path, stdin=answers + "\n")
    assert done.returncode == 0, done.stderr
    assert f"level {top}" in done.stdout and done.stdout.count("Right.") == len(exercise.order)
    refused = tutor("practice", "--level", str(top + 1), home=tmp_path)
    assert refused.returncode == 2 and f"1 to {top}" in refused.stderr
    assert f"to {top})" in tutor("practice", "--help", home=tmp_path).stdout


def test_line_mode_practice_waits_for_enter_before_the_next_exercise(tmp_path):
    """"Enter: the next exercise" was printed and the next exercise started without a key."""
    store = ProgressStore(tmp_path).load()
    run = PracticeRun(store, level=1)
    sessions = []
    make = run.session

    def first():
        sessions.append(make())
        return sessions[-1]

    run.session = first  # successor() asks run.session for the next exercise too

    class Learner(io.StringIO):
        """Answers the first exercise right, then goes back to the lessons at its summary."""

        def readline(self, *args) -> str:
            session = sessions[-1]
            if len(sessions) > 1:
                return ""  # a second exercise began: end the input
            if session.asked:
                return format_number(session.flow.exercise.expected(session.asked)) + "\n"
            return "lessons\n" if session.phase == "outro" else "\n"

    out = io.StringIO()
    assert run_plain_series(first, store, stdin=Learner(), stdout=out) == 0
    text = out.getvalue()
    assert text.count("Exercise done.") == 1 and text.count("Practice · level") == 1, text[-600:]
    assert "Enter to continue" in text[text.index("Exercise done."):]


def test_the_streak_at_the_top_level_promises_no_level_up(tmp_path):
    """At level 6 the counter read 'streak 3 of 3' and nothing happened."""
    from tui_grad.core.generator import LEVELS
    from tui_grad.core.home import practice_status
    from tui_grad.core.practice import replay

    store = ProgressStore(tmp_path).load()
    run = PracticeRun(store, level=len(LEVELS))
    for _ in range(4):
        session = run.session()
        work(session)
    state = replay(store.attempts)
    assert state.level == len(LEVELS) and state.streak == 4
    for said in (practice_status(store.history), run.heading(), run.summary()):
        assert "of 3" not in said and "top level, 4 right in a row" in said, said


def test_a_miss_on_the_outputs_own_gradient_keeps_the_level(tmp_path):
    """Missing dL/dL = 1 at level 4 said "an easier graph for sum next" (the exercise's random tag)
    on a tanh exercise, and a second such miss went down to level 2."""
    from tui_grad.core.practice import replay

    store = ProgressStore(tmp_path).load()
    run = PracticeRun(store, level=4)
    for _ in range(2):
        session = run.session()
        output = session.asked
        assert output == session.flow.exercise.output_name
        session.answer(format_number(session.flow.exercise.expected(output) + 1))  # dL/dL wrong
        work(session)
    state = replay(store.attempts)
    assert state.level == 4 and state.streak == 0
    assert all("easier graph" not in event for event in state.events), state.events
    assert "output's own gradient" in state.events[-1]

