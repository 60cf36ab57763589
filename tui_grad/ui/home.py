"""The home screen: every lesson in teaching order with where the learner stands, and their skills."""

from __future__ import annotations

import random
from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tui_grad.core.catalog import Catalog
from tui_grad.core.lesson import Lesson
from tui_grad.core.progress import ProgressStore, part_summary
from tui_grad.core.skills import SKILLS, mastery, skills_of_node, skills_to_review

STATE_MARKS = {"finished": "✓", "not started": "·"}
"""The glyph before a lesson's state; anything else (in progress) gets ▸."""


def review_lesson(catalog: Catalog, skill: str, seed: int) -> Lesson | None:
    """A one-part lesson that asks only the nodes exercising `skill`, from a shipped lesson's graph,
    with fresh input values where that lesson allows them; None when no lesson has such a node."""
    rng = random.Random(seed)
    candidates = []
    for lesson in catalog.lessons:
        for part in lesson.parts:
            if part.kind != "gradients":
                continue
            graph = part.build()
            graph.output.backward()
            asked = tuple(name for name in graph.named
                          if skill in skills_of_node(graph.nodes[name], graph.nodes, graph.output))
            if asked:
                candidates.append((lesson, part, asked))
    if not candidates:
        return None
    lesson, part, asked = rng.choice(candidates)
    fresh = part.randomize or {name: (-6.0, 6.0) for name in part.inputs}  # new numbers, never the ones just seen
    return Lesson(f"review-{skill}", f"Review: {skill}", SKILLS[skill], lesson.path, 0, "", "",
                  (replace(part, ask=asked, randomize=fresh, title=f"Review: {SKILLS[skill]}",
                           text=f"A short review of {SKILLS[skill]}, on the graph of '{lesson.title}' with "
                                "new numbers."),))


class HomeScreen(Screen):
    """Lists the lessons with title, summary and state, the learner's skills, and broken lesson files."""

    DEFAULT_CSS = """
    HomeScreen #welcome { padding: 1 2 0 2; height: auto; }
    HomeScreen #skills { padding: 0 2; height: auto; color: $text-muted; }
    HomeScreen OptionList { margin: 1 0 0 0; height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open lesson", id="home.open", show=True),
        Binding("r", "review", "Review", tooltip="A short review of a skill not yet mastered", id="home.review"),
        Binding("q", "app.quit", "Quit", id="home.quit", show=False),
    ]

    def __init__(self, catalog: Catalog, store: ProgressStore | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.store = store

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Learn backpropagation by doing it: pick a lesson and press Enter.", id="welcome")
        yield Static(id="skills")
        yield OptionList(*self.options(), id="lessons")
        yield Footer()

    def prompt(self, number: int, highlighted: bool = False) -> Content:
        """Lesson `number` (from 1) as the list shows it; the highlighted one is pointed at with ▶, so
        it stands out in a terminal without colour too."""
        lesson = self.catalog.lessons[number - 1]
        record = self.store.lessons.get(lesson.id) if self.store else None
        state = part_summary(lesson, record)
        mark = STATE_MARKS.get(state, "▸")
        return Content.assemble(("▶ " if highlighted else "  ", "bold"), (f"{number}. {lesson.title}", "bold"),
                                f"   {mark} {state}\n  ", (lesson.summary, "$text-muted"))

    def options(self) -> list[Option]:
        """One option per lesson (title, state, summary), then one per broken lesson file."""
        options = [Option(self.prompt(number), id=lesson.id)
                   for number, lesson in enumerate(self.catalog.lessons, start=1)]
        options += [
            Option(Content.assemble((f"✗ {error.file_name} is unavailable", "bold"), "\n", error.message),
                   disabled=True)
            for error in self.catalog.broken
        ]
        return options

    def on_mount(self) -> None:
        self.title = self.app.title  # "tui-grad", with the learner's name when served
        self.sub_title = "lessons"
        self.refresh_states()
        option_list = self.query_one(OptionList)
        option_list.focus()
        resume = self.resume_index()
        if resume is not None:
            option_list.highlighted = resume

    def on_screen_resume(self) -> None:
        """Back from a lesson (by Escape or at its end): show what the learner just did."""
        if self.is_mounted:
            self.refresh_states()

    def resume_index(self) -> int | None:
        """The lesson to offer first: the one the learner touched last and has not finished."""
        if not self.store or not self.store.lessons:
            return None
        ids = [lesson.id for lesson in self.catalog.lessons]
        open_ones = [(record.updated, lesson_id) for lesson_id, record in self.store.lessons.items()
                     if lesson_id in ids and not record.finished]
        return ids.index(max(open_ones)[1]) if open_ones else None

    def refresh_states(self) -> None:
        """Redraw each lesson's state and the skills line from saved progress."""
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted
        option_list.clear_options()
        option_list.add_options(self.options())
        option_list.highlighted = highlighted
        self.query_one("#skills", Static).update(self.skills_line())

    def skills_line(self) -> Content:
        """Each practised skill with a five-dot meter and a mark; the review that is due, if any."""
        attempts = self.store.attempts if self.store else []
        table = mastery(attempts)
        practised = [m for m in table.values() if m.practised]
        if not practised:
            return Content("Skills appear here as you answer: product, sum, chain, paths, function, update.")
        parts: list[str | tuple[str, str]] = ["Skills: "]
        for m in practised:
            dots = round(m.level * 5)
            parts.append((f"{m.skill} {'●' * dots}{'○' * (5 - dots)}{' ✓' if m.mastered else ''}   ",
                          "$success" if m.mastered else ""))
        due = skills_to_review(attempts)
        if due:
            parts.append((f"\nReview due: {due[0]} (not yet mastered). Press R for a short review.", "bold $warning"))
        return Content.assemble(*parts)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        count = len(self.catalog.lessons)
        for index in range(count):
            self.query_one(OptionList).replace_option_prompt_at_index(
                index, self.prompt(index + 1, highlighted=index == event.option_index))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_lesson(event.option.id)

    def action_open(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            option_list.action_select()

    def action_review(self) -> None:
        """Open a short review of the weakest skill, with fresh numbers where a lesson allows them."""
        due = skills_to_review(self.store.attempts if self.store else [])
        if not due:
            self.notify("Nothing to review: every skill you have practised is mastered.", timeout=4)
            return
        seed = random.randrange(1, 10_000)
        lesson = review_lesson(self.catalog, due[0], seed)
        if lesson is None:
            self.notify(f"No lesson has a {due[0]} node to review.", severity="warning")
            return
        self.app.open_lesson(lesson.id, lesson, seed, review=due[0])
