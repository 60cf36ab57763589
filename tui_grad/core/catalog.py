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
            problems.append(LessonError(path, None, f"id '{lesson.id}' is already used by {owner}; give this "
                                        "lesson its own id"))
        owners.setdefault(lesson.id, path)
        checked.append(CheckedFile(path, lesson, tuple(problems)))
    return checked


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False
