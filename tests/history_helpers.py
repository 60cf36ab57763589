"""Making a learner's saved answers older, as the files would hold them days later."""

from __future__ import annotations

import json
from pathlib import Path

from tui_grad.core.progress import FILE_NAME, LOG_NAME, ProgressStore


def aged(store: ProgressStore, seconds: float) -> ProgressStore:
    """Save the store, move every logged answer `seconds` into the past, and load it again. The
    state file's summaries are dropped with it, so the load builds them again from the log."""
    assert store.save() is None
    folder = Path(store.folder)
    log = folder / LOG_NAME
    lines = log.read_text(encoding="utf-8").splitlines()
    moved = [lines[0]] + [json.dumps({**line, "at": line["at"] - seconds}) for line in map(json.loads, lines[1:])]
    log.write_text("\n".join(moved) + "\n", encoding="utf-8")
    state = json.loads((folder / FILE_NAME).read_text(encoding="utf-8"))
    state.pop("history", None)
    (folder / FILE_NAME).write_text(json.dumps(state), encoding="utf-8")
    return ProgressStore(folder).load()
