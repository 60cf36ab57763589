"""The class at a glance: every learner's progress folder under one or more directories (one per
lab server), summed up for an instructor as one row per learner, one per lesson node, and one per
learner per node (who made which mistakes where).

Each learner's folder is read with the tutor's own ProgressStore, read-only: no lock file is made
and nothing is moved, so an instructor (even root) leaves no trace in a learner's folder. A folder
that cannot be read, or holds a damaged file, is listed with why, and the rest goes on.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tui_grad.core.activity import last_activity
from tui_grad.core.catalog import Catalog
from tui_grad.core.home import part_summary
from tui_grad.core.progress import ProgressStore
from tui_grad.core.safe_text import csv_cell, safe_text, utc_time
from tui_grad.core.skills import SKILLS, Tally, right_first_time

EXPORT_FORMATS = ("csv", "jsonl")
ROSTER_NAMES = ".lab-roster.json"
"""In a homes folder: each learner folder's name as the roster writes it (`tui-grad serve` keeps it)."""
MAX_ROSTER_NAMES = 4 * 1024 * 1024
"""The largest names file read: far more than any roster's."""
MAX_NODES = 20_000
"""The most nodes tabled for one learner: far more than every lesson's, so only a forged file reaches it."""
MAX_MISTAKES = 100
"""The most different mistakes counted for one learner on one node (the diagnoses name a handful)."""


@dataclass(frozen=True)
class LearnerRow:
    """One learner: lessons finished, where they are now, skills mastered, when they last worked."""

    learner: str
    finished: int
    now: str
    mastered: int
    answers: int
    last_active: float | None
    """The last answer, lesson change or marked key or click (see activity)."""
    folder: str = ""
    """The learner's progress folder (their name is the roster's, when a lab wrote one)."""


@dataclass(frozen=True)
class NodeRow:
    """One node of one lesson part, over the class: who tried it, who got it right first time
    (no hint, not shown), the most common diagnosed mistakes, and the hints taken."""

    lesson: str
    part: int
    node: str
    tried: int
    right_first_time: int
    mistakes: tuple[tuple[str, int], ...]
    hints: int


@dataclass(frozen=True)
class LearnerNodeRow:
    """One learner on one node: answers tried, whether the first was right (no hint, not shown), each
    diagnosed mistake with how often, and the most hints taken."""

    learner: str
    lesson: str
    part: int
    node: str
    tries: int
    first_try_right: bool
    mistakes: tuple[tuple[str, int], ...]
    hints: int


@dataclass(frozen=True)
class Unreadable:
    """A learner whose progress could not be read as it is, and why (in the tutor's own words)."""

    learner: str
    reason: str


@dataclass(frozen=True)
class ClassView:
    """The whole class: learner rows, node rows, learner-by-node rows, and the learners whose files are
    damaged."""

    folder: Path
    learners: tuple[LearnerRow, ...]
    nodes: tuple[NodeRow, ...]
    unreadable: tuple[Unreadable, ...]
    learner_nodes: tuple[LearnerNodeRow, ...] = ()
    folders: tuple[Path, ...] = ()
    """Every folder read (`folder` is the first)."""

    def of_learner(self, learner: str) -> list[LearnerNodeRow]:
        """The learner's rows, node by node."""
        return [row for row in self.learner_nodes if row.learner == learner]

    def of_node(self, lesson: str, part: int, node: str) -> list[LearnerNodeRow]:
        """The node's rows, learner by learner."""
        return [row for row in self.learner_nodes if (row.lesson, row.part, row.node) == (lesson, part, node)]


def learner_folders(folder: Path) -> list[Path]:
    """The learners' progress folders in `folder`: each sub-folder not starting with a dot, sorted."""
    return sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))


def roster_names(folder: Path) -> dict[str, str]:
    """Each learner folder's roster name, from the names file a lab keeps in `folder` ({} without one,
    or with one that is not a JSON object of strings: the folder names stand)."""
    try:
        with open(folder / ROSTER_NAMES, "rb", opener=_no_follow) as stream:
            data = json.loads(stream.read(MAX_ROSTER_NAMES + 1)[:MAX_ROSTER_NAMES])
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(key): safe_text(value) for key, value in data.items() if isinstance(value, str) and value.strip()}


def _no_follow(path: str, flags: int) -> int:
    """Open without following a link and without waiting on a FIFO."""
    import os

    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def read_class(folder: Path | Sequence[Path], catalog: Catalog | None = None) -> ClassView:
    """Read every learner under `folder` (or each of several folders, one per lab server); ValueError
    only when a folder itself cannot be listed."""
    folders = (folder,) if isinstance(folder, Path) else tuple(folder)
    homes: list[tuple[Path, str]] = []
    for place in folders:
        try:
            names = roster_names(place)
            homes.extend((home, names.get(home.name) or safe_text(home.name)) for home in learner_folders(place))
        except OSError as error:
            raise ValueError(f"cannot read the class folder {safe_text(str(place))}: "
                             f"{error.strerror or error}") from None
    learners: list[LearnerRow] = []
    unreadable: list[Unreadable] = []
    tallies: dict[str, LearnerTally] = {}
    for home, roster_name in homes:
        name = roster_name
        if name in tallies or any(entry.learner == name for entry in unreadable):
            name = f"{roster_name} ({safe_text(home.parent.name)})"  # the same name in two labs: say which
        try:
            store = ProgressStore(home).load(read_only=True)
            tally = LearnerTally()
            for attempt in store.each_attempt():
                tally.take(attempt)
        except Exception as error:  # never fatal: one learner's folder must not hide the class
            unreadable.append(Unreadable(name, safe_text(f"{type(error).__name__}: {error}")))
            continue
        unreadable.extend(Unreadable(name, safe_text(str(warning))) for warning in store.warnings)
        set_aside = sorted(home.glob("progress.damaged-*"))
        if set_aside and not store.warnings:  # read before: say so on every refresh, not just the first
            unreadable.append(Unreadable(name, safe_text(f"a damaged progress file was set aside as "
                                                         f"{set_aside[-1].name}; the tutor started afresh")))
        if tally.dropped:
            unreadable.append(Unreadable(name, f"answers on more than {MAX_NODES:,} different nodes: only the "
                                               f"first {MAX_NODES:,} are tabled ({tally.dropped:,} answers "
                                               "left out of the node tables)"))
        learners.append(learner_row(name, store, catalog, home, tally))
        tallies[name] = tally
    return ClassView(folders[0], tuple(learners), tuple(node_rows(tallies, catalog)), tuple(unreadable),
                     tuple(learner_node_rows(tallies, catalog)), folders)


@dataclass
class NodeTally:
    """One learner on one node so far: answers tried (not shown), the first try's verdict (None before
    one), each diagnosed mistake with how often, and the most hints taken."""

    tries: int = 0
    first_right: bool | None = None
    mistakes: Counter[str] = field(default_factory=Counter)
    hints: int = 0


class LearnerTally:
    """One learner's answers folded in one at a time, in the log's order (the store's, which a clock
    set wrong cannot shuffle), keeping only counts: how many, the latest, each skill's mastery and one
    NodeTally a node. So the class reads a log of any length a block at a time. The node tallies stop
    growing at MAX_NODES nodes (a file may name any number): answers on further nodes are counted in
    `dropped`, and the class view says so."""

    def __init__(self) -> None:
        self.answers = 0
        self.latest: float | None = None
        self.skills = Tally()
        self.nodes: dict[tuple[str, int, str], NodeTally] = {}
        self.dropped = 0

    def take(self, attempt: Mapping[str, Any]) -> None:
        """Count one answer (oldest first)."""
        self.answers += 1
        moment = attempt["at"]
        if self.latest is None or moment > self.latest:
            self.latest = moment
        first = self.skills.take(attempt)
        key = (attempt["lesson"], attempt["part"], attempt["node"])
        node = self.nodes.get(key)
        if node is None:
            if len(self.nodes) >= MAX_NODES:
                self.dropped += 1
                return
            node = self.nodes[key] = NodeTally()
        node.hints = max(node.hints, attempt["hints"])
        if not attempt.get("shown"):
            node.tries += 1
        if attempt["mistake"] and (attempt["mistake"] in node.mistakes or len(node.mistakes) < MAX_MISTAKES):
            node.mistakes[attempt["mistake"]] += 1
        if first and node.first_right is None:
            node.first_right = right_first_time(attempt)


def learner_row(name: str, store: ProgressStore, catalog: Catalog | None, home: Path | None = None,
                tally: LearnerTally | None = None) -> LearnerRow:
    """One learner's row from their loaded progress (and their answers' tally, made from the store's
    log a block at a time when not given)."""
    if tally is None:
        tally = LearnerTally()
        for attempt in store.each_attempt():
            tally.take(attempt)
    finished = sum(1 for record in store.lessons.values() if record.finished)
    open_lessons = [(record.updated, lesson_id, record) for lesson_id, record in store.lessons.items()
                    if record.started and not record.finished]
    now = "—"
    if open_lessons:
        _updated, lesson_id, record = max(open_lessons, key=lambda item: item[0])
        lesson = catalog.find(lesson_id) if catalog else None
        where = part_summary(lesson, record) if lesson else f"part {record.part + 1}"
        now = f"{safe_text(lesson_id)}: {where}"
    moments = [record.updated for record in store.lessons.values() if record.updated]
    if tally.latest is not None:
        moments.append(tally.latest)
    active = last_activity(home) if home is not None else None
    if active is not None:
        moments.append(active)
    mastered = sum(1 for skill in tally.skills.table().values() if skill.mastered)
    return LearnerRow(name, finished, now, mastered, tally.answers, max(moments) if moments else None,
                      safe_text(home.name) if home is not None else name)


def lesson_order(catalog: Catalog | None) -> dict[str, int]:
    """Each lesson id's place in the catalog, for sorting rows as the lessons come."""
    return {lesson.id: number for number, lesson in enumerate(catalog.lessons)} if catalog else {}


def _node_order(order: dict[str, int]) -> Callable[[tuple[str, int, str]], tuple[int, str, int]]:
    return lambda key: (order.get(key[0], len(order)), key[0], key[1])


def learner_node_rows(tallies: Mapping[str, LearnerTally], catalog: Catalog | None) -> list[LearnerNodeRow]:
    """One row per learner per (lesson, part, node) they answered: learners in order, nodes as the
    lessons come."""
    ordered = _node_order(lesson_order(catalog))
    return [LearnerNodeRow(learner, safe_text(lesson), part, safe_text(node), mine.tries, bool(mine.first_right),
                           tuple((safe_text(code), count) for code, count in mine.mistakes.most_common()), mine.hints)
            for learner, tally in tallies.items()
            for (lesson, part, node), mine in sorted(tally.nodes.items(), key=lambda item: ordered(item[0]))]


def node_rows(tallies: Mapping[str, LearnerTally], catalog: Catalog | None) -> list[NodeRow]:
    """One row per (lesson, part, node) anyone answered, in the catalog's lesson order."""
    tried: Counter[tuple] = Counter()
    right: Counter[tuple] = Counter()
    mistakes: dict[tuple, Counter[str]] = {}
    hints: Counter[tuple] = Counter()
    for tally in tallies.values():
        for key, mine in tally.nodes.items():
            tried[key] += 1
            right[key] += bool(mine.first_right)
            hints[key] += mine.hints
            if mine.mistakes:
                mistakes.setdefault(key, Counter()).update(mine.mistakes)
    keys = sorted(tried, key=_node_order(lesson_order(catalog)))
    return [NodeRow(safe_text(lesson), part, safe_text(node), tried[(lesson, part, node)],
                    right[(lesson, part, node)],
                    tuple((safe_text(code), count) for code, count in
                          mistakes.get((lesson, part, node), Counter()).most_common(3)),
                    hints[(lesson, part, node)])
            for lesson, part, node in keys]


def when(moment: float | None) -> str:
    """A time as ISO 8601 in UTC to the second, '' for never, or 'not a date: 1e+20' for a time no
    calendar holds (a progress file may say anything)."""
    return "" if moment is None else utc_time(moment, "seconds")


def mistakes_text(mistakes: tuple[tuple[str, int], ...]) -> str:
    """The most common mistakes as 'code ×n, code ×m'."""
    return ", ".join(f"{code} ×{count}" for code, count in mistakes)


def export(view: ClassView, export_format: str) -> str:
    """The same tables as text: CSV (a 'table' column tells learner, node, learner_node and unreadable rows apart,
    and no cell is a formula) or JSON lines (one object a row, with a 'table' key)."""
    rows: list[dict] = []
    for learner in view.learners:
        rows.append({"table": "learner", **asdict(learner), "last_active": when(learner.last_active),
                     "skills": len(SKILLS)})
    for node in view.nodes:
        data = asdict(node)
        data["mistakes"] = ([{"mistake": code, "count": count} for code, count in node.mistakes]
                            if export_format == "jsonl" else mistakes_text(node.mistakes))
        rows.append({"table": "node", **data})
    for pair in view.learner_nodes:
        data = asdict(pair)
        data["mistakes"] = ([{"mistake": code, "count": count} for code, count in pair.mistakes]
                            if export_format == "jsonl" else mistakes_text(pair.mistakes))
        rows.append({"table": "learner_node", **data})
    rows.extend({"table": "unreadable", **asdict(entry)} for entry in view.unreadable)
    if export_format == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    stream = io.StringIO()
    writer = csv.DictWriter(stream, columns, restval="")
    writer.writeheader()
    writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    return stream.getvalue()
