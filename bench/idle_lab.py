"""A full lab: N idle learners on the exercise screen in one tmux server; CPU, memory, and hang-up.

Each run starts N tutors (`tui-grad chain-rule`, default mode, 80x24, each with its own progress
folder; with --through-list, `tui-grad` and the lesson opened from the list) as windows of one
tmux server, takes every one to the first question, lets them sit for `--settle` seconds, then
reads /proc: CPU time over `--window` seconds (in % of one core, for all N together), memory as
the sum of their PSS (/proc/PID/smaps_rollup). Then the server is killed, as when a lab's
sessions end, and the time until the last of the N processes has gone is recorded. The baseline,
measured the same way in the same invocation (alternated), is N copies of a minimal Textual app
with one focused Input (bench/minimal_input_app.py). The tmux server's own CPU is shown apart: it
is the lab's cost, not the tutors'. CPU is read from the threads' nanosecond run times
(schedstat), with their wakes (context switches) beside it: clock ticks would round an idle
tutor's cost to nothing.

    python bench/idle_lab.py [--learners N] [--runs R] [--settle S] [--window W] [--through-list]
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import apps
import common

GOAL_CPU = 10.0  # % of one core, for 100 learners
GOAL_PSS_GB = 3.0  # for 100 learners
GOAL_LEARNERS = 100
WAIT = 300.0  # ceiling for a crowded machine to bring every window to its screen


@dataclass
class LabFigures:
    """One run: CPU of the N programs and of tmux, their total PSS, and the hang-up time."""

    cpu_percent: float
    wakes_per_second: float
    tmux_cpu_percent: float
    pss_bytes: int
    gone_after: float
    left_running: int


class Lab:
    """One tmux server with a window per learner."""

    def __init__(self) -> None:
        self.socket = f"tui-grad-lab-{uuid.uuid4().hex[:8]}"
        self.session = "lab"
        self.run("new-session", "-d", "-s", self.session, "-x", "80", "-y", "24", "sleep 86400")

    def run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-f", "/dev/null", "-L", self.socket, *args],
                                capture_output=True, text=True, check=True)
        return result.stdout

    def open(self, argv: list[str], env: dict[str, str]) -> str:
        """A new window running argv (exec'd: the pane's process is the program); its target."""
        environment = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        command = f"exec env {environment} {shlex.join(argv)}"
        return self.run("new-window", "-d", "-P", "-F", "#{session_name}:#{window_index}",
                        "-t", self.session, command).strip()

    def screen(self, target: str) -> str:
        return self.run("capture-pane", "-p", "-t", target)

    def wait_for(self, target: str, text: str) -> None:
        deadline = time.monotonic() + WAIT
        while text not in self.screen(target):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{text!r} never appeared in {target}:\n{self.screen(target)}")
            time.sleep(0.05)

    def pid(self, target: str) -> int:
        return int(self.run("display-message", "-p", "-t", target, "#{pane_pid}").strip())

    def server_pid(self) -> int:
        return int(self.run("display-message", "-p", "#{pid}").strip())

    def kill(self) -> None:
        subprocess.run(["tmux", "-f", "/dev/null", "-L", self.socket, "kill-server"], capture_output=True)


def environment(home: Path) -> dict[str, str]:
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TUI_GRAD_HOME": str(home),
           "PYTHONPATH": str(common.REPOSITORY)}
    return env


LIST_TO_CHAIN_RULE = ("Down", "Down", "Down", "Enter")
"""From a fresh learner's list (the cursor on lesson 1) to lesson 4, the chain rule by hand."""


def measure(learners: int, tutor: bool, settle: float, window: float, through_list: bool = False) -> LabFigures:
    """Start the lab, bring everyone to the screen, measure, kill the server, time the hang-up."""
    homes = Path(tempfile.mkdtemp(prefix="tui-grad-lab-"))
    lab = Lab()
    try:
        targets = []
        for index in range(learners):
            home = homes / f"learner-{index}"
            home.mkdir()
            argv = ([sys.executable, "-m", "tui_grad", *([] if through_list else ["chain-rule"])] if tutor
                    else [sys.executable, str(apps.BENCH / "minimal_input_app.py")])
            targets.append(lab.open(argv, environment(home)))
        for target in targets:
            if tutor and through_list:
                lab.wait_for(target, "Your own formula")
                lab.run("send-keys", "-t", target, *LIST_TO_CHAIN_RULE)
            if tutor:
                lab.wait_for(target, "Four numbers go in")
                lab.run("send-keys", "-t", target, "Enter")
                lab.wait_for(target, "Find dL/dL")
            else:
                lab.wait_for(target, "one input")
        pids = [lab.pid(target) for target in targets]
        server = lab.server_pid()
        time.sleep(settle)
        before = {pid: common.thread_totals(pid) for pid in [*pids, server]}
        started = time.monotonic()
        time.sleep(window)
        after = {pid: common.thread_totals(pid) for pid in [*pids, server]}
        elapsed = time.monotonic() - started
        memory = sum(common.pss_bytes(pid) for pid in pids)
        spent = sum(after[pid][0] - before[pid][0] for pid in pids)
        wakes = sum(after[pid][1] - before[pid][1] for pid in pids)
        killed = time.monotonic()
        lab.kill()
        alive = set(pids)
        while alive and time.monotonic() - killed < 30:
            alive = {pid for pid in alive if common.stat_fields(pid) is not None}
            time.sleep(0.01)
        gone_after = time.monotonic() - killed
        for pid in alive:  # a program that outlived its terminal by 30 s: counted, then stopped
            os.kill(pid, 9)
        tmux_spent = after[server][0] - before[server][0]
        return LabFigures(100 * spent / elapsed, wakes / elapsed, 100 * tmux_spent / elapsed, memory, gone_after,
                          len(alive))
    finally:
        lab.kill()
        shutil.rmtree(homes, ignore_errors=True)


def report(name: str, runs: list[LabFigures], learners: int) -> None:
    print(f"{name}:")
    print(f"  CPU, all {learners}     : {common.spread([r.cpu_percent for r in runs], 1, '% of a core')}")
    print(f"  CPU per learner   : {common.spread([r.cpu_percent / learners for r in runs], 1, '% of a core')}")
    print(f"  wakes per learner : {common.spread([r.wakes_per_second / learners for r in runs], 1, ' a second')}")
    print(f"  tmux server CPU   : {common.spread([r.tmux_cpu_percent for r in runs], 1, '% of a core')}")
    print(f"  PSS, all {learners}     : {common.spread([r.pss_bytes / 1e9 for r in runs], 1, ' GB')}")
    print(f"  PSS per learner   : {common.spread([r.pss_bytes / learners / 2**20 for r in runs], 1, ' MiB')}")
    print(f"  all gone after the server was killed: "
          f"{common.spread([r.gone_after for r in runs], 1, ' s')}; still running after 30 s: "
          f"{sum(r.left_running for r in runs)}")


def main() -> int:
    parser = common.parser(__doc__.splitlines()[0], runs=3)
    parser.add_argument("--learners", type=int, default=GOAL_LEARNERS, metavar="N", help="learners (default 100)")
    parser.add_argument("--settle", type=float, default=15.0, metavar="S",
                        help="seconds idle before measuring (default 15: a learner thinking)")
    parser.add_argument("--window", type=float, default=30.0, metavar="W", help="seconds measured (default 30)")
    parser.add_argument("--through-list", action="store_true",
                        help="start each tutor on the list of lessons and open the lesson from there, as a "
                        "learner who types only 'tui-grad' does (default: started on the lesson)")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        return common.not_available("idle lab", "tmux is not installed")
    tutors, baseline = common.alternate(args.runs, lambda: measure(args.learners, True, args.settle, args.window,
                                                                   args.through_list),
                                        lambda: measure(args.learners, False, args.settle, args.window))
    route = "come through the list" if args.through_list else "started on the lesson"
    report(f"tui-grad, {args.learners} learners idle on the exercise screen ({route})", tutors, args.learners)
    report(f"minimal Textual app with an Input, {args.learners} copies (baseline)", baseline, args.learners)
    cpu = common.median([r.cpu_percent for r in tutors])
    base_cpu = common.median([r.cpu_percent for r in baseline])
    memory = common.median([r.pss_bytes for r in tutors]) / 1e9
    base_memory = common.median([r.pss_bytes for r in baseline]) / 1e9
    print(f"ratio to the baseline: CPU {cpu / base_cpu if base_cpu else float('inf'):.2f}x, "
          f"PSS {memory / base_memory:.2f}x")
    scale = GOAL_LEARNERS / args.learners  # the goals are for 100 learners
    results = [
        common.verdict("idle lab CPU", f"{cpu:.2f}% of a core for {args.learners} ({cpu * scale:.2f}% per 100)",
                       f"under {GOAL_CPU:g}% per {GOAL_LEARNERS}", cpu * scale < GOAL_CPU),
        common.verdict("idle lab memory", f"{memory:.2f} GB PSS for {args.learners} ({memory * scale:.2f} GB per 100)",
                       f"under {GOAL_PSS_GB:g} GB per {GOAL_LEARNERS}", memory * scale < GOAL_PSS_GB),
        common.verdict("hang-up", f"all gone {max(r.gone_after for r in tutors):.2f} s at most after the server "
                       "was killed", "within a second, none left", all(r.gone_after < 1.0 and not r.left_running
                                                                        for r in tutors)),
    ]
    return common.finish(results)


if __name__ == "__main__":
    sys.exit(main())
