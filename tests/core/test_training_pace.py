"""A training run's pace lives in the session's replay, for both faces: what N, Space, S, + and -
do to it, what the status line says, and line mode running it all at once through the same calls."""

from __future__ import annotations

import io

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import TRAINING, LessonSession
from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.parts import DONE, WATCH
from tui_grad.core.progress import ProgressStore
from tui_grad.core.views import CONTINUE, LEAVE, REPLAY_ACTIONS, text_of
from tui_grad.plain import run_plain

from tests.core.test_plain import MIXED_LESSON
from tests.core.test_training import LINE_FIT


def line_fit(write_lesson) -> LessonSession:
    session = LessonSession(load_lesson(write_lesson(LINE_FIT)))
    assert session.phase == WATCH and session.replay.kind == TRAINING and session.replay.length == 800
    return session


def status(session: LessonSession) -> str:
    return text_of((session.status(),), {CONTINUE: "Enter"})


def test_the_keys_of_a_run_and_what_they_do(write_lesson):
    session = line_fit(write_lesson)
    assert session.allowed == (*REPLAY_ACTIONS, LEAVE)
    assert status(session) == "▶ training  speed 1×"
    session.advance()
    session.drawn(session.replay.position)
    session.step()  # one update step past what is drawn, and paused
    assert session.replay.paused and session.replay.position == 2
    session.drawn(2)
    session.step()
    assert session.replay.position == 3 and "⏸ paused" in status(session)
    session.faster()
    assert "speed 2×" in status(session) and session.tick_seconds == session.flow.tick_seconds() / 2
    session.toggle_pause()
    assert not session.replay.paused and status(session).startswith("▶ training")


def test_a_pause_holds_a_skip_where_the_face_stands_and_resuming_goes_on_skipping(write_lesson):
    session = line_fit(write_lesson)
    session.skip()
    assert session.replay.position == 800 and "▶ finishing" in status(session)
    session.drawn(120)
    session.toggle_pause()
    assert session.replay.position == 120 and "⏸ paused" in status(session)
    session.toggle_pause()
    assert session.replay.position == 800 and "▶ finishing" in status(session)


def test_the_end_of_a_run_offers_enter_and_saves_its_steps(write_lesson):
    session = line_fit(write_lesson)
    session.skip()
    session.trained(800)
    assert session.phase == DONE and session.replay is None and session.allowed == (CONTINUE, LEAVE)
    assert status(session) == "✓ done   Enter: continue"
    assert text_of((session.training_status("step 800 of 800"),), {CONTINUE: "Enter"}) == \
        "✓ done  step 800 of 800   Enter: continue"


def test_a_run_that_stopped_says_why(write_lesson):
    session = line_fit(write_lesson)
    session.trained(3, "Training stopped at step 3: too large.")
    assert status(session) == "✗ stopped  Training stopped at step 3: too large.   Enter: continue"


def test_line_mode_runs_a_network_that_blows_up_to_a_sentence_not_a_traceback(write_lesson, tmp_path,
                                                                               monkeypatch):
    from tui_grad.core.network import NetworkTrainer
    from tui_grad.engine import EngineError

    original = NetworkTrainer.step

    def overflowing(self):
        if self.steps_taken == 2:
            raise EngineError("exp", ("w",), "w is too large; exp overflows a float")
        return original(self)

    monkeypatch.setattr(NetworkTrainer, "step", overflowing)
    catalog = load_catalog(write_lesson(MIXED_LESSON, "mixed.toml").parent)
    store = ProgressStore(tmp_path).load()
    store.lesson("mixed").part = 4  # straight to the network part
    out = io.StringIO()
    run_plain(catalog, "mixed", store, None, stdin=io.StringIO("\n\n\n"), stdout=out)
    text = out.getvalue()
    assert "Training stopped at step 2: " in text and "too large for this network" in text
    assert "Traceback" not in text and "Enter to continue" in text
