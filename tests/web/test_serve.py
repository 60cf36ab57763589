"""`tui-grad serve` as a learner's browser meets it: a real server on a free loopback port, the
terminal stream of each tab fed into a screen emulator, and the progress each learner saves."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tui_grad.core.progress import ProgressStore

from tests.web.lab import REPOSITORY, WAIT, LabProcess, open_tab, socket_url

ANSWERS = [("L", "1"), ("d", "-2"), ("f", "4"), ("e", "-2*1"), ("c", "−2"), ("a", "6"), ("b", "-4.0")]
ADA, ALAN = "Ada Lovelace", "Alan Turing"
ALLOWED_ENVIRONMENT = {"PATH", "HOME", "LANG", "PYTHONIOENCODING", "PYTHONPATH", "TERM", "COLORTERM",
                       "TEXTUAL_DRIVER", "TEXTUAL_FPS", "TEXTUAL_COLOR_SYSTEM", "TERM_PROGRAM", "COLUMNS", "ROWS",
                       "LINES", "TUI_GRAD_HOME", "TUI_GRAD_LEARNER", "TEXTUAL_ANIMATIONS", "TUI_GRAD_THEME",
                       "TUI_GRAD_LOW_BANDWIDTH", "NO_COLOR"}


@pytest.fixture
def lab_factory(tmp_path):
    labs = []

    def start(*extra: str, names=(ADA, ALAN), env=None) -> LabProcess:
        lab = LabProcess(tmp_path, list(names), *extra, env=env)
        labs.append(lab)
        return lab

    yield start
    for lab in labs:
        lab.stop()


def tutor_processes(server_pid: int) -> list[int]:
    """The tutor processes the server started (its children)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode("utf-8", "replace").split("\0") if "=" in entry)


async def open_chain_rule(tab) -> None:
    await tab.wait_for("4. The chain rule by hand")
    await tab.keys("Down", "Down", "Down", "Enter")
    await tab.wait_for("Four numbers go in")
    await tab.keys("Enter")
    await tab.wait_for("Find dL/dL")


async def test_a_learner_works_the_chain_rule_in_a_served_tab_with_their_own_progress(lab_factory):
    # TERM=dumb on the server must not put browser sessions into line mode; a variable of the
    # server's own must not reach them.
    lab = lab_factory(env={"TERM": "dumb", "LAB_SERVER_SECRET": "do-not-pass"})
    async with aiohttp.ClientSession() as http:
        tab = await open_tab(http, lab.link(ADA), width=104, height=32)
        screen = await tab.wait_for("tui-grad · Ada Lovelace")
        assert max(row.count("─") for row in screen.splitlines()) > 80, \
            "the first screen fills the browser's 104 columns, not a default 80"
        [tutor] = tutor_processes(lab.process.pid)
        environment = environment_of(tutor)
        assert set(environment) <= ALLOWED_ENVIRONMENT, set(environment) - ALLOWED_ENVIRONMENT
        assert environment["TUI_GRAD_HOME"] == str(lab.homes / "ada-lovelace")
        assert (environment["COLUMNS"], environment["ROWS"], environment["TERM"]) == ("104", "32", "xterm-256color")
        await open_chain_rule(tab)
        await tab.wait_for("f3 Nudge")  # the footer names the browser's key first, never Ctrl+N
        await tab.keys("F3")  # Ctrl+N would open a browser window instead
        screen = await tab.wait_for("Nudge L by h, run forward again")
        assert "F3 again for a smaller h" in screen and "^n" not in screen
        await tab.type("7")
        screen = await tab.wait_for("✗ Wrong")
        assert "dL/dL is not 7" in screen
        for (node, answer), following in zip(ANSWERS, [*ANSWERS[1:], None], strict=True):
            await tab.wait_for(f"Find dL/d{node}")
            await tab.type(answer)
            if following is not None:
                await tab.wait_for(f"Find dL/d{following[0]}")
        # the score comes in the frame after the status line's (the feedback is laid out again)
        screen = await tab.wait_for("You earned 7 of 7")
        assert "Backward pass done" in screen
        await tab.keys("u")
        await tab.wait_for("-7.286496")
        await tab.keys("Enter")
        await tab.wait_for("What you just did")
        await tab.keys("Enter")
        screen = await tab.wait_for("✓ finished")
        assert any("The chain rule by hand" in row and "✓ finished" in row for row in screen.splitlines())
        await tab.keys("Ctrl+Q")
        await tab.wait_closed()

        ada = ProgressStore(lab.homes / "ada-lovelace").load()
        assert ada.lessons["chain-rule"].finished
        assert [a["text"] for a in ada.attempts if a["lesson"] == "chain-rule"][:2] == ["7", "1"]

        other = await open_tab(http, lab.link(ALAN))  # the second learner sees none of it
        screen = await other.wait_for("tui-grad · Alan Turing")
        assert any("The chain rule by hand" in row and "not started" in row for row in screen.splitlines())
        await other.close()
    alan = ProgressStore(lab.homes / "alan-turing").load()
    assert not alan.attempts and not any(record.started for record in alan.lessons.values())
    log = lab.stderr()
    assert "session started for ada-lovelace" in log
    assert not any(link.rsplit("/", 1)[1] in log for link in lab.links.values()), "a secret reached the log"


async def test_refusals_bad_link_foreign_or_missing_origin_and_session_limits(lab_factory):
    lab = lab_factory("--per-learner", "2", "--max-sessions", "3")
    ada, alan = lab.link(ADA), lab.link(ALAN)
    learner_token = ada.rsplit("/", 1)[1]
    async with aiohttp.ClientSession() as http:
        for path in ("/l/not-a-token", "/c/not-a-token", f"/c/{learner_token}", "/l/", "/"):
            async with http.get(lab.url + path) as response:
                assert response.status == 404, path
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(socket_url(lab.url + "/l/not-a-token", 80, 24), headers={"Origin": lab.url})
        assert refused.value.status == 404
        for origin in ("http://evil.example", f"http://127.0.0.2:{lab.url.rsplit(':', 1)[1]}", None):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await open_tab(http, ada, origin=origin)
            assert refused.value.status == 403, origin
        async with http.get(ada) as response:  # the page itself: the lab's headers on it
            assert response.status == 200
            assert response.headers["Referrer-Policy"] == "no-referrer"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
            page = await response.text()
        assert "googleapis" not in page and "/static/fonts/RobotoMono" in page
        async with http.get(lab.url + "/static/fonts/RobotoMono-VariableFont_wght.ttf") as response:
            assert response.status == 200 and len(await response.read()) > 10_000

        tabs = [await open_tab(http, ada), await open_tab(http, ada)]
        for tab in tabs:
            await tab.wait_for("tui-grad · Ada Lovelace")
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await open_tab(http, ada)  # a third tab of one learner
        assert refused.value.status == 429
        async with http.get(ada) as response:
            assert response.status == 429 and "close one" in await response.text()
        tabs.append(await open_tab(http, alan))
        await tabs[-1].wait_for("tui-grad · Alan Turing")
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await open_tab(http, alan)  # the lab's total of 3 is reached
        assert refused.value.status == 429
        await tabs[0].close()  # a closed tab frees its place once its tutor has quit
        tabs[0] = await open_when_free(http, alan)
        await tabs[0].wait_for("tui-grad · Alan Turing")
        for tab in tabs:
            await tab.close()


async def open_when_free(http, link):
    """Open a tab as soon as the lab has room again (a closed tab's tutor takes a moment to quit)."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        try:
            return await open_tab(http, link)
        except aiohttp.WSServerHandshakeError as refused:
            if refused.status != 429 or asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.05)


async def test_stopping_the_lab_closes_every_session_and_their_tutors(lab_factory):
    lab = lab_factory()
    async with aiohttp.ClientSession() as http:
        tabs = [await open_tab(http, lab.link(ADA)), await open_tab(http, lab.link(ALAN))]
        await tabs[0].wait_for("tui-grad · Ada Lovelace")
        await open_chain_rule(tabs[0])
        await tabs[0].type("1")
        await tabs[0].wait_for("Find dL/dd")
        await tabs[1].wait_for("tui-grad · Alan Turing")
        tutors = tutor_processes(lab.process.pid)
        assert len(tutors) == 2
        assert lab.stop() == 0
        for tab in tabs:
            await tab.wait_closed()
    assert all(not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
               for pid in tutors)
    assert "stopped" in "".join(lab.process.stdout.readlines())
    saved = ProgressStore(lab.homes / "ada-lovelace").load()
    assert [a["text"] for a in saved.attempts] == ["1"]  # the answer before the stop was kept


def run_cli(*args: str, cwd: Path, code: str = "") -> subprocess.CompletedProcess:
    program = f"{code}\nimport sys; from tui_grad.cli import main; sys.exit(main({list(args)!r}))"
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(REPOSITORY)})


def test_links_are_kept_and_reprinted_and_options_checked(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text(f"# lab 3\n{ADA}\n\n{ALAN}  # second row\n", encoding="utf-8")
    homes = tmp_path / "homes"
    address = ("--public-url", "https://lab.example.org")  # never served: its links need an address
    first = run_cli("serve", "--roster", str(roster), "--homes", str(homes), "--links", *address, cwd=tmp_path)
    again = run_cli("serve", "--roster", str(roster), "--homes", str(homes), "--links", *address, cwd=tmp_path)
    assert first.returncode == 0 and first.stdout == again.stdout
    lines = first.stdout.splitlines()
    assert [line.split("  ")[0].strip() for line in lines] == ["instructor (class view)", ADA, ALAN]
    assert oct((homes / ".lab-links.json").stat().st_mode & 0o777) == "0o600"
    roster.write_text(f"{ADA}\nada lovelace\n", encoding="utf-8")
    clash = run_cli("serve", "--roster", str(roster), "--homes", str(homes), cwd=tmp_path)
    assert clash.returncode == 2 and "line 2" in clash.stderr and "ada-lovelace" in clash.stderr
    open_host = run_cli("serve", "--roster", str(roster), "--host", "0.0.0.0", cwd=tmp_path)
    assert open_host.returncode == 2 and "--public-url" in open_host.stderr
    roster.write_text(f"{ADA}\n", encoding="utf-8")
    no_extra = run_cli("serve", "--roster", str(roster), "--homes", str(homes), cwd=tmp_path,
                       code="import sys; sys.modules['textual_serve'] = None")
    assert no_extra.returncode == 2 and "pip install 'tui-grad[web]'" in no_extra.stderr


async def test_the_instructor_link_opens_the_class_view_with_every_learner(lab_factory):
    lab = lab_factory()
    async with aiohttp.ClientSession() as http:
        tab = await open_tab(http, lab.link(ADA))
        await open_chain_rule(tab)
        await tab.type("3")
        await tab.wait_for("✗ Wrong")
        await tab.type("1")
        await tab.wait_for("Find dL/dd")
        view = await open_tab(http, lab.link("instructor (class view)"), width=120, height=30)
        screen = await view.wait_for("chain-rule: in progress")
        rows = screen.splitlines()
        assert any(ADA in row and "chain-rule: in progress (1 found)" in row for row in rows)  # roster names
        assert any(ALAN in row and "never" in row for row in rows)
        assert any("chain-rule" in row and " L " in f" {row} " and "0 of 1" in row for row in rows)
        await view.close()
        await tab.close()
    assert json.loads((lab.homes / ".lab-links.json").read_text())["instructor"] in lab.link("instructor (class view)")
