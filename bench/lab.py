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

Needs the test extra (textual-serve, pyte); drives the lab with the web tests' own LabProcess and Tab.

    python bench/lab.py [--runs N] [--sessions N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import pyte

import common

sys.path.insert(0, str(common.REPOSITORY))
from tests.web.lab import LabProcess, Tab, open_tab  # the web tests' own driver of a lab

HOME_TEXT = "4. The chain rule by hand"
WAIT = 60.0


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def start_lab(folder: Path, learners: int) -> tuple[LabProcess, list[str]]:
    """A lab of `learners` learners, and their links (the instructor's is left out)."""
    folder.mkdir(parents=True)
    names = [f"learner {number}" for number in range(learners)]
    lab = LabProcess(folder, names, "--max-sessions", "1000")
    return lab, [lab.link(name) for name in names]


def stop_lab(lab: LabProcess) -> float:
    """Seconds from SIGINT (Ctrl+C) until the lab has exited, every session saved."""
    started = time.monotonic()
    lab.stop()
    return time.monotonic() - started


async def open_timed(http, link: str) -> tuple[Tab, float]:
    """A tab opened as a browser would, and the seconds until the lesson list was on its screen."""
    started = time.monotonic()
    tab = await open_tab(http, link)
    await tab.wait_for(HOME_TEXT, timeout=WAIT)
    return tab, time.monotonic() - started


async def single_session(lab: LabProcess, link: str) -> tuple[float, int]:
    """One session alone: seconds to the lesson list, and the tutor's PSS there (KiB)."""
    async with aiohttp.ClientSession() as http:
        tab, seconds = await open_timed(http, link)
        [tutor] = children(lab.process.pid)
        memory = common.pss_bytes(tutor) // 1024
        await tab.close()
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
    memory = common.pss_bytes(process.pid) // 1024
    process.kill()
    process.wait()
    return seconds, memory


async def whole_class(lab: LabProcess, links: list[str]) -> dict:
    """Every learner opens a tab at once, opens chain-rule, and answers; then all answer at once."""
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        opened = await asyncio.gather(*(open_timed(http, link) for link in links))
        all_open = time.monotonic() - started
        tabs = [tab for tab, _seconds in opened]
        tutors = children(lab.process.pid)
        home_pss = [common.pss_bytes(pid) // 1024 for pid in tutors]
        for tab in tabs:
            await tab.keys("\x1b[B\x1b[B\x1b[B\r")
        await asyncio.gather(*(tab.wait_for("Four numbers go in") for tab in tabs))
        for tab in tabs:
            await tab.keys("\r")
        await asyncio.gather(*(tab.wait_for("Find dL/dL") for tab in tabs))
        before_idle = sum(common.cpu_seconds(pid) for pid in tutors)
        await asyncio.sleep(5.0)
        idle = (sum(common.cpu_seconds(pid) for pid in tutors) - before_idle) / 5.0 / len(tutors)
        before = sum(common.cpu_seconds(pid) for pid in tutors)
        burst = time.monotonic()

        async def answer(tab: Tab) -> float:
            await tab.keys("1\r")
            await tab.wait_for("Find dL/dd")
            return time.monotonic() - burst

        latencies = await asyncio.gather(*(answer(tab) for tab in tabs))
        await asyncio.sleep(1.0)  # let the saves after the answers finish before reading CPU again
        answer_cpu = (sum(common.cpu_seconds(pid) for pid in tutors) - before - idle * len(tutors)) / len(tutors)
        exercise_pss = [common.pss_bytes(pid) // 1024 for pid in tutors]
        stop_seconds = stop_lab(lab)
    return {"all_open": all_open, "first_screens": [seconds for _tab, seconds in opened], "home_pss": home_pss,
            "exercise_pss": exercise_pss, "idle_cpu": idle, "answer_cpu": answer_cpu, "latencies": latencies,
            "stop": stop_seconds}


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=5)
    args.add_argument("--sessions", type=int, default=10, metavar="N", help="learners in the class (default 10)")
    args = args.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        lab, [link] = start_lab(Path(folder) / "one", 1)
        lab_runs, minimal_runs = common.alternate(args.runs, lambda: asyncio.run(single_session(lab, link)),
                                                  minimal_web_app)
        stop_lab(lab)
        print(f"one session, lesson list on screen : {common.spread([r[0] for r in lab_runs], 1000, ' ms')}")
        print(f"minimal app under the web driver   : {common.spread([r[0] for r in minimal_runs], 1000, ' ms')}")
        print(f"one session's PSS on the lesson list: {common.spread([r[1] for r in lab_runs], 1 / 1024, ' MiB')}")
        print(f"minimal app's PSS                   : {common.spread([r[1] for r in minimal_runs], 1 / 1024, ' MiB')}")
        print(f"ratios (median lab / median minimal): time "
              f"{statistics.median(r[0] for r in lab_runs) / statistics.median(r[0] for r in minimal_runs):.2f}, "
              f"memory {statistics.median(r[1] for r in lab_runs) / statistics.median(r[1] for r in minimal_runs):.2f}")
        figures = asyncio.run(whole_class(*start_lab(Path(folder) / "class", args.sessions)))
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
