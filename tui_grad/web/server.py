"""The lab's web server: each learner's secret link opens the tutor in a browser tab, one tutor
process per tab, with the learner's own progress folder; the instructor's link opens the class view.

What it refuses: an unknown link (404), a websocket from a page of another site or with no Origin
(403: any page a learner visits could otherwise open and drive a session), and more sessions
than a learner or the machine is allowed (429). Access lines in the log never show a link.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import re
import signal
import string
import sys
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler

from tui_grad.web.lab import Lab, Learner

log = logging.getLogger("tui_grad.serve")

SESSIONS_PER_LEARNER = 3
"""Tabs one learner may have open at once: enough for a second window, not for a runaway script."""
SESSION_TIMEOUT_TO_QUIT = 2.0
"""Seconds a tutor gets to save and quit when its tab closes or the server stops, before a kill."""
SIZE_LIMITS = ((20, 500), (8, 200))
"""The columns and rows a browser may ask for; anything outside is clamped."""
MAX_MESSAGE = 64 * 1024
"""The largest websocket message taken from a browser (a paste of a few pages)."""
PASSED_THROUGH = ("TEXTUAL_ANIMATIONS", "TUI_GRAD_THEME", "TUI_GRAD_LOW_BANDWIDTH", "NO_COLOR")
"""The only settings a session takes from the server's environment: the instructor's choices."""
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
INSTRUCTOR = "the instructor"
"""Whose the class view's seats are: no folder name has a space, so no learner shares them."""
STATIC = "/static"
LOOKS_LIKE_A_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")
"""A run of a link's alphabet long enough to be a secret, or most of one (a link's is 24 characters)."""
PAGE = string.Template((Path(__file__).with_name("page.html")).read_text(encoding="utf-8"))
PAGE_SCRIPT = Path(__file__).with_name("lab.js")
"""The page's own script: says why a session ended (see `why`)."""
ENDED = {
    "ended": "This session has ended; your progress is saved.",
    "not_started": "The session could not start; your progress is saved. Try again in a moment.",
    "stopped": "The lab's server has stopped; your progress is saved. Start again once your instructor has "
               "started the lab again.",
    "gone": "This link no longer opens a session here: ask your instructor for yours.",
}
"""What the page says when its session ends, by what happened (lab.js picks one)."""
WRONG_PAGE = ("This link is not for this page: open the lab at {address}, with the link exactly as your "
              "instructor gave it.")


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lowercase, without a default port: what a browser sends as Origin."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def static_folder() -> Path:
    """The terminal page's script, style sheet and font, from the textual-serve package (never a CDN)."""
    import textual_serve

    return Path(textual_serve.__file__).parent / "static"


class RedactedAccessLog(AbstractAccessLogger):
    """One line a request, anything in the path that looks like a secret replaced by '…': links never
    reach a log, however the path around them is bent (/l//TOKEN, /L/TOKEN, /TOKEN.x)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = request.path
        if not (path.startswith(f"{STATIC}/") and response.status < 400):  # the package's own files are no secret
            path = LOOKS_LIKE_A_TOKEN.sub("…", path)
        self.logger.info("%s %s %s %.0f ms", request.method, path, response.status, time * 1000)


@dataclass(eq=False)
class Session:
    """One browser tab's tutor: a child process speaking Textual's web-driver packets on its pipes."""

    who: str
    """The learner's folder name, or INSTRUCTOR: for limits and the log, never a secret."""
    process: asyncio.subprocess.Process
    stderr_tail: bytearray = field(default_factory=bytearray)

    async def pump(self, send: Callable[[bytes], Awaitable[None]]) -> None:
        """Forward the tutor's screen updates to the browser until the tutor exits."""
        stdout = self.process.stdout
        assert stdout is not None
        stderr_task = asyncio.create_task(self._drain_stderr())
        try:
            for _ in range(10):  # Textual's web driver says hello first; anything else is a failure
                line = await stdout.readline()
                if not line or line == b"__GANGLION__\n":
                    break
            while True:
                kind = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if kind == b"D":
                    await send(payload)
                elif kind == b"M" and json.loads(payload).get("type") == "exit":
                    break
        except (asyncio.IncompleteReadError, ConnectionResetError, ValueError):
            pass
        finally:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stderr_task, SESSION_TIMEOUT_TO_QUIT)

    async def _drain_stderr(self) -> None:
        """Keep the last few kilobytes of the tutor's error output, for the log if it fails."""
        stderr = self.process.stderr
        assert stderr is not None
        while chunk := await stderr.read(4096):
            self.stderr_tail += chunk
            del self.stderr_tail[:-4096]

    async def send(self, kind: bytes, payload: bytes) -> None:
        """One packet to the tutor: b"D" keys typed, b"M" a resize, focus, blur or quit."""
        stdin = self.process.stdin
        if stdin is None or stdin.is_closing():
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            stdin.write(kind + len(payload).to_bytes(4, "big") + payload)
            await stdin.drain()

    async def meta(self, data: dict) -> None:
        """A meta packet (resize, focus, blur, quit)."""
        await self.send(b"M", json.dumps(data).encode())

    async def stop(self) -> None:
        """Ask the tutor to quit (it saves as it goes); kill it if it has not within a couple of seconds."""
        if self.process.returncode is None:
            await self.meta({"type": "quit"})
            try:
                await asyncio.wait_for(self.process.wait(), SESSION_TIMEOUT_TO_QUIT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()


class LabServer:
    """The web server of one lab: pages, websockets, limits, and a prompt stop."""

    def __init__(self, lab: Lab, public_url: str | None = None, *, lessons: Path | None = None,
                 per_learner: int = SESSIONS_PER_LEARNER, total: int = 40) -> None:
        self.lab = lab
        self.public_url = (public_url or "").rstrip("/")
        """The address browsers use; for a loopback lab without --public-url, set once bound."""
        self.lessons = lessons
        self.per_learner = per_learner
        self.total = total
        self.sessions: dict[str, set[Session]] = {}
        self.seats: dict[str, int] = {}
        """Tutors each learner (and the instructor) may have running: a seat is taken before its tutor starts."""
        self.sockets: set[web.WebSocketResponse] = set()
        self.origins = {origin_of(self.public_url)} if public_url else set()
        self.end_code: int = WSCloseCode.OK
        """How a tab is closed when its tutor ends: GOING_AWAY once the lab is stopping (the page says so)."""

    def bound(self, host: str, port: int) -> None:
        """Listening on `port`: without a public address, the lab is this loopback address, reached as
        127.0.0.1, localhost or [::1] (the same machine under any of its names)."""
        if not self.public_url:
            self.public_url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
            self.origins = {f"http://{name}:{port}" for name in LOOPBACK_NAMES}

    # --- the web application ---

    def application(self) -> web.Application:
        """The aiohttp application: token routes, the package's static files, security headers."""
        app = web.Application(middlewares=[self.headers], client_max_size=MAX_MESSAGE)
        app.add_routes([
            web.get("/l/{token}", self.learner_page),
            web.get("/l/{token}/", self.learner_page),
            web.get("/l/{token}/ws", self.learner_socket),
            web.post("/l/{token}/why", self.learner_why),
            web.get("/c/{token}", self.class_page),
            web.get("/c/{token}/", self.class_page),
            web.get("/c/{token}/ws", self.class_socket),
            web.post("/c/{token}/why", self.class_why),
            web.get("/lab.js", page_script),
            web.get("/favicon.ico", favicon),
            web.static(STATIC, static_folder()),
        ])
        app.on_shutdown.append(self.close_all)
        return app

    @web.middleware
    async def headers(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Every answer: not cached, not framed by another site, no referrer (the path is a secret)."""
        try:
            response = await handler(request)
        except web.HTTPException as refusal:
            _secure(refusal.headers, self.socket_origin())
            raise
        if not isinstance(response, web.WebSocketResponse):
            _secure(response.headers, self.socket_origin())
        return response

    def socket_origin(self) -> str:
        """ws://host:port (wss:// behind TLS): the only place the page may connect to."""
        base = urlsplit(self.public_url)
        return f"{'wss' if base.scheme == 'https' else 'ws'}://{base.netloc}"

    def page(self, heading: str, websocket_path: str, request: web.Request) -> web.Response:
        """The terminal page: xterm.js connects to this tab's websocket at the public address."""
        base = urlsplit(self.public_url)
        scheme = "wss" if base.scheme == "https" else "ws"
        try:
            font_size = min(max(int(request.query.get("fontsize", "16")), 8), 40)
        except ValueError:
            font_size = 16
        text = PAGE.substitute(title=html.escape(heading), heading=html.escape(heading), font_size=font_size,
                               websocket=html.escape(f"{scheme}://{base.netloc}{base.path}{websocket_path}"),
                               **{name: html.escape(words) for name, words in ENDED.items()})
        return web.Response(text=text, content_type="text/html")

    def learner(self, request: web.Request) -> Learner:
        found = self.lab.learner_for(request.match_info["token"])
        if found is None:
            raise web.HTTPNotFound(text="No such lab link: ask your instructor for yours.\n")
        return found

    def instructor(self, request: web.Request) -> None:
        if not self.lab.is_instructor(request.match_info["token"]):
            raise web.HTTPNotFound(text="No such lab link: ask your instructor for yours.\n")

    async def learner_page(self, request: web.Request) -> web.Response:
        learner = self.learner(request)
        self.check_limits(learner.folder)
        return self.page(f"tui-grad · {learner.name}", f"/l/{learner.token}/ws", request)

    async def class_page(self, request: web.Request) -> web.Response:
        self.instructor(request)
        return self.page("tui-grad · the class", f"/c/{self.lab.instructor_token}/ws", request)

    async def learner_why(self, request: web.Request) -> web.Response:
        return self.why(request, self.learner(request).folder)

    async def class_why(self, request: web.Request) -> web.Response:
        self.instructor(request)
        return self.why(request, INSTRUCTOR)

    def why(self, request: web.Request, who: str) -> web.Response:
        """Why this page's websocket would be refused now (a browser is told nothing of a refused
        websocket): {"why": "origin" | "limit" | "", "text": what to tell the learner}. The page asks
        (a POST, so the browser says where from) when its session ends."""
        reason = text = ""
        try:
            self.check_origin(request)
            self.check_limits(who)
        except web.HTTPForbidden:
            reason, text = "origin", WRONG_PAGE.format(address=self.public_url)
        except web.HTTPTooManyRequests as refusal:
            reason, text = "limit", (refusal.text or "").strip()
        return web.json_response({"why": reason, "text": text})

    def check_limits(self, who: str) -> None:
        """429 when this learner or the whole lab has as many seats taken as allowed."""
        mine = self.seats.get(who, 0)
        if mine >= self.per_learner:
            raise web.HTTPTooManyRequests(text=f"You have {mine} tui-grad tabs open already: close one and "
                                          "reload this page.\n")
        if self.open_count() >= self.total:
            raise web.HTTPTooManyRequests(text="The lab is full right now: try again in a minute.\n")

    @contextlib.contextmanager
    def seat(self, who: str) -> Iterator[None]:
        """A seat for one tutor, counted the moment it is granted (no await between the check and the
        count, so connections arriving together cannot all pass) and given back on every way out."""
        self.check_limits(who)
        self.seats[who] = self.seats.get(who, 0) + 1
        try:
            yield
        finally:
            self.seats[who] -= 1
            if not self.seats[who]:
                del self.seats[who]

    def check_origin(self, request: web.Request) -> None:
        """403 unless the websocket comes from this lab's own page (a browser always says where from)."""
        origin = request.headers.get("Origin")
        try:
            allowed = origin is not None and origin_of(origin) in self.origins
        except ValueError:  # a port that is no number, a broken [IPv6] host: no page of this lab
            allowed = False
        if not allowed:
            raise web.HTTPForbidden(text="This session can only be opened from the lab's own page.\n")

    async def learner_socket(self, request: web.Request) -> web.WebSocketResponse:
        learner = self.learner(request)
        return await self.socket(request, learner.folder, self.learner_environment(learner),
                                 cwd=self.lab.home(learner))

    async def class_socket(self, request: web.Request) -> web.WebSocketResponse:
        self.instructor(request)
        environment = self.base_environment(str(self.lab.homes))
        return await self.socket(request, INSTRUCTOR, environment, cwd=self.lab.homes,
                                 arguments=["--class", str(self.lab.homes)])

    # --- sessions ---

    def base_environment(self, home: str) -> dict[str, str]:
        """What every tutor process gets: the web driver, a real terminal type, nothing of the server's
        own environment beyond PASSED_THROUGH."""
        package_root = str(Path(__file__).resolve().parents[2])
        environment = {
            "PATH": os.defpath, "HOME": home, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
            "PYTHONPATH": package_root, "TERM": "xterm-256color", "COLORTERM": "truecolor",
            "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "TEXTUAL_FPS": "60",
            "TEXTUAL_COLOR_SYSTEM": "truecolor", "TERM_PROGRAM": "tui-grad-serve",
        }
        environment.update((name, os.environ[name]) for name in PASSED_THROUGH if name in os.environ)
        return environment

    def learner_environment(self, learner: Learner) -> dict[str, str]:
        """A learner's tutor: their own progress folder, their name for the title."""
        home = self.lab.home(learner)
        return {**self.base_environment(str(home)), "TUI_GRAD_HOME": str(home), "TUI_GRAD_LEARNER": learner.name}

    async def socket(self, request: web.Request, who: str, environment: dict[str, str], cwd: Path,
                     arguments: list[str] | None = None) -> web.WebSocketResponse:
        """Check the origin, take a seat, start a tutor sized to the browser, relay until either ends."""
        self.check_origin(request)
        if not web.WebSocketResponse().can_prepare(request).ok:  # before a tutor starts, not after
            raise web.HTTPBadRequest(text="This address is the lab page's connection; open the page itself.\n")
        with self.seat(who):
            websocket = await self.session(request, who, environment, cwd, arguments)
        log.info("session ended for %s, %d open", who, self.open_count())
        return websocket

    async def session(self, request: web.Request, who: str, environment: dict[str, str], cwd: Path,
                      arguments: list[str] | None) -> web.WebSocketResponse:
        """Start the tutor of a seated tab and relay until either ends."""
        width, height = (_clamp(request.query.get(name), low, high, default)
                         for name, (low, high), default in (("width", SIZE_LIMITS[0], 80),
                                                            ("height", SIZE_LIMITS[1], 24)))
        environment = {**environment, "COLUMNS": str(width), "ROWS": str(height), "LINES": str(height)}
        command = [sys.executable, "-m", "tui_grad.web.session", "--parent", str(os.getpid())]
        if self.lessons is not None:
            command += ["--lessons", str(self.lessons)]
        command += arguments or []
        try:
            cwd.mkdir(mode=0o700, parents=True, exist_ok=True)
            process = await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=environment, cwd=cwd, start_new_session=True)
        except OSError as error:  # out of processes or descriptors: this tab waits, the lab goes on
            log.warning("cannot start a tutor for %s: %s", who, error.strerror or error)
            raise web.HTTPServiceUnavailable(text="The lab cannot start a tutor right now: try again in a "
                                             "minute.\n") from None
        session = Session(who, process)
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        try:
            self.sessions.setdefault(who, set()).add(session)
            self.sockets.add(websocket)
            log.info("session started for %s (%dx%d), %d open", who, width, height, self.open_count())
            await websocket.prepare(request)
            pump = asyncio.create_task(session.pump(websocket.send_bytes))
            pump.add_done_callback(lambda _task: asyncio.ensure_future(websocket.close(code=self.end_code)))
            await self.relay(websocket, session)
            await session.stop()
            await pump
        finally:
            await session.stop()
            self.sockets.discard(websocket)
            group = self.sessions.get(who, set())
            group.discard(session)
            if not group:
                self.sessions.pop(who, None)
            status = process.returncode
            if status not in (0, -signal.SIGKILL, None):
                tail = session.stderr_tail.decode("utf-8", "replace").strip().splitlines()[-3:]
                log.warning("session of %s ended with status %s: %s", who, status, " | ".join(tail))
        return websocket

    async def relay(self, websocket: web.WebSocketResponse, session: Session) -> None:
        """The browser's keys, sizes and focus to the tutor; anything malformed is dropped, the session kept."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = json.loads(message.data)[:2]
            except (ValueError, TypeError, RecursionError):  # not JSON, not a [kind, data] list, nested too deep
                continue
            if kind == "stdin" and isinstance(data, str):
                try:
                    keys = data.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate: no key a browser sends
                    continue
                await session.send(b"D", keys)
            elif kind == "resize" and isinstance(data, dict):
                width = _clamp(data.get("width"), *SIZE_LIMITS[0], 80)
                height = _clamp(data.get("height"), *SIZE_LIMITS[1], 24)
                await session.meta({"type": "resize", "width": width, "height": height})
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind in ("focus", "blur"):
                await session.meta({"type": kind})

    def open_count(self) -> int:
        """Seats taken in the whole lab: tutors running or about to start."""
        return sum(self.seats.values())

    async def close_all(self, _app: web.Application | None = None) -> None:
        """Stop every tutor (each saves and quits, or is killed after a couple of seconds), close every tab."""
        self.end_code = WSCloseCode.GOING_AWAY
        sessions = [session for group in self.sessions.values() for session in group]
        await asyncio.gather(*(session.stop() for session in sessions), return_exceptions=True)
        await asyncio.gather(*(socket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping")
                               for socket in list(self.sockets)), return_exceptions=True)


async def page_script(_request: web.Request) -> web.FileResponse:
    """The page's own script, lab.js."""
    return web.FileResponse(PAGE_SCRIPT, headers={"Content-Type": "text/javascript"})


async def favicon(_request: web.Request) -> web.Response:
    """No icon, and no 404 in the log for every page load."""
    return web.Response(status=204)


def _secure(headers: MutableMapping[str, str], socket_origin: str) -> None:
    headers.setdefault("Cache-Control", "no-store")
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = (
        f"default-src 'self'; connect-src 'self' {socket_origin}; img-src 'self' data:; "
        "style-src 'self' 'unsafe-inline'; font-src 'self'; frame-ancestors 'none'")


def _clamp(value: object, low: int, high: int, default: int) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):  # not a number, NaN, infinite
        return default
    return min(max(number, low), high)


async def run(server: LabServer, host: str, port: int, ready: Callable[[int], None],
              stop: asyncio.Event) -> None:
    """Serve until `stop` is set; `ready(port)` is called once listening (with the real port for 0)."""
    runner = web.AppRunner(server.application(), access_log_class=RedactedAccessLog, shutdown_timeout=1.0,
                           handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, shutdown_timeout=1.0)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or ()  # the bound port, when 0 asked for any
    bound = sockets[0].getsockname()[1] if sockets else port
    server.bound(host, bound)
    ready(bound)
    try:
        await stop.wait()
    finally:
        await server.close_all()
        await runner.cleanup()
