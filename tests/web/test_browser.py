"""The lab in a real headless Chromium (Debian's, driven by Playwright's client): two learners work the
chain-rule lesson at the same time in two pages, the instructor's page shows both. The browser is
kept off the network: every request not to the lab is refused and recorded, and none may happen.

What the page shows is read from the very bytes the page's websocket received, fed into a screen
emulator; screenshots of the lesson list, a wrong answer, the replay and the class view are kept in
tests/artifacts/web/ (or $TUI_GRAD_ARTIFACTS)."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import time
from pathlib import Path

import pyte
import pytest

from tui_grad.core.progress import ProgressStore

from tests.web.lab import REPOSITORY, WAIT, LabProcess

ADA, ALAN, INSTRUCTOR = "Ada Lovelace", "Alan Turing", "instructor (class view)"
ANSWERS = [("L", "1"), ("d", "-2"), ("f", "4"), ("e", "-2*1"), ("c", "-2"), ("a", "6"), ("b", "-4.0")]
ARTIFACTS = Path(os.environ.get("TUI_GRAD_ARTIFACTS") or REPOSITORY / "tests" / "artifacts" / "web")
TAP_WEBSOCKET = """
window.__frames = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(url, protocols) {
    super(url, protocols);
    window.__size = new URL(url).searchParams;
    this.addEventListener("message", (event) => {
      if (typeof event.data === "string") return;
      let text = "";
      for (const byte of new Uint8Array(event.data)) text += String.fromCharCode(byte);
      window.__frames.push(btoa(text));
    });
  }
};
"""
"""Keeps a copy of every screen update the page's websocket receives, for the test to read."""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    return found


class Page:
    """One learner's browser page and the screen its terminal shows."""

    def __init__(self, browser, lab: LabProcess, who: str, blocked: list[str]) -> None:
        self.context = browser.new_context(viewport={"width": 1100, "height": 720})

        def only_the_lab(route) -> None:
            if route.request.url.startswith(lab.url + "/"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        self.context.route("**/*", only_the_lab)
        self.page = self.context.new_page()
        self.page.add_init_script(TAP_WEBSOCKET)
        self.page.goto(lab.link(who))
        self.page.wait_for_function("() => window.__size !== undefined", timeout=WAIT * 1000)
        width, height = (int(self.page.evaluate(f"() => window.__size.get('{name}')")) for name in ("width", "height"))
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.page.focus(".xterm-helper-textarea")  # where xterm.js takes the keyboard, as a click would

    def text(self) -> str:
        frames = self.page.evaluate("() => window.__frames.splice(0)")
        for frame in frames:
            self.stream.feed(base64.b64decode(frame))
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, text: str) -> str:
        """Wait for `text` on the page's terminal; fail with the screen if it never comes."""
        deadline = time.monotonic() + WAIT
        while text not in (screen := self.text()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{text!r} never showed in the browser; the screen:\n{screen}")
            with contextlib.suppress(Exception):  # Playwright's TimeoutError: the loop reports it with the screen
                self.page.wait_for_function("() => window.__frames.length > 0", timeout=remaining * 1000)
        return screen

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def answer(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def test_two_learners_in_two_browser_pages_and_the_class_view_showing_both(tmp_path):
    executable = chromium()
    from playwright.sync_api import sync_playwright

    lab = LabProcess(tmp_path, [ADA, ALAN])
    blocked: list[str] = []
    shots: list[Path] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True)
            try:
                ada, alan = Page(browser, lab, ADA, blocked), Page(browser, lab, ALAN, blocked)
                for page, name in ((ada, ADA), (alan, ALAN)):
                    screen = page.wait_for(f"tui-grad · {name}")
                    assert page.screen.columns > 80, "the tutor fills the browser window, not 80 columns"
                    assert "4. The chain rule by hand" in screen
                shots.append(ada.shot("lesson-list"))
                for page in (ada, alan):  # both open the lesson, then answer in turn
                    page.press("ArrowDown", "ArrowDown", "ArrowDown", "Enter")
                    page.wait_for("Four numbers go in")
                    page.press("Enter")
                    page.wait_for("Find dL/dL")
                ada.press("F3")
                ada.wait_for("Nudge L by h, run forward again")
                ada.answer("7")
                alan.answer("5")
                assert "dL/dL is not 7" in ada.wait_for("✗ Wrong")
                assert "dL/dL is not 5" in alan.wait_for("✗ Wrong")
                shots.append(ada.shot("wrong-answer"))
                for node, answer in ANSWERS:
                    for page in (ada, alan):
                        page.wait_for(f"Find dL/d{node}")
                        page.answer(answer)
                for page in (ada, alan):
                    assert "You earned 7 of 7" in page.wait_for("Backward pass done")
                shots.append(alan.shot("replay"))
                for page in (ada, alan):
                    page.press("u")
                    page.wait_for("-7.286496")
                    page.press("Enter")
                    page.wait_for("What you just did")
                    page.press("Enter")
                    page.wait_for("✓ finished")

                instructor = Page(browser, lab, INSTRUCTOR, blocked)
                screen = instructor.wait_for(ALAN)
                rows = screen.splitlines()
                for name in (ADA, ALAN):  # by their roster names
                    row = next(row for row in rows if name in row)
                    assert re.search(rf"{name}\s+1\s", row), row  # one lesson finished each
                node_l = next(row for row in rows if re.search(r"chain-rule\s+\d+\s+L\s", row))
                assert re.search(r"\s2\s+0 of 2\s", node_l), node_l  # both tried L, both missed it first
                node_b = next(row for row in rows if re.search(r"chain-rule\s+\d+\s+b\s", row))
                assert re.search(r"\s2\s+2 of 2\s", node_b), node_b
                shots.append(instructor.shot("class-view"))
            finally:
                browser.close()
    finally:
        lab.stop()
    print("screenshots:", *shots, sep="\n  ")  # kept as artefacts: shown with -s, and on failure
    assert blocked == [], f"the page tried to reach beyond the lab: {blocked}"
    ada_saved = ProgressStore(lab.homes / "ada-lovelace").load()
    alan_saved = ProgressStore(lab.homes / "alan-turing").load()
    assert ada_saved.lessons["chain-rule"].finished and alan_saved.lessons["chain-rule"].finished
    assert [a["text"] for a in ada_saved.attempts][:2] == ["7", "1"]
    assert [a["text"] for a in alan_saved.attempts][:2] == ["5", "1"]
    assert all(shot.stat().st_size > 10_000 for shot in shots)
