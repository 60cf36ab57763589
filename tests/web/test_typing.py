"""Fast typing through the lab's websocket: every answer reaches the tutor exactly as typed.

Keys from a browser arrive in bursts (the websocket, the server's pipe and the tutor's input thread
each pass on what has piled up), so a Backspace and the key after it often reach the tutor in the
same read. Textual ran an Input's own Backspace binding only after the key had bubbled up to the
app, by which time the next character was in the field: "-11" typed after Backspace became "11"
(Textualize/textual#6605). Here hundreds of wrong answers are typed over the last one, which comes
back selected, with Backspaces before each, one key every 1-5 ms, and every answer must be saved
exactly as typed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from pathlib import Path

import aiohttp

from tui_grad.core.progress import ProgressStore

from tests.web.lab import WAIT, LabProcess, open_tab
from tests.web.test_serve import open_chain_rule

ADA = "Ada Lovelace"
ANSWERS = 240
BROWSER_ANSWERS = 60
BACKSPACE = "\x7f"  # what xterm.js sends for the Backspace key


def wrong_answers(count: int, seed: int = 20) -> list[tuple[int, str]]:
    """(Backspaces before it, answer) pairs: all wrong for dL/dL (which is 1), most with a leading
    sign, the character that went missing; none near any gradient of the lesson, so each stays
    wrong even with a character lost, and the tutor stays on the first node."""
    chooser = random.Random(seed)
    shapes = ("-{n}", "-{n}.0", "-{n}*1", "{n}-1", "-0.{n}")
    answers = [(chooser.choice((0, 1, 1, 2, 3, 12)), chooser.choice(shapes).format(n=number + 10))
               for number in range(count - 1)]
    return [*answers, (1, "-99999")]  # shown as typed: the test waits for it


async def type_keys(websocket, keys: str, pacing: random.Random) -> None:
    """Each key its own websocket message, 1 to 5 ms after the one before, as a quick typist's browser sends."""
    for key in keys:
        await websocket.send_json(["stdin", key])
        await asyncio.sleep(pacing.uniform(0.001, 0.005))  # the pace under test, not a wait for a state


def saved_now(home: Path) -> list[str]:
    return [attempt["text"] for attempt in ProgressStore(home).load().attempts]


async def saved_answers(home: Path, count: int) -> list[str]:
    """The answers saved in `home`, once there are `count` of them (or what there is after WAIT)."""
    deadline = time.monotonic() + WAIT
    while len(saved := saved_now(home)) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)  # polling the progress file for a condition
    return saved


def saved_answers_blocking(home: Path, count: int) -> list[str]:
    """saved_answers, for a test running Playwright's synchronous client (which holds an event loop)."""
    deadline = time.monotonic() + WAIT
    while len(saved := saved_now(home)) < count and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the progress file for a condition
    return saved


def assert_saved_as_typed(typed: list[str], saved: list[str]) -> None:
    """Every answer saved, exactly as typed, in order; else how many were not, and some of them."""
    lost = Counter(typed) - Counter(saved)
    garbled = Counter(saved) - Counter(typed)
    assert saved == typed, (f"{sum(lost.values())} of {len(typed)} answers not saved as typed, such as "
                            f"{list(lost)[:5]}; saved instead: {list(garbled)[:5]}; {len(saved)} saved")


async def test_answers_typed_after_backspaces_at_a_few_ms_a_key_arrive_exactly(tmp_path):
    lab = LabProcess(tmp_path, [ADA])
    answers = wrong_answers(ANSWERS)
    pacing = random.Random(5)
    try:
        async with aiohttp.ClientSession() as http:
            tab = await open_tab(http, lab.link(ADA), width=100, height=30)
            await open_chain_rule(tab)
            await type_keys(tab.websocket, "7\r", pacing)
            await tab.wait_for("dL/dL is not 7")
            for backspaces, answer in answers:
                await type_keys(tab.websocket, BACKSPACE * backspaces + answer + "\r", pacing)
            typed = ["7", *(answer for _backspaces, answer in answers)]
            saved = await saved_answers(lab.homes / "ada-lovelace", len(typed))
            await tab.close()
    finally:
        lab.stop()
    assert_saved_as_typed(typed, saved)


def test_answers_typed_after_backspaces_in_chromium_arrive_exactly(tmp_path):
    """The same through a real page: Chromium's key events, xterm.js, the page's websocket."""
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser import Page, chromium

    executable = chromium()
    lab = LabProcess(tmp_path, [ADA])
    answers = wrong_answers(BROWSER_ANSWERS, seed=12)
    pacing = random.Random(7)
    blocked: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True)
            try:
                page = Page(browser, lab, ADA, blocked)
                page.wait_for("4. The chain rule by hand")
                page.press("ArrowDown", "ArrowDown", "ArrowDown", "Enter")
                page.wait_for("Four numbers go in")
                page.press("Enter")
                page.wait_for("Find dL/dL")
                page.answer("7")
                page.wait_for("dL/dL is not 7")
                for backspaces, answer in answers:
                    for _ in range(backspaces):
                        page.page.keyboard.press("Backspace")
                    page.page.keyboard.type(answer, delay=pacing.uniform(1, 5))
                    page.page.keyboard.press("Enter")
                typed = ["7", *(answer for _backspaces, answer in answers)]
                saved = saved_answers_blocking(lab.homes / "ada-lovelace", len(typed))
            finally:
                browser.close()
    finally:
        lab.stop()
    assert blocked == []
    assert_saved_as_typed(typed, saved)
