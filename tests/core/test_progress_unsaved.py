"""ProgressStore.unsaved(): what leaving asks before writing. A tutor hung up on saves only what
its last save did not write, so a lab's hundred tutors ending at once do not all write at once."""

from __future__ import annotations

from tui_grad.core.progress import ProgressStore

from tests.core.test_progress import answer


def test_nothing_is_unsaved_after_a_load_or_a_save(tmp_path):
    store = ProgressStore(tmp_path).load()
    assert not store.unsaved()
    answer(store, "L")
    assert store.unsaved()
    assert store.save() is None
    assert not store.unsaved()
    assert not ProgressStore(tmp_path).load().unsaved()


def test_a_changed_record_an_answer_and_a_reset_each_count(tmp_path):
    store = ProgressStore(tmp_path).load()
    answer(store, "L")
    store.save()
    store.lesson("chain-rule").part = 1  # a record changed, no answer logged
    assert store.unsaved()
    store.save()
    store.reset("chain-rule")
    assert store.unsaved()


def test_a_failed_save_leaves_it_unsaved(tmp_path):
    blocked = tmp_path / "home"
    blocked.write_text("a file where the progress folder should be")
    store = ProgressStore(blocked)
    answer(store, "L")
    assert store.save() is not None
    assert store.unsaved()


def test_opening_a_part_alone_is_not_worth_a_write(tmp_path):
    store = ProgressStore(tmp_path).load()
    store.lesson("chain-rule").part_progress(0)  # what showing the first question does
    assert not store.unsaved()
    answer(store, "L")
    assert store.unsaved()


def test_leaving_line_mode_with_progress_it_cannot_save_exits_non_zero(tmp_path):
    """Before: "Progress could not be saved" and exit status 0, so a script or a lab saw success."""
    import errno
    import io

    from tui_grad.core import home_files
    from tui_grad.core.catalog import load_catalog
    from tui_grad.core.progress import UNSAVED_STATUS
    from tui_grad.plain import run_plain

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    store = ProgressStore(tmp_path).load()
    out = io.StringIO()
    real = home_files.Home.append
    home_files.Home.append = full  # the disk is full for every answer and at the end
    try:
        status = run_plain(load_catalog(), "chain-rule", store, None, stdin=io.StringIO("\n1\nquit\n"), stdout=out)
    finally:
        home_files.Home.append = real
    assert "Progress could not be saved" in out.getvalue()
    assert status == UNSAVED_STATUS != 0
    ok = io.StringIO()
    assert run_plain(load_catalog(), "chain-rule", ProgressStore(tmp_path / "room").load(), None,
                     stdin=io.StringIO("\n1\nquit\n"), stdout=ok) == 0
    assert "Progress is saved in" in ok.getvalue()
