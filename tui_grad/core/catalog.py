"""Finding lesson files: the shipped ones (inside the wheel or the checkout) and an instructor's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui_grad.core.lesson import Lesson, LessonError, load_lesson


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
