"""Training runs in core: the kind takes the steps and words them as frames, which the app paints
and line mode prints; neither face drives the training itself."""

from __future__ import annotations

import math

from tui_grad.core.flow import LessonSession
from tui_grad.core.kinds.network import NetworkRun
from tui_grad.core.kinds.train import FormulaRun, TrainFlow
from tui_grad.core.lesson_file import load_lesson, part_from_table
from tui_grad.core.network import NetworkTrainer

from tests.core.test_training import LINE_FIT, ONE_WEIGHT


def formula_run(write_lesson, text: str) -> FormulaRun:
    session = LessonSession(load_lesson(write_lesson(text)))
    assert isinstance(session.flow, TrainFlow)
    run = session.flow.run(session.inputs)
    assert isinstance(run, FormulaRun)
    return run


def test_a_formula_run_takes_steps_up_to_the_pace_and_words_each_frame(write_lesson) -> None:
    run = formula_run(write_lesson, LINE_FIT)
    assert run.advance(0).words == "step 0 of 800 · loss 56 · m = 0, b = 0"
    frame = run.advance(5)
    assert frame.step == 5 and len(frame.losses) == 6 and not frame.over
    assert frame.words.startswith("step 5 of 800 · loss ") and "m = " in frame.words
    assert run.picture == "line" and run.line() == (frame.latest.params["m"], frame.latest.params["b"])
    assert run.advance(800).over and run.frame().step == 800


def test_a_formula_run_that_overflows_stops_with_the_reason(write_lesson) -> None:
    run = formula_run(write_lesson, ONE_WEIGHT.replace("STEP_SIZE", "10").replace("STEPS", "1000"))
    frame = run.advance(1000)
    assert frame.over and frame.step < 1000 and "too large" in frame.failure
    lines = list(formula_run(write_lesson, ONE_WEIGHT.replace("STEP_SIZE", "10").replace("STEPS", "1000"))
                 .report(100))
    assert frame.failure in lines and lines[-1].startswith(f"After {frame.step} steps")


def test_a_one_parameter_run_draws_its_landscape(write_lesson) -> None:
    run = formula_run(write_lesson, ONE_WEIGHT.replace("STEP_SIZE", "0.1").replace("STEPS", "30"))
    run.advance(3)
    low, high = run.landscape_span()
    curve = run.landscape()(10)
    assert run.picture == "landscape" and len(curve) == 11 and curve[0][0] == low and math.isclose(curve[-1][0], high)
    assert len(run.trail) == 4


def test_a_network_run_gives_loss_and_accuracy_and_stops_on_overflow() -> None:
    table = {"kind": "network", "dataset": "moons", "samples": 20, "hidden": [4], "steps": 3, "step_size": 0.5}
    spec = part_from_table(table).network
    run = NetworkRun(spec, NetworkTrainer(spec))
    assert math.isnan(run.frame().accuracy) and run.frame().words == "step 0 of 3"
    run.take_step()
    assert run.frame().step == 1 and "accuracy" in run.frame().words and not run.frame().over
    lines = list(run.report(1))
    assert lines[-1].startswith("After 3 steps: loss ") and run.frame().over and run.finished


class Overflowing(NetworkTrainer):
    """A trainer whose third step overflows, as a too-large step size does."""

    def step(self) -> tuple[float, float]:
        if self.steps_taken == 2:
            raise OverflowError("the loss overflowed")
        return super().step()


def test_a_network_run_that_overflows_stops_with_the_reason() -> None:
    spec = part_from_table({"kind": "network", "samples": 20, "hidden": [4], "steps": 5, "step_size": 0.5}).network
    run = NetworkRun(spec, Overflowing(spec))
    report = list(run.report(1))
    assert report[-1] == run.failure == ("Training stopped at step 2: the loss overflowed. The step size 0.5 is "
                                         "too large for this network; try a smaller one.")
    assert run.frame().over and run.frame().step == 2 and not run.finished
