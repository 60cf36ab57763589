"""The lab (`tui-grad serve`): memory per session, time to first screen, and what a class costs.

Starts a lab of N learners on a free loopback port and opens one websocket session per learner, as
their browsers would, feeding each session's stream into a pyte screen. It measures:

- time to first screen: websocket opened to the lesson list on the screen, first with one session
  alone, then with all N opened at once;
- memory: each tutor process's proportional set size (PSS, /proc/PID/smaps_rollup), on the lesson
  list and again once every session has answered on the chain-rule exercise;
- CPU: what an idle session costs per second, and what one answer costs (the tutor's CPU time);
- the baseline, in the same run: the minimal Textual app (bench/minimal_app.py) under the same web
  driver, its PSS and its time to first frame, alternated with single lab sessions.

Needs the test extra (textual-serve, pyte).

    python bench/lab.py [--runs N] [--sessions N]
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import pyte

import common

HOME_TEXT = "4. The chain rule by hand"
WAIT = 60.0


def pss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    raise RuntimeError("no Pss line")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


class Lab:
    def __init__(self, folder: Path, learners: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        roster = folder / "roster.txt"
        roster.write_text("".join(f"learner {number}\n" for number in range(learners)))
        env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "PYTHONPATH": str(common.REPOSITORY)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui_grad", "serve", "--roster", str(roster), "--homes", str(folder / "homes"),
             "--port", "0", "--max-sessions", "1000"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env)
        self.links = []
        for line in self.process.stdout:
            found = re.match(r"learner \d+\s+(http://\S+)", line)
            if found:
                self.links.append(found.group(1))
            if line.startswith("Ctrl+C"):
                break

    def stop(self) -> float:
        started = time.monotonic()
        self.process.send_signal(2)
        self.process.wait(WAIT)
        return time.monotonic() - started


class Tab:
    def __init__(self, websocket) -> None:
        self.websocket = websocket
        self.screen = pyte.Screen(100, 30)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = asyncio.Event()
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.stream.feed(message.data)
                self.changed.set()

    async def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + WAIT
        while text not in "\n".join(self.screen.display):
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), max(deadline - time.monotonic(), 0.01))

    async def keys(self, text: str) -> None:
        await self.websocket.send_json(["stdin", text])


async def open_tab(http, link: str) -> tuple[Tab, float]:
    origin = re.match(r"http://[^/]+", link).group(0)
    started = time.monotonic()
    websocket = await http.ws_connect(link.replace("http://", "ws://") + "/ws?width=100&height=30",
                                      headers={"Origin": origin})
    tab = Tab(websocket)
    await tab.wait_for(HOME_TEXT)
    return tab, time.monotonic() - started


async def single_session(lab: Lab) -> tuple[float, int]:
    """One session alone: seconds to the lesson list, and the tutor's PSS there (KiB)."""
    async with aiohttp.ClientSession() as http:
        tab, seconds = await open_tab(http, lab.links[0])
        [tutor] = children(lab.process.pid)
        memory = pss_kib(tutor)
        await tab.websocket.close()
        await tab.reader
    while children(lab.process.pid):  # wait for the tutor to quit before the next round
        await asyncio.sleep(0.05)
    return seconds, memory


def minimal_web_app() -> tuple[float, int]:
    """The minimal Textual app under the web driver: seconds to its first frame with its text, PSS (KiB)."""
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "TERM": "xterm-256color", "COLUMNS": "100", "ROWS": "30",
           "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "TEXTUAL_COLOR_SYSTEM": "truecolor"}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("minimal_app.py"))],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    screen = pyte.Screen(100, 30)
    stream = pyte.ByteStream(screen)
    assert process.stdout is not None
    while process.stdout.readline() != b"__GANGLION__\n":
        pass
    while "minimal" not in "\n".join(screen.display).lower():
        kind = process.stdout.read(1)
        size = int.from_bytes(process.stdout.read(4), "big")
        payload = process.stdout.read(size)
        if kind == b"D":
            stream.feed(payload)
    seconds = time.monotonic() - started
    memory = pss_kib(process.pid)
    process.kill()
    process.wait()
    return seconds, memory


async def whole_class(lab: Lab) -> dict:
    """Every learner opens a tab at once, opens chain-rule, and answers; then all answer at once."""
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        opened = await asyncio.gather(*(open_tab(http, link) for link in lab.links))
        all_open = time.monotonic() - started
        tabs = [tab for tab, _seconds in opened]
        tutors = children(lab.process.pid)
        home_pss = [pss_kib(pid) for pid in tutors]
        for tab in tabs:
            await tab.keys("\x1b[B\x1b[B\x1b[B\r")
        await asyncio.gather(*(tab.wait_for("Four numbers go in") for tab in tabs))
        for tab in tabs:
            await tab.keys("\r")
        await asyncio.gather(*(tab.wait_for("Find dL/dL") for tab in tabs))
        before_idle = sum(cpu_seconds(pid) for pid in tutors)
        await asyncio.sleep(5.0)
        idle = (sum(cpu_seconds(pid) for pid in tutors) - before_idle) / 5.0 / len(tutors)
        before = sum(cpu_seconds(pid) for pid in tutors)
        burst = time.monotonic()

        async def answer(tab: Tab) -> float:
            await tab.keys("1\r")
            await tab.wait_for("Find dL/dd")
            return time.monotonic() - burst

        latencies = await asyncio.gather(*(answer(tab) for tab in tabs))
        await asyncio.sleep(1.0)  # let the saves after the answers finish before reading CPU again
        answer_cpu = (sum(cpu_seconds(pid) for pid in tutors) - before - idle * len(tutors)) / len(tutors)
        exercise_pss = [pss_kib(pid) for pid in tutors]
        stop_seconds = lab.stop()
    return {"all_open": all_open, "first_screens": [seconds for _tab, seconds in opened], "home_pss": home_pss,
            "exercise_pss": exercise_pss, "idle_cpu": idle, "answer_cpu": answer_cpu, "latencies": latencies,
            "stop": stop_seconds}


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=5)
    args.add_argument("--sessions", type=int, default=10, metavar="N", help="learners in the class (default 10)")
    args = args.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        lab = Lab(Path(folder) / "one", 1)
        lab_runs, minimal_runs = common.alternate(args.runs, lambda: asyncio.run(single_session(lab)),
                                                  minimal_web_app)
        lab.stop()
        print(f"one session, lesson list on screen : {common.spread([r[0] for r in lab_runs], 1000, ' ms')}")
        print(f"minimal app under the web driver   : {common.spread([r[0] for r in minimal_runs], 1000, ' ms')}")
        print(f"one session's PSS on the lesson list: {common.spread([r[1] for r in lab_runs], 1 / 1024, ' MiB')}")
        print(f"minimal app's PSS                   : {common.spread([r[1] for r in minimal_runs], 1 / 1024, ' MiB')}")
        print(f"ratios (median lab / median minimal): time "
              f"{statistics.median(r[0] for r in lab_runs) / statistics.median(r[0] for r in minimal_runs):.2f}, "
              f"memory {statistics.median(r[1] for r in lab_runs) / statistics.median(r[1] for r in minimal_runs):.2f}")
        figures = asyncio.run(whole_class(Lab(Path(folder) / "class", args.sessions)))
    n = args.sessions
    print(f"{n} sessions opened at once: all on screen after {figures['all_open'] * 1000:.0f} ms; each "
          f"{common.spread(figures['first_screens'], 1000, ' ms')}")
    print(f"PSS per session, lesson list : {common.spread(figures['home_pss'], 1 / 1024, ' MiB')}")
    print(f"PSS per session, exercise    : {common.spread(figures['exercise_pss'], 1 / 1024, ' MiB')}")
    print(f"idle CPU per session on the exercise: {figures['idle_cpu'] * 100:.2f} % of a core")
    print(f"CPU per answer (with its save): {figures['answer_cpu'] * 1000:.0f} ms")
    print(f"all {n} answering at once: verdict on screen after {common.spread(figures['latencies'], 1000, ' ms')}")
    print(f"stopping the lab with {n} sessions open: {figures['stop'] * 1000:.0f} ms")
    available = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemAvailable")))
    per_session = statistics.median(figures["exercise_pss"])
    print(f"memory bound on this machine ({available / 1024 / 1024:.1f} GiB available): "
          f"{available / per_session:.0f} sessions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
