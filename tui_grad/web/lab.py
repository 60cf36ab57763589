"""A lab's learners: the roster, each learner's progress folder and secret link, the instructor's link.

The links are kept in a file beside the learners' folders (readable by its owner only), so a
restarted server and `tui-grad serve --links` give every learner the same link as before.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tui_grad.core.classroom import ROSTER_NAMES, roster_names
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import read_lesson_source
from tui_grad.core.safe_text import safe_text

TOKENS_FILE = ".lab-links.json"
"""Where the links are kept, in the homes folder (a dot name: the class view skips it)."""
ADDRESS_FILE = ".lab-address"
"""Where the address the lab was last served at is kept, so links printed again are the ones it serves."""
TOKEN_BYTES = 18
"""Random bytes in each link's secret: 144 bits, as long as a link stays short enough to paste."""
MAX_NAME = 80


class LabError(Exception):
    """A roster or links file the lab cannot use; the message says what and where."""


@dataclass(frozen=True)
class Learner:
    """One learner: the folder under the homes where their progress lives, their name, their secret."""

    folder: str
    name: str
    token: str


@dataclass(frozen=True)
class Lab:
    """Everyone a served lab lets in: the learners of the roster, and the instructor."""

    homes: Path
    learners: tuple[Learner, ...]
    instructor_token: str

    def home(self, learner: Learner) -> Path:
        """The learner's progress folder (their TUI_GRAD_HOME)."""
        return self.homes / learner.folder

    def learner_for(self, token: str) -> Learner | None:
        """The learner whose secret this is, compared in constant time; None for anyone else."""
        found = None
        for learner in self.learners:
            if secrets.compare_digest(learner.token.encode(), token.encode("utf-8", "replace")):
                found = learner
        return found

    def is_instructor(self, token: str) -> bool:
        """True for the instructor's secret (compared in constant time)."""
        return secrets.compare_digest(self.instructor_token.encode(), token.encode("utf-8", "replace"))


def folder_name(name: str) -> str:
    """A learner's folder from their name: lowercase ASCII letters, digits and single dashes."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:MAX_NAME]


def read_roster(path: Path) -> list[tuple[str, str]]:
    """(folder, name) for each learner in a roster file: one name a line, '#' starts a comment."""
    try:  # a FIFO, a device or a huge file is refused as a lesson file would be, never read
        text = read_lesson_source(path, "a roster")
    except LessonError as error:
        raise LabError(f"cannot read the roster {safe_text(str(path))}: {error.message}") from None
    learners: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        name = " ".join(line.split("#", 1)[0].split())
        if not name:
            continue
        where = f"{safe_text(str(path))}, line {number}"
        if len(name) > MAX_NAME:
            raise LabError(f"{where}: a name longer than {MAX_NAME} characters")
        folder = folder_name(name)
        if not folder:
            raise LabError(f"{where}: '{safe_text(name)}' has no letter or digit to name a folder with")
        if folder in seen:
            raise LabError(f"{where}: '{safe_text(name)}' would share the folder '{folder}' with line "
                           f"{seen[folder]}; make the names differ")
        seen[folder] = number
        learners.append((folder, safe_text(name)))
    if not learners:
        raise LabError(f"the roster {safe_text(str(path))} names no learner (one name a line)")
    return learners


def open_lab(roster: Path, homes: Path) -> Lab:
    """The lab of this roster: each learner's link as before, a new one for a new name; saved, and
    every learner's progress folder made."""
    learners = read_roster(roster)
    links_file = homes / TOKENS_FILE
    known: dict[str, str] = {}
    instructor = data_instructor = ""
    try:
        data = json.loads(links_file.read_text(encoding="utf-8"))
        known = {str(folder): str(token) for folder, token in data.get("learners", {}).items()}
        instructor = data_instructor = str(data.get("instructor") or "")
    except FileNotFoundError:
        pass
    except (OSError, ValueError, AttributeError) as error:
        raise LabError(f"the links file {safe_text(str(links_file))} cannot be read ({error}); move it away "
                       "to give everyone new links") from None
    tokens = {folder: known.get(folder) or secrets.token_urlsafe(TOKEN_BYTES) for folder, _name in learners}
    if not instructor:
        instructor = secrets.token_urlsafe(TOKEN_BYTES)
    if instructor != data_instructor or any(known.get(folder) != token for folder, token in tokens.items()):
        save_links(links_file, {**known, **tokens}, instructor)  # one taken off the roster keeps theirs for a return
    names = {**roster_names(homes), **dict(learners)}  # one taken off the roster keeps their name too
    if names != roster_names(homes):
        save_json(homes / ROSTER_NAMES, dict(sorted(names.items())), mode=0o644)
    for folder in tokens:  # every learner is in the class view from the start, even before their first visit
        (homes / folder).mkdir(mode=0o700, exist_ok=True)  # a learner's answers are theirs and the instructor's
    return Lab(homes, tuple(Learner(folder, name, tokens[folder]) for folder, name in learners), instructor)


def save_links(links_file: Path, learners: dict[str, str], instructor: str) -> None:
    """Write the links file readable by its owner only, atomically."""
    links_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = links_file.with_name(f".{links_file.name}.{os.getpid()}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump({"instructor": instructor, "learners": dict(sorted(learners.items()))}, stream, indent=1)
        stream.write("\n")
    os.replace(temporary, links_file)


def save_text(path: Path, text: str, mode: int) -> None:
    """Write `text` to `path` atomically, with these permissions, never through a link."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)


def save_json(path: Path, data: object, mode: int) -> None:
    """Write `data` as JSON to `path` atomically, with these permissions."""
    save_text(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n", mode)


def remember_address(homes: Path, address: str) -> None:
    """Keep the address the lab serves at (its port, or its public URL) for `serve --links`."""
    save_text(homes / ADDRESS_FILE, address + "\n", mode=0o644)


def served_address(homes: Path) -> str | None:
    """The address the lab was last served at, or None if it never was (or the file is not one: read
    without following a link or waiting on a FIFO, a few hundred bytes at most)."""
    try:
        handle = os.open(homes / ADDRESS_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            address = os.read(handle, 512).decode("utf-8").strip()
        finally:
            os.close(handle)
    except (OSError, UnicodeDecodeError):
        return None
    return address if re.fullmatch(r"https?://[A-Za-z0-9.:\[\]-]+", address) else None


def links(lab: Lab, public_url: str) -> list[tuple[str, str]]:
    """(who, link) for the instructor's class view and each learner, for the instructor to hand out."""
    base = public_url.rstrip("/")
    return [("instructor (class view)", f"{base}/c/{lab.instructor_token}"),
            *((learner.name, f"{base}/l/{learner.token}") for learner in lab.learners)]
