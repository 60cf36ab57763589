"""A lab for tests: `tui-grad serve` as a real process on a free loopback port, and a browser-like
websocket client whose terminal stream feeds a pyte screen, so tests read what a learner would see."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pyte

WAIT = 30.0  # a generous ceiling for something to show; never a speed assertion
REPOSITORY = Path(__file__).resolve().parents[2]
KEYS = {"Enter": "\r", "Escape": "\x1b", "Ctrl+Q": "\x11", "F3": "\x1bOR", "Tab": "\t", "Down": "\x1b[B"}


class LabProcess:
    """`tui-grad serve` started with a roster; the links it prints, parsed; stopped with SIGINT."""

    def __init__(self, folder: Path, names: list[str], *extra: str, env: dict[str, str] | None = None) -> None:
        self.roster = folder / "roster.txt"
        self.roster.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
        self.homes = folder / "homes"
        self.stderr_path = folder / "serve.stderr"
        environment = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "PYTHONPATH": str(REPOSITORY), **(env or {})}
        with open(self.stderr_path, "wb") as stderr:  # the server keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tui_grad", "serve", "--roster", str(self.roster), "--homes", str(self.homes),
                 "--port", "0", *extra],
                stdout=subprocess.PIPE, stderr=stderr, env=environment, text=True)
        self.links: dict[str, str] = {}
        self.output: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:  # ends with the 'Ctrl+C stops the lab' line, or at exit
            self.output.append(line)
            found = re.match(r"(.+?)\s+(http://\S+)$", line.rstrip("\n"))
            if found:
                self.links[found.group(1)] = found.group(2)
            if line.startswith("Ctrl+C stops"):
                break
        if not self.links:
            raise AssertionError(f"the lab did not start: {''.join(self.output)}{self.stderr()}")
        self.url = re.match(r"http://[^/]+", next(iter(self.links.values()))).group(0)

    def link(self, who: str) -> str:
        return self.links[who]

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """SIGINT, as Ctrl+C does; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(2)
        try:
            return self.process.wait(WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()


class Tab:
    """One browser tab's session: a websocket sending keys, a pyte screen showing what it draws."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse, width: int, height: int) -> None:
        self.websocket = websocket
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = asyncio.Event()
        self.closed = False
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.stream.feed(message.data)
                self.changed.set()
        self.closed = True
        self.changed.set()

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    async def wait_for(self, text: str, timeout: float = WAIT) -> str:
        """Wait until `text` is on the screen; fail with the screen if it never comes or the tab closes."""
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if self.closed:
                raise AssertionError(f"the session closed before {text!r} showed; the screen:\n{self.text()}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{text!r} never showed; the screen:\n{self.text()}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)
        return self.text()

    async def wait_closed(self, timeout: float = WAIT) -> None:
        await asyncio.wait_for(self.reader, timeout)

    async def type(self, text: str) -> None:
        """Type text and press Enter, as a learner does."""
        await self.websocket.send_json(["stdin", text + "\r"])

    async def keys(self, *names: str) -> None:
        for name in names:
            await self.websocket.send_json(["stdin", KEYS.get(name, name)])

    async def close(self) -> None:
        await self.websocket.close()
        await self.reader


def socket_url(page_link: str, width: int, height: int) -> str:
    """The websocket a page at `page_link` opens (as textual.js does: the size in the query)."""
    return page_link.replace("http://", "ws://", 1) + f"/ws?width={width}&height={height}"


async def open_tab(http: aiohttp.ClientSession, page_link: str, width: int = 100, height: int = 30,
                   origin: str | None = "same") -> Tab:
    """Open a session as the lab's page would: Origin is the page's own unless told otherwise."""
    headers = {}
    if origin == "same":
        headers["Origin"] = re.match(r"http://[^/]+", page_link).group(0)
    elif origin is not None:
        headers["Origin"] = origin
    websocket = await http.ws_connect(socket_url(page_link, width, height), headers=headers)
    return Tab(websocket, width, height)
