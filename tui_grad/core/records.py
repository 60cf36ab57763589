"""A learner's progress records: each lesson's place and each part's nodes, and the reset markers.

Plain data with strict readers: whatever a file holds is checked field by field, and a record that
is not what it claims raises ValueError (the store then sets it aside and keeps the rest).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LARGEST = 2**63
"""No count, seed or place in a progress file comes near this: a whole number beyond it is damage."""
STATUSES = ("earned", "shown")
"""What a node's status can be: found by the learner, or its answer shown (earned wins a merge)."""

@dataclass
class PartProgress:
    """One part of a lesson: each node's status ("earned" or "shown"), answers, hints, updates."""

    status: dict[str, str] = field(default_factory=dict)
    answers: dict[str, float] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)
    updates: int = 0
    done: bool = False
    entered: bool = False
    """True once the learner went on from the lesson's introduction into this part: coming back
    resumes the part, even one that asks nothing (a pass to watch) and was left before its end."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the file (`entered` only when set: files without it read as before)."""
        data: dict[str, Any] = {"status": dict(self.status), "answers": dict(self.answers),
                                "hints": dict(self.hints), "updates": self.updates, "done": self.done}
        if self.entered:
            data["entered"] = True
        return data

    @classmethod
    def from_json(cls, data: Any) -> PartProgress:
        """Read a part back; a wrong type raises ValueError (the record is then set aside)."""
        data = read_mapping(data, "a part")
        return cls(
            status={str(node): read_text(value, "a status") for node, value in
                    read_mapping(data.get("status", {}), "status").items()},
            answers={str(node): read_number(value, "an answer") for node, value in
                     read_mapping(data.get("answers", {}), "answers").items()},
            hints={str(node): read_count(value, "a hint count") for node, value in
                   read_mapping(data.get("hints", {}), "hints").items()},
            updates=read_count(data.get("updates", 0), "updates"),
            done=read_flag(data.get("done", False), "done"),
            entered=read_flag(data.get("entered", False), "entered"),
        )

    def merge(self, other: PartProgress) -> None:
        """Take in another copy's work, node by node: nothing either copy found is dropped."""
        for node, status in other.status.items():
            if node not in self.status or status == "earned":  # found in either copy beats shown
                self.status[node] = status
        for node, answer in other.answers.items():
            self.answers.setdefault(node, answer)
        for node, used in other.hints.items():
            self.hints[node] = max(self.hints.get(node, 0), used)
        self.updates = max(self.updates, other.updates)
        self.done = self.done or other.done
        self.entered = self.entered or other.entered


def seed_key(seed: int | None) -> str:
    """How a seed names its work in `LessonProgress.others` ("none": the lesson's own values)."""
    return "none" if seed is None else str(seed)


@dataclass
class LessonProgress:
    """Where a learner stands in one lesson with one seed (the part, each part's work), and the work
    done with other seeds, kept apart in `others` (their answers belong to other numbers)."""

    part: int = 0
    parts: list[PartProgress] = field(default_factory=list)
    finished: bool = False
    seed: int | None = None
    updated: float = 0.0
    """When it last changed, by this machine's clock: to show the latest lesson, never to order."""
    generation: int = 0
    """The state file's generation this record was last saved in: what resets are ordered by."""
    others: dict[str, LessonProgress] = field(default_factory=dict)
    """The work done with other seeds, by `seed_key`: resumed when the learner takes that seed again."""

    def part_progress(self, index: int) -> PartProgress:
        """Part `index`'s record, adding empty parts up to it if needed."""
        if index < 0:
            raise IndexError(f"part index {index} is negative")
        while len(self.parts) <= index:
            self.parts.append(PartProgress())
        return self.parts[index]

    @property
    def started(self) -> bool:
        """True once the learner has done anything in this lesson with this seed."""
        return self.finished or self.part > 0 or any(part != PartProgress() for part in self.parts)

    def use_seed(self, seed: int | None) -> None:
        """Work with `seed` from now on: this seed's work is put aside in `others` and that seed's
        work, if any, is taken up again."""
        if seed == self.seed:
            return
        if self.started:
            self._put_aside(self._alone())
        run = self.others.pop(seed_key(seed), None) or LessonProgress(seed=seed)
        self.part, self.parts, self.finished, self.seed = run.part, run.parts, run.finished, seed

    def to_json(self) -> dict[str, Any]:
        """Plain data for the file."""
        data = {"part": self.part, "parts": [part.to_json() for part in self.parts],
                "finished": self.finished, "seed": self.seed, "updated": self.updated,
                "generation": self.generation}
        if self.others:
            data["others"] = {key: run.to_json() for key, run in sorted(self.others.items())}
        return data

    @classmethod
    def from_json(cls, data: Any, *, nested: bool = False) -> LessonProgress:
        """Read a lesson back; a wrong type raises ValueError (the record is then set aside)."""
        data = read_mapping(data, "a lesson")
        parts = data.get("parts", [])
        if not isinstance(parts, list):
            raise ValueError("its parts are not a list")
        seed = data.get("seed")
        record = cls(
            part=read_count(data.get("part", 0), "part"),
            parts=[PartProgress.from_json(part) for part in parts],
            finished=read_flag(data.get("finished", False), "finished"),
            seed=None if seed is None else read_integer(seed, "seed"),
            updated=read_moment(data.get("updated", 0.0), "updated"),
            generation=read_count(data.get("generation", 0), "generation"),
        )
        others = read_mapping(data.get("others", {}), "its other seeds")
        if others and nested:
            raise ValueError("a seed's work holds other seeds")
        for key, value in others.items():
            run = cls.from_json(value, nested=True)
            if key != seed_key(run.seed) or run.seed == record.seed:
                raise ValueError(f"the work kept for seed '{key}' has seed {run.seed}")
            record.others[key] = run
        return record

    def merge(self, other: LessonProgress) -> None:
        """Take in another copy's record in place (so references the app holds stay live).

        Work with the same seed merges node by node; work with another seed is kept apart in
        `others` (merged node by node with what is there for that seed), never mixed.
        """
        for run in (other, *other.others.values()):
            if run.seed == self.seed:
                self._merge_run(run)
            else:
                self._put_aside(run)
        self.updated = max(self.updated, other.updated)
        self.generation = max(self.generation, other.generation)

    def clear(self) -> None:
        """Start the lesson over, in place: every seed's work goes."""
        self.part, self.parts, self.finished, self.seed, self.others = 0, [], False, None, {}

    def _alone(self) -> LessonProgress:
        """This seed's work only, as a record of its own."""
        return LessonProgress(self.part, copy.deepcopy(self.parts), self.finished, self.seed)

    def _put_aside(self, run: LessonProgress) -> None:
        key = seed_key(run.seed)
        if key in self.others:
            self.others[key]._merge_run(run)
        else:
            self.others[key] = LessonProgress(run.part, copy.deepcopy(run.parts), run.finished, run.seed)

    def _merge_run(self, run: LessonProgress) -> None:
        self.part = max(self.part, run.part)
        self.finished = self.finished or run.finished
        for index, theirs in enumerate(run.parts):
            self.part_progress(index).merge(theirs)

    def content(self) -> str:
        """Everything but the time and generation: to tell whether the learner changed this record."""
        data = self.to_json()
        del data["updated"], data["generation"]
        return json.dumps(data, sort_keys=True)


@dataclass(frozen=True)
class Marker:
    """A reset: records saved at or before `generation` and attempts logged at or before `seq` are
    gone. Both are what the copy that reset had seen, so work saved later elsewhere is kept
    whatever the clocks say; `at` is for people and never orders anything."""

    generation: int
    seq: int
    at: float

    def union(self, other: Marker) -> Marker:
        """Both resets at once."""
        return Marker(max(self.generation, other.generation), max(self.seq, other.seq), max(self.at, other.at))

    def to_json(self) -> dict[str, Any]:
        """Plain data for the file."""
        return {"generation": self.generation, "seq": self.seq, "at": self.at}

    @classmethod
    def from_json(cls, data: Any) -> Marker:
        """Read a marker back; ValueError when it is not one."""
        data = read_mapping(data, "a reset")
        return cls(read_count(data.get("generation"), "a reset's generation"),
                   read_count(data.get("seq", 0), "a reset's seq"), read_number(data.get("at", 0.0), "a reset's time"))


def settled(content: str) -> dict[str, Any]:
    """A record's content without the empty parts that merely opening a part adds: those change
    nothing a learner would see after a reload, so they alone are not worth a write."""
    data = json.loads(content)
    parts, empty = data.get("parts", []), PartProgress().to_json()
    while parts and parts[-1] == empty:
        parts.pop()
    return data


# --- reading plain data strictly ---------------------------------------------------------------


def read_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """`value` when it is a table; ValueError naming `what` when not."""
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a table")
    return value


def read_number(value: Any, what: str) -> float:
    """`value` as a float when it is a number (not a flag) a float can hold; ValueError when not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} is not a number")
    try:
        return float(value)
    except OverflowError:  # a whole number of more than 309 digits
        raise ValueError(f"{what} is too big a number") from None


def read_moment(value: Any, what: str = "an attempt's time") -> float:
    """A finite number of seconds (a time); ValueError when not."""
    moment = read_number(value, what)
    if not math.isfinite(moment):
        raise ValueError(f"{what} is not a finite number")
    return moment


def read_integer(value: Any, what: str) -> int:
    """A whole number (not a flag) within LARGEST either side of 0; ValueError when not."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} is not a whole number")
    if not -LARGEST < value < LARGEST:
        raise ValueError(f"{what} is too big a number")
    return value


def read_count(value: Any, what: str) -> int:
    """A whole number from 0 up; ValueError when not."""
    number = read_integer(value, what)
    if number < 0:
        raise ValueError(f"{what} is negative")
    return number


def read_flag(value: Any, what: str) -> bool:
    """True or false, nothing else; ValueError when not."""
    if not isinstance(value, bool):
        raise ValueError(f"{what} is not true or false")
    return value


def read_text(value: Any, what: str) -> str:
    """Text; ValueError when not."""
    if not isinstance(value, str):
        raise ValueError(f"{what} is not text")
    return value

