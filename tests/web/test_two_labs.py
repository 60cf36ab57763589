"""A course bigger than one server: two labs on two rosters, each with its own port and homes folder,
and one class view over both that names every learner as their roster does, says who is active
(a key counts, not only an answer) and who made which mistake where."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from pathlib import Path

import aiohttp

from tui_grad.core.catalog import load_catalog
from tui_grad.ui.classview import ClassApp, ClassScreen

from tests.ui.screen_text import screen_text
from tests.web.lab import WAIT, LabProcess, open_tab
from tests.web.test_serve import open_chain_rule, run_cli

ADA, GRACE, ALAN = "Ada Lovelace", "Grace Hopper", "Alan Turing"


async def wait_for_file(path: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        await asyncio.sleep(0.05)  # polling a folder for a condition


async def test_two_labs_on_two_rosters_and_one_class_view_over_both(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = LabProcess(tmp_path / "one", [ADA, GRACE])
    second = LabProcess(tmp_path / "two", [ALAN])
    try:
        assert first.url != second.url  # each server its own port
        async with aiohttp.ClientSession() as http:
            ada = await open_tab(http, first.link(ADA))
            await open_chain_rule(ada)
            await ada.type("-1")
            await ada.wait_for("dL/dL is not -1")
            await ada.type("1")
            await ada.wait_for("Find dL/dd")
            alan = await open_tab(http, second.link(ALAN))
            await open_chain_rule(alan)
            await alan.type("7")
            await alan.wait_for("dL/dL is not 7")
            grace = await open_tab(http, first.link(GRACE))
            await grace.wait_for("tui-grad · Grace Hopper")
            await grace.keys("Down")  # she reads; she answers nothing
            await wait_for_file(first.homes / "grace-hopper" / ".active")
            for tab in (ada, alan, grace):
                await tab.close()
    finally:
        first.stop()
        second.stop()

    done = run_cli("class", str(first.homes), str(second.homes), "--export", "jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    learners = {row["learner"]: row for row in rows if row["table"] == "learner"}
    assert set(learners) == {ADA, GRACE, ALAN}
    assert learners[GRACE]["answers"] == 0 and learners[GRACE]["last_active"], "a key is activity"
    assert learners[GRACE]["folder"] == "grace-hopper"
    pairs = {(row["learner"], row["node"]): row for row in rows if row["table"] == "learner_node"}
    assert set(pairs) == {(ADA, "L"), (ALAN, "L")}
    assert (pairs[ADA, "L"]["tries"], pairs[ADA, "L"]["first_try_right"]) == (2, False)
    assert pairs[ADA, "L"]["mistakes"] and pairs[ALAN, "L"]["tries"] == 1
    exported = run_cli("class", str(first.homes), str(second.homes), "--export", "csv", cwd=tmp_path)
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert {row["learner"] for row in table if row["table"] == "learner_node"} == {ADA, ALAN}

    app = ClassApp((first.homes, second.homes), load_catalog(), interval=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        assert isinstance(app.screen, ClassScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "3 learners in" in text and str(second.homes)[-20:] in "".join(text.split())
        assert all(name in text for name in (ADA, GRACE, ALAN))
