"""The lab under a burst and an unlucky day: limits that hold when connections arrive together,
tutors that do not outlive their server, and malformed requests refused without a traceback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tui_grad.core.lesson import MAX_FILE_BYTES
from tui_grad.core.progress import ProgressStore

from tests.web.lab import REPOSITORY, WAIT, LabProcess, open_tab

ADA, ALAN = "Ada Lovelace", "Alan Turing"


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


def children(pid: int) -> list[int]:
    """The processes `pid` started that are still there."""
    listing = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in listing.read_text().split()] if listing.exists() else []


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def wait_until(condition, what: str) -> None:
    """Poll `condition` until it holds; fail saying `what` if it never does within WAIT."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never: {what}")
        await asyncio.sleep(0.05)


async def burst(http: aiohttp.ClientSession, link: str, count: int) -> tuple[list, list[int]]:
    """`count` websocket connections to one link, all at once: the tabs let in, the statuses refused."""
    results = await asyncio.gather(*(open_tab(http, link) for _ in range(count)), return_exceptions=True)
    opened = [result for result in results if not isinstance(result, BaseException)]
    refused = [result for result in results if isinstance(result, BaseException)]
    assert all(isinstance(error, aiohttp.WSServerHandshakeError) for error in refused), refused[:3]
    return opened, [error.status for error in refused]


async def test_a_burst_of_100_connections_on_one_link_never_passes_the_limits(lab_factory):
    lab = lab_factory("--per-learner", "3", "--max-sessions", "4")
    server = lab.process.pid
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        await wait_until(lambda: not children(server), "the lab idle before the burst")
        baseline = descriptors(server)
        opened, statuses = await burst(http, lab.link(ADA), 100)
        assert len(opened) == 3 and statuses == [429] * 97, (len(opened), sorted(set(statuses)))
        assert len(children(server)) == 3, "a tutor for each tab let in, none for a refused one"
        more, statuses = await burst(http, lab.link(ALAN), 100)  # the lab's total of 4 is now the limit
        assert len(more) == 1 and statuses == [429] * 99, (len(more), sorted(set(statuses)))
        assert len(children(server)) == 4
        for tab in [*opened, *more]:
            await tab.wait_for("tui-grad ·")
            await tab.close()
        await wait_until(lambda: not children(server), "every tutor gone after its tab closed")
        await wait_until(lambda: descriptors(server) <= baseline,
                         f"the server's descriptors back to {baseline} (now {descriptors(server)})")
        again, _statuses = await burst(http, lab.link(ADA), 3)  # every seat was given back
        assert len(again) == 3
        for tab in again:
            await tab.close()


def gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie waiting for a reaper counts as gone)."""
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


async def answer_the_first_node(tab) -> None:
    """Open the chain rule and answer dL/dL, so the tutor has progress to keep."""
    await tab.wait_for("4. The chain rule by hand")
    await tab.keys("Down", "Down", "Down", "Enter")
    await tab.wait_for("Four numbers go in")
    await tab.keys("Enter")
    await tab.wait_for("Find dL/dL")
    await tab.type("1")
    await tab.wait_for("Find dL/dd")


@pytest.mark.parametrize("signal_number", [1, 9], ids=["SIGHUP", "SIGKILL"])
async def test_tutors_end_with_their_server_whatever_ends_it(lab_factory, signal_number):
    lab = lab_factory()
    async with aiohttp.ClientSession() as http:
        tabs = [await open_tab(http, lab.link(ADA)), await open_tab(http, lab.link(ALAN))]
        await answer_the_first_node(tabs[0])
        await tabs[1].wait_for("tui-grad · Alan Turing")
        tutors = children(lab.process.pid)
        assert len(tutors) == 2
        os.kill(lab.process.pid, signal_number)
        status = lab.process.wait(WAIT)
        try:
            await wait_until(lambda: all(gone(pid) for pid in tutors), "every tutor ended after its server did")
        finally:  # an orphan must not outlive a failed test
            for pid in tutors:
                if not gone(pid):
                    os.kill(pid, 9)
        for tab in tabs:
            await tab.wait_closed()
    if signal_number == 1:  # closing the instructor's terminal stops the lab as Ctrl+C does
        assert status == 0, lab.stderr()
        assert "stopped" in "".join(lab.process.stdout.readlines())
        assert "Traceback" not in lab.stderr()
    saved = ProgressStore(lab.homes / "ada-lovelace").load()
    assert [attempt["text"] for attempt in saved.attempts] == ["1"]


async def test_a_learner_named_instructor_takes_none_of_the_instructors_seats(lab_factory):
    lab = lab_factory("--per-learner", "1", names=("Instructor", ADA))
    async with aiohttp.ClientSession() as http:
        learner = await open_tab(http, lab.link("Instructor"))
        await learner.wait_for("tui-grad · Instructor")
        teacher = await open_tab(http, lab.link("instructor (class view)"))  # was 429: one seat count for both
        await teacher.wait_for(ADA)  # the class view names learners as the roster does
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await open_tab(http, lab.link("Instructor"))
        assert refused.value.status == 429
        for tab in (learner, teacher):
            await tab.close()


async def test_malformed_origins_and_messages_are_refused_and_the_session_kept(lab_factory):
    lab = lab_factory()
    port = lab.url.rsplit(":", 1)[1]
    async with aiohttp.ClientSession() as http:
        for origin in (f"http://127.0.0.1:{port}.evil.example", "http://127.0.0.1:99999999", "http://[::1"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await open_tab(http, lab.link(ADA), origin=origin)
            assert refused.value.status == 403, origin
        tab = await open_tab(http, lab.link(ADA))
        await tab.wait_for("tui-grad · Ada Lovelace")
        for message in ('["stdin", "\\udcff"]', '["resize", {"width": 1e400, "height": -1e400}]',
                        '["resize", {"width": NaN}]', "[" * 30_000 + "]" * 30_000, '{"stdin": 1}',
                        '[["stdin"], "x"]', "[]", "null"):
            await tab.websocket.send_str(message)
        await answer_the_first_node(tab)  # the session outlived every one of them
        await tab.close()
    lab.stop()
    assert "Traceback" not in lab.stderr() and "Error handling request" not in lab.stderr(), lab.stderr()


async def test_the_access_log_never_shows_a_link_however_its_path_is_bent(lab_factory):
    lab = lab_factory()
    secrets = [lab.link(ADA).rsplit("/", 1)[1], lab.link("instructor (class view)").rsplit("/", 1)[1]]
    async with aiohttp.ClientSession() as http:
        for token in secrets:
            for path in (f"/l//{token}", f"/l/x/{token}", f"/L/{token}", f"/c/{token}/x", f"/{token}",
                         f"/static/{token}", f"/l/{token}.x", f"/l/{token}/ws/y"):
                async with http.get(lab.url + path) as response:
                    assert response.status in (200, 404, 405), path
        async with http.get(lab.url + "/static/fonts/RobotoMono-VariableFont_wght.ttf") as response:
            assert response.status == 200
    lab.stop()
    log = lab.stderr()
    assert "GET /static/fonts/RobotoMono-VariableFont_wght.ttf 200" in log  # the lab's own files stay readable
    assert "GET /L/… 404" in log and "GET /l/x/… 404" in log
    assert not any(token in log for token in secrets)


def serve_links(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    """`tui-grad serve ... --links` in its own process; the timeout is a hang guard, not a speed test."""
    return subprocess.run([sys.executable, "-m", "tui_grad", "serve", *arguments, "--links"], capture_output=True,
                          text=True, cwd=cwd, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPOSITORY)})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_roster_is_read_with_the_limits_of_a_lesson_file(tmp_path):
    fifo, huge = tmp_path / "fifo.txt", tmp_path / "huge.txt"
    os.mkfifo(fifo)
    huge.write_text(f"{ADA}\n" * (MAX_FILE_BYTES // len(ADA)), encoding="utf-8")
    for roster, reason in (("/dev/zero", "this is a device, not a roster"), (fifo, "a named pipe (FIFO), not a roster"),
                           (huge, f"larger than {MAX_FILE_BYTES // 1024} KiB, the most a roster may be"),
                           (tmp_path, "this is a folder, not a roster")):
        result = serve_links("--roster", str(roster), "--homes", str(tmp_path / "homes"), cwd=tmp_path)
        assert result.returncode == 2 and reason in result.stderr, (roster, result.stderr)
        assert "Traceback" not in result.stderr


def test_learner_folders_are_private_to_the_instructor(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text(f"{ADA}\n{ALAN}\n", encoding="utf-8")
    homes = tmp_path / "homes"
    assert serve_links("--roster", str(roster), "--homes", str(homes), "--port", "8000", cwd=tmp_path).returncode == 0
    for folder in ("ada-lovelace", "alan-turing"):
        assert oct((homes / folder).stat().st_mode & 0o777) == "0o700", folder


def test_a_public_url_with_a_malformed_port_or_host_is_refused_with_the_reason(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text(f"{ADA}\n", encoding="utf-8")
    for url in ("http://lab.example.org:99999", "https://lab.example.org:8791.evil.example", "http://[::1"):
        result = serve_links("--roster", str(roster), "--homes", str(tmp_path / "homes"), "--public-url", url,
                             cwd=tmp_path)
        assert result.returncode == 2 and "--public-url" in result.stderr, (url, result.stderr)
        assert "Traceback" not in result.stderr


async def test_a_plain_request_to_a_websocket_address_starts_no_tutor(lab_factory):
    lab = lab_factory()
    async with aiohttp.ClientSession() as http:
        for _ in range(3):
            async with http.get(lab.link(ADA) + "/ws", headers={"Origin": lab.url}) as response:
                assert response.status == 400
        tab = await open_tab(http, lab.link(ADA))  # the seats it held are free again
        await tab.wait_for("tui-grad · Ada Lovelace")
        await tab.close()
    lab.stop()
    assert lab.stderr().count("session started for ada-lovelace") == 1, lab.stderr()
