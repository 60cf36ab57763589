"""Home.open: the progress folder checked and opened, and what it says when it cannot be."""

from __future__ import annotations

from pathlib import Path

from tui_grad.core.home_files import Home
from tui_grad.core.progress import ProgressStore

from tests.core.test_progress import answer


def vanish_on_mkdir(monkeypatch) -> None:
    """The folder is made, then removed by someone else before it can be opened."""
    monkeypatch.setattr(Path, "mkdir", lambda self, *args, **kwargs: None)


def test_a_missing_folder_is_none_when_only_read(tmp_path):
    assert Home.open(tmp_path / "nobody", create=False) is None


def test_a_folder_removed_while_it_was_made_is_an_error_not_none(tmp_path, monkeypatch):
    vanish_on_mkdir(monkeypatch)
    try:
        Home.open(tmp_path / "gone", create=True)
    except FileNotFoundError as error:
        assert "removed while it was being opened" in str(error) and "gone" in str(error)
    else:
        raise AssertionError("Home.open(create=True) returned without a folder")


def test_a_save_into_a_folder_removed_meanwhile_says_so_and_keeps_the_answers(tmp_path, monkeypatch):
    store = ProgressStore(tmp_path / "gone")
    answer(store, "L")
    vanish_on_mkdir(monkeypatch)
    sentence = store.save()
    assert sentence is not None and "cannot be saved" in sentence and "removed while it was being opened" in sentence
    assert store.unsaved()
