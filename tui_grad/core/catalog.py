"""Finding lesson files: the shipped ones (inside the wheel or the checkout) and an instructor's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tui_grad.core.lesson import Lesson, LessonError
from tui_grad.core.lesson_file import load_lesson


def shipped_lessons_dir() -> Path:
    """Where the shipped lessons are: `tui_grad/lessons` when installed, `lessons/` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "lessons"
    return installed if installed.is_dir() else package.parent / "lessons"


@dataclass(frozen=True)
class Catalog:
    """Every lesson that loaded, in teaching order, and every file that did not, with its reason."""

    lessons: tuple[Lesson, ...]
    broken: tuple[LessonError, ...]

    def find(self, lesson_id: str) -> Lesson | None:
        """The lesson with this id, or None."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)


def load_catalog(*folders: Path) -> Catalog:
    """Load every `*.toml` in the folders (the shipped folder when none is given)."""
    lessons: dict[str, Lesson] = {}
    broken: list[LessonError] = []
    for folder in folders or (shipped_lessons_dir(),):
        for path in sorted(Path(folder).glob("*.toml")):
            try:
                lesson = load_lesson(path)
            except LessonError as error:
                broken.append(error)
                continue
            if lesson.id in lessons:
                broken.append(LessonError(path, None, f"id '{lesson.id}' is already used by "
                                          f"{lessons[lesson.id].path.name}; give this lesson its own id"))
                continue
            lessons[lesson.id] = lesson
    ordered = sorted(lessons.values(), key=lambda lesson: (lesson.order, lesson.id))
    return Catalog(tuple(ordered), tuple(broken))


@dataclass(frozen=True)
class CheckedFile:
    """One file as `tui-grad check` saw it: the lesson when it loads, and every problem found in it."""

    path: Path
    lesson: Lesson | None
    problems: tuple[LessonError, ...]


def lesson_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, with each folder replaced by the `*.toml` files in it; each file once."""
    files: dict[Path, Path] = {}
    for path in paths:
        for file in sorted(path.glob("*.toml")) if path.is_dir() else [path]:
            files.setdefault(file.resolve() if file.exists() else file, file)
    return list(files.values())


def check_lesson_files(paths: Iterable[Path], others: Catalog | None = None) -> list[CheckedFile]:
    """Validate lesson files as `check` does: each must load, carry no control characters, and have an
    id no other checked file (nor, in `others`, another file) already uses."""
    owners: dict[str, Path] = {lesson.id: lesson.path for lesson in (others.lessons if others else ())}
    installed = set(owners.values())
    checked = []
    for path in lesson_files(paths):
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            checked.append(CheckedFile(path, None, (error,)))
            continue
        problems = list(lesson.notices)
        owner = owners.get(lesson.id)
        if owner is not None and not _same_file(owner, path):
            if owner not in installed:
                problems.append(LessonError(path, None, f"id '{lesson.id}' is already used by {owner}; give this "
                                            "lesson its own id"))
            elif not _same_content(owner, path):  # a checkout's copy of an installed lesson is that lesson
                problems.append(LessonError(path, _id_line(path), _changed_copy(lesson.id, owner)))
        owners.setdefault(lesson.id, path)
        checked.append(CheckedFile(path, lesson, tuple(problems)))
    return checked


def _changed_copy(lesson_id: str, installed: Path) -> str:
    """What to tell the author of a changed copy of an installed lesson that kept its id."""
    return (f"id '{lesson_id}' is the installed lesson {installed}, and this file differs from it. A copy "
            f"of your own needs an id of its own: change the line to id = \"{lesson_id}-2\" (or any id "
            "not taken) and load the folder with --lessons. If this file is a newer version of the shipped "
            "lesson, install the package again and it replaces the installed one.")


def _id_line(path: Path) -> int | None:
    """The line of a lesson file's `id = ...`, for the message that asks to change it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return next((number for number, row in enumerate(text.splitlines(), start=1)
                 if row.lstrip().startswith("id") and row.lstrip()[2:].lstrip().startswith("=")), None)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False


def _same_content(one: Path, other: Path) -> bool:
    """True when both files hold the same bytes (a lesson installed from this very file)."""
    try:
        return one.stat().st_size == other.stat().st_size and one.read_bytes() == other.read_bytes()
    except OSError:
        return False
