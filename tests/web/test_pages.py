"""What the lab's pages say when something goes wrong, and how they fit a phone: a refused session
names its reason (the lab is full, a page of another address, the server stopped), links with a
trailing slash work, the favicon is no 404, and `serve --links` prints the links the lab serves."""

from __future__ import annotations

import os
import re

import aiohttp
import pyte
import pytest

from tests.web.lab import WAIT, LabProcess, open_tab
from tests.web.test_browser import TAP_WEBSOCKET, Page, chromium
from tests.web.test_serve import ADA, ALAN, run_cli

INSTRUCTOR = "instructor (class view)"


@pytest.fixture
def labs(tmp_path):
    started: list[LabProcess] = []

    def start(*extra: str, names=(ADA, ALAN)) -> LabProcess:
        lab = LabProcess(tmp_path, list(names), *extra)
        started.append(lab)
        return lab

    yield start
    for lab in started:
        lab.stop()


async def why(http: aiohttp.ClientSession, link: str, origin: str) -> tuple[int, dict]:
    async with http.post(link.rstrip("/") + "/why", headers={"Origin": origin}) as response:
        return response.status, (await response.json() if response.status == 200 else {})


async def test_links_with_a_slash_the_favicon_and_why_a_session_would_be_refused(labs):
    lab = labs("--per-learner", "1", "--max-sessions", "2")
    ada, alan, instructor = lab.link(ADA), lab.link(ALAN), lab.link(INSTRUCTOR)
    async with aiohttp.ClientSession() as http:
        for link in (ada, instructor):
            async with http.get(link + "/") as response:
                assert response.status == 200, link
                assert "data-session-websocket-url" in await response.text()
        async with http.get(lab.url + "/favicon.ico") as response:
            assert response.status == 204
        async with http.get(lab.url + "/lab.js") as response:
            assert response.status == 200 and "/why" in await response.text()
        async with http.get(ada) as response:
            page = await response.text()
        assert 'name="viewport" content="width=device-width' in page
        assert "The lab&#x27;s server has stopped" in page  # the words for each ending are the page's own

        assert await why(http, ada, lab.url) == (200, {"why": "", "text": ""})
        status, answer = await why(http, ada, "http://evil.example")
        assert status == 200 and answer["why"] == "origin" and lab.url in answer["text"]
        assert (await why(http, lab.url + "/l/not-a-token", lab.url))[0] == 404
        assert (await why(http, lab.url + f"/c/{ada.rsplit('/', 1)[1]}", lab.url))[0] == 404

        tab = await open_tab(http, ada)
        await tab.wait_for("tui-grad · Ada Lovelace")
        status, answer = await why(http, ada, lab.url)
        assert answer["why"] == "limit" and "tabs open already" in answer["text"]
        other = await open_tab(http, alan)
        await other.wait_for("tui-grad · Alan Turing")
        status, answer = await why(http, instructor, lab.url)
        assert answer == {"why": "limit", "text": "The lab is full right now: try again in a minute."}
        await other.close()
        await tab.close()


def test_links_printed_again_are_the_ones_the_running_lab_serves(tmp_path):
    lab = LabProcess(tmp_path, [ADA, ALAN])
    try:
        served = lab.output
    finally:
        lab.stop()
    port = re.search(r"serving on 127\.0\.0\.1:(\d+)", "".join(served)).group(1)
    roster, homes = str(lab.roster), str(lab.homes)
    again = run_cli("serve", "--roster", roster, "--homes", homes, "--links", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    printed = dict(re.match(r"(.+?)\s+(http://\S+)$", line).groups() for line in again.stdout.splitlines())
    assert printed == lab.links and all(f"127.0.0.1:{port}/" in link for link in printed.values())
    public = run_cli("serve", "--roster", roster, "--homes", homes, "--links", "--public-url",
                     "https://lab.example.org", cwd=tmp_path)
    assert public.stdout.splitlines()[1].endswith(lab.links[ADA].replace(f"http://127.0.0.1:{port}",
                                                                        "https://lab.example.org"))
    (lab.homes / ".lab-address").unlink()
    unknown = run_cli("serve", "--roster", roster, "--homes", homes, "--links", cwd=tmp_path)
    assert unknown.returncode == 2 and "not been served yet" in unknown.stderr and not unknown.stdout


class BrowserPage(Page):
    """A lab page in a context of its own (a phone's, say), at any address; refused requests beyond
    the lab are recorded."""

    def __init__(self, browser, url: str, lab_url: str, blocked: list[str], **context) -> None:
        self.context = browser.new_context(**({"viewport": {"width": 1100, "height": 720}} | context))

        def only_the_lab(route) -> None:
            if route.request.url.startswith(lab_url + "/"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        self.context.route("**/*", only_the_lab)
        self.page = self.context.new_page()
        self.page.add_init_script(TAP_WEBSOCKET)
        self.page.goto(url)
        self.page.wait_for_function("() => window.__size !== undefined", timeout=WAIT * 1000)
        width, height = (int(self.page.evaluate(f"() => window.__size.get('{name}')")) for name in ("width", "height"))
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)

    def notice(self) -> str:
        """The words of the page's ended notice, once it shows and has been told why."""
        self.page.wait_for_selector("#ended", state="visible", timeout=WAIT * 1000)
        return self.page.inner_text("#ended-why")

    def notice_becomes(self, words: str) -> str:
        self.page.wait_for_function("(words) => document.getElementById('ended-why').textContent.includes(words)",
                                    arg=words, timeout=WAIT * 1000)
        return self.notice()


def test_a_phone_gets_the_size_notice_and_ended_pages_say_what_happened(tmp_path):
    """In Chromium: a phone's page lays out at the phone's width and the tutor asks for the size it
    needs; a page at an address the lab does not serve from says so; the palette opens; a tutor
    quit says the session ended, a stopped server that it stopped."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    lab = LabProcess(tmp_path / "one", [ADA, ALAN])
    other = LabProcess(tmp_path / "two", [ADA], "--public-url", "http://127.0.0.2:1")
    real = re.search(r"serving on (127\.0\.0\.1:\d+)", "".join(other.output)).group(1)
    blocked: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True)
            try:
                phone = BrowserPage(browser, lab.link(ADA), lab.url, blocked, viewport={"width": 390, "height": 844},
                                    device_scale_factor=3, is_mobile=True, has_touch=True)
                screen = phone.wait_for("tui-grad needs at least 80×24")
                assert phone.screen.columns < 60, "the page is laid out at the phone's width, not 980 px"
                assert f"This window is {phone.screen.columns}×{phone.screen.lines}" in screen.replace("\n", " ")

                wrong = BrowserPage(browser, other.link(ADA).replace("127.0.0.2:1", real), f"http://{real}", blocked)
                words = wrong.notice_becomes("not for this page")
                assert "http://127.0.0.2:1" in words

                desk = BrowserPage(browser, lab.link(ALAN), lab.url, blocked)
                desk.wait_for("tui-grad · Alan Turing")
                desk.page.focus(".xterm-helper-textarea")
                desk.press("Control+p")  # the footer's ^p palette works in a page, without a Screenshot
                screen = desk.wait_for("Quit the application")
                assert "Screenshot" not in screen and "Theme" in screen
                desk.press("Escape", "Control+q")
                assert desk.notice_becomes("ended") == "This session has ended; your progress is saved."

                last = BrowserPage(browser, lab.link(ADA), lab.url, blocked)
                last.wait_for("tui-grad · Ada Lovelace")
                lab.stop()
                assert "server has stopped" in last.notice_becomes("server has stopped")
            finally:
                browser.close()
    finally:
        lab.stop()
        other.stop()
    assert blocked == [], blocked


def test_a_noted_address_that_is_no_address_is_not_used(tmp_path):
    """The address file is read as untrusted: a FIFO, a link, a control character or a path is ignored."""
    from tui_grad.web.lab import ADDRESS_FILE, remember_address, served_address

    remember_address(tmp_path, "http://127.0.0.1:18401")
    assert served_address(tmp_path) == "http://127.0.0.1:18401"
    note = tmp_path / ADDRESS_FILE
    for bad in ("http://127.0.0.1:1\x1b[2J", "https://lab.example.org/elsewhere", "javascript:alert(1)", ""):
        note.write_text(bad, encoding="utf-8")
        assert served_address(tmp_path) is None, bad
    note.unlink()
    (tmp_path / "elsewhere").write_text("http://127.0.0.1:9", encoding="utf-8")
    note.symlink_to(tmp_path / "elsewhere")
    assert served_address(tmp_path) is None
    note.unlink()
    os.mkfifo(note)
    assert served_address(tmp_path) is None  # at once: a FIFO with no writer is not waited on
