"""The home screen: every lesson in teaching order with where the learner stands, and their skills."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.scalar import Scalar
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_grad.core.catalog import Catalog
from tui_grad.core.home import (
    ENTRY_SUMMARIES,
    ENTRY_TITLES,
    FORMULA,
    PRACTICE,
    due_for_review,
    group_headings,
    next_unfinished,
    part_summary,
    practice_status,
    resume_index,
    review_due,
)
from tui_grad.core.progress import ProgressStore
from tui_grad.core.skills import mastery

if TYPE_CHECKING:  # the app imports this screen
    from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.chrome import Footer, Header
from tui_grad.ui.prose import inline

STATE_MARKS = {"finished": "✓", "not started": "·"}
"""The glyph before a lesson's state; anything else (in progress) gets ▸."""


@dataclass
class HomePlace:
    """Where the learner stood on the list when a lesson took its place: the list is built anew
    on the way back (a lab's hundred tutors sit in lessons; none keeps its list underneath)."""

    highlighted: int | None = None
    """The row the cursor was on; None the first time (the next lesson to do is offered)."""
    finished_before: set[str] | None = None
    """The lessons finished when the learner left: one finished while away hands the cursor on to
    the next lesson not finished."""
    formula_fields: tuple[str, str] = ("", "")
    """What the learner last typed in the formula form (formula, values), kept for next time."""


class HomeScreen(Screen):
    """Lists the lessons one row each with where the learner stands, then practice and the learner's
    own formula; the skills, what is due for review, and the highlighted entry's summary."""

    DEFAULT_CSS = """
    HomeScreen #welcome { padding: 0 2; height: auto; }
    HomeScreen #skills { padding: 0 2; height: auto; color: $text-muted; }
    HomeScreen #due { padding: 0 2; height: auto; color: $text-warning; text-style: bold; }
    HomeScreen OptionList, HomeScreen OptionList:focus { margin: 1 0 0 0; height: auto; border: none;
                                                  padding: 0 1; }
    HomeScreen #more { padding: 0 2; height: auto; color: $text-warning; }
    HomeScreen #detail { padding: 0 2; height: auto; min-height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="home.open", show=True),
        Binding("p", "practice", "Practice", tooltip="Fresh exercises at your level", id="home.practice"),
        Binding("f", "formula", "Own formula", tooltip="Work the gradients of a formula you type",
                id="home.formula"),
        Binding("r", "review", "Review", tooltip="A short review of a skill not yet mastered", id="home.review"),
        Binding("q", "app.quit", "Quit", id="home.quit", show=False),
    ]

    def __init__(self, catalog: Catalog, store: ProgressStore | None = None, place: HomePlace | None = None) -> None:
        super().__init__()
        self.reveal_pending = False
        """True until the list, fitted to the screen, has scrolled the highlighted row into view."""
        self.catalog = catalog
        self.store = store
        self.place = place or HomePlace()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Learn backpropagation by doing it: pick a lesson and press Enter.", id="welcome")
        yield Static(id="skills")
        yield Static(id="due")
        yield OptionList(*self.options(), id="lessons")
        yield Static(id="more")
        yield Static(id="detail")
        yield Footer()

    def _scroll_to(self, x: float | None = None, y: float | None = None, *, animate: bool = True,
                   **kwargs: Any) -> bool:
        """The screen itself scrolls at once, never animated: with the shipped list longer than the
        screen, focusing it scrolled the screen for 0.2 s, and the animation kept the list alive
        while the lesson opened from it was built (test_chrome's freeing test caught it)."""
        return super()._scroll_to(x, y, animate=False, **kwargs)

    # --- the list --------------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """The lesson ids in teaching order."""
        return [lesson.id for lesson in self.catalog.lessons]

    def records(self) -> dict:
        """Each lesson's saved record."""
        return self.store.lessons if self.store else {}

    def resume_index(self) -> int | None:
        """The lesson to offer first (see `tui_grad.core.home.resume_index`)."""
        return resume_index(self.ids(), self.records())

    def prompt(self, number: int, highlighted: bool = False) -> Content:
        """Lesson `number` (from 1) as one row: title and state; the highlighted one is pointed at with
        ▶, so it stands out in a terminal without colour too, and its state takes the highlight's
        colours (a muted grey of the terminal's own on the highlight's light bar is unreadable)."""
        lesson = self.catalog.lessons[number - 1]
        state = part_summary(lesson, self.records().get(lesson.id))
        mark = STATE_MARKS.get(state, "▸")
        width = max(len(item.title) for item in self.catalog.lessons) + 2
        state_style = "" if highlighted else _STATE_STYLE.get(state, "")
        row = Content.assemble(("▶ " if highlighted else "  ", "bold"), (f"{number:>2}. ", "bold"),
                               (f"{lesson.title:<{width}}", "bold"), (f"{mark} {state}", state_style))
        heading = group_headings(self.catalog.lessons).get(number - 1)  # a group's first row carries its name
        heading_style = "bold" if highlighted else "bold $text-muted"  # on the highlight: its colours
        return Content.assemble((f"── {heading} ──", heading_style), "\n", row) if heading else row

    def entry_prompt(self, entry: str, highlighted: bool = False) -> Content:
        """Practice or the own-formula entry, as one row."""
        status = ""
        if entry == PRACTICE:
            status = practice_status(self.store.history if self.store else None)
        key = {PRACTICE: "P", FORMULA: "F"}[entry]
        width = max((len(item.title) for item in self.catalog.lessons), default=16) + 2
        return Content.assemble(("▶ " if highlighted else "  ", "bold"), (f" {key}. ", "bold"),
                                (f"{ENTRY_TITLES[entry]:<{width}}", "bold"), (status, "$text-muted"))

    def options(self) -> list[Option | None]:
        """One row per lesson, one per broken lesson file, then practice and the own formula."""
        options: list[Option | None] = [Option(self.prompt(number), id=lesson.id)
                                        for number, lesson in enumerate(self.catalog.lessons, start=1)]
        options += [
            Option(Content.assemble((f"✗ {error.file_name} is unavailable", "bold"), "\n", error.message),
                   disabled=True)
            for error in self.catalog.broken
        ]
        options.append(None)
        options += [Option(self.entry_prompt(entry), id=f"@{entry}") for entry in (PRACTICE, FORMULA)]
        return options

    def on_mount(self) -> None:
        self.title = self.app.title  # "tui-grad", with the learner's name when served
        self.sub_title = "lessons"
        option_list = self.query_one(OptionList)
        self.watch(option_list, "scroll_y", self._show_more, init=False)
        self.refresh_states()
        option_list.focus()
        resume = self.resume_index() if self.place.highlighted is None else self.place.highlighted
        option_list.highlighted = resume if resume is not None else 0
        self._arrive()
        self.reveal_pending = True

    def on_screen_resume(self) -> None:
        """Back from the formula form or a too-small window: show the progress as it is now."""
        if self.is_mounted:
            self.refresh_states()
            self._arrive()

    def _arrive(self) -> None:
        """Back from a lesson (by Escape or at its end): a lesson just finished hands the cursor to
        the next one not finished."""
        before, self.place.finished_before = self.place.finished_before, None
        if before is None:
            return
        just_finished = [lesson_id for lesson_id in self.ids() if lesson_id in self._finished() - before]
        if just_finished:
            following = next_unfinished(self.ids(), self.records(), just_finished[-1])
            if following is not None:
                self.query_one(OptionList).highlighted = following

    def remember_place(self) -> None:
        """Keep where the cursor is and what is finished, for the list built on the way back (the
        app asks as a lesson replaces the list; a form or a notice over it leaves the list as it is)."""
        lists = self.query(OptionList)
        if lists:
            self.place.highlighted = lists.first().highlighted
        self.place.finished_before = self._finished()

    def _finished(self) -> set[str]:
        return {lesson_id for lesson_id, record in self.records().items() if record.finished}

    def refresh_states(self) -> None:
        """Redraw each row, the skills line and the review line from saved progress."""
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted
        option_list.clear_options()
        option_list.add_options(self.options())
        option_list.highlighted = highlighted
        self.query_one("#skills", Static).update(self.skills_line())
        self.query_one("#welcome").display = not self.records()  # a newcomer's line; the rows say the rest
        due = self.due_line()
        self.query_one("#due", Static).update(due)
        self.query_one("#due", Static).display = bool(due.plain)
        self._mark_highlighted(highlighted)
        self.call_after_refresh(self._show_more)

    def on_resize(self) -> None:
        if self.is_mounted and self.query("#skills"):
            self.query_one("#skills", Static).update(self.skills_line())
            self.call_after_refresh(self._show_more)

    def _fit_list(self) -> None:
        """As tall as its rows, up to the room the lines around it leave, so the summary sits right
        under the last row on a tall screen and the list scrolls on a short one."""
        option_list = self.query_one(OptionList)
        others = sum(widget.outer_size.height for widget in self.query("Header, Footer, #welcome, #skills, #due, "
                                                                        "#more, #detail") if widget.display)
        room = max(self.size.height - others - 1, 3)  # 1: the margin above the list
        more = self.query_one("#more")
        if not more.display and option_list.virtual_size.height > room:
            room -= 1  # the cue will need its line
        if option_list.styles.max_height != Scalar.from_number(room):
            option_list.styles.max_height = room

    def _reveal_highlighted(self) -> None:
        if self.is_attached and self.query(OptionList):
            self.query_one(OptionList).scroll_to_highlight()
            self._show_more()

    def _show_more(self, *_: object) -> None:
        """A cue under the list when rows are hidden below (or above) it: a scrollbar alone is easy
        to miss, and invisible to a screen reader."""
        if not self.is_attached or not self.query(OptionList):  # asked just before a lesson replaced the list
            return
        self._fit_list()
        option_list = self.query_one(OptionList)
        if self.reveal_pending:
            # A list longer than the screen (the shipped one has two groups) shows the row the learner
            # comes back to once the list has its fitted size: practice, near the end, was out of view.
            self.reveal_pending = False
            self.call_after_refresh(self._reveal_highlighted)
        below = option_list.max_scroll_y - round(option_list.scroll_y)
        above = round(option_list.scroll_y)
        words = []
        if below > 0:
            words.append(f"▼ {below} more {'row' if below == 1 else 'rows'} below")
        if above > 0:
            words.append(f"▲ {above} above")
        more = self.query_one("#more", Static)
        more.update(Content(" · ".join(words) + (" (↑/↓ to scroll)" if words else "")))
        more.display = bool(words)

    # --- the lines above the list -----------------------------------------------------------------

    def skills_line(self) -> Content:
        """Each practised skill with a five-dot meter and a mark, wrapped between skills only."""
        table = self.store.history.mastery() if self.store else mastery([])
        practised = [m for m in table.values() if m.practised]
        if not practised:
            return Content("Skills appear here as you answer: product, sum, chain, paths, function, update.")
        room = max((self.size.width or 80) - 4, 20)
        pieces = [(f"{m.skill} {_meter(m.level)}{' ✓' if m.mastered else ''}", "$text-success" if m.mastered else "")
                  for m in practised]
        rows: list[list[tuple[str, str]]] = [[("Skills: ", "")]]
        used = len("Skills: ")
        for text, style in pieces:
            gap = "   " if len(rows[-1]) > 1 else ""
            if used + len(gap) + len(text) > room and len(rows[-1]) > 1:
                rows.append([("        ", "")])
                used, gap = 8, ""
            rows[-1] += [(gap, ""), (text, style)]
            used += len(gap) + len(text)
        return Content("\n").join(Content.assemble(*row) for row in rows)

    def due_line(self) -> Content:
        """Skills due for spaced review (and when), and the short review of a skill not mastered."""
        history = self.store.history if self.store else None
        lines = []
        if due := due_for_review(history):
            lines.append(f"{due.removesuffix('.')} — P: practice")
        if review := review_due(history):
            lines.append(f"{review} — R: a short review")
        return Content("\n".join(lines))

    # --- the highlighted entry ---------------------------------------------------------------------

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._mark_highlighted(event.option_index)

    def _mark_highlighted(self, highlighted: int | None) -> None:
        option_list = self.query_one(OptionList)
        count = len(self.catalog.lessons)
        for index in range(count):
            option_list.replace_option_prompt_at_index(index, self.prompt(index + 1, highlighted=index == highlighted))
        for entry in (PRACTICE, FORMULA):
            index = option_list.get_option_index(f"@{entry}")
            prompt = self.entry_prompt(entry, highlighted=index == highlighted)
            option_list.replace_option_prompt_at_index(index, prompt)
        detail = ""
        if highlighted is not None and highlighted < option_list.option_count:
            option_id = option_list.get_option_at_index(highlighted).id or ""
            if option_id.startswith("@"):
                detail = ENTRY_SUMMARIES[option_id[1:]]
            elif (lesson := self.catalog.find(option_id)) is not None:
                detail = lesson.summary
        self.query_one("#detail", Static).update(Content.assemble(*inline(detail)))  # `=` drawn as code, not backticks
        self.call_after_refresh(self._show_more)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # handled here; bubbled on to the app, it would keep the list alive past its screen
        option_id = event.option.id or ""
        if option_id == f"@{PRACTICE}":
            self.action_practice()
        elif option_id == f"@{FORMULA}":
            self.action_formula()
        elif option_id:
            cast("TuiGradApp", self.app).open_lesson(option_id)

    def action_open(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            option_list.action_select()

    def action_practice(self) -> None:
        """Start practice: the exercise left unfinished, or the next one at the learner's level."""
        cast("TuiGradApp", self.app).open_practice()

    def action_formula(self) -> None:
        """Ask for a formula and its values (what was typed last time filled in), then work it."""
        from tui_grad.ui.formula_form import FormulaForm

        def opened(fields: tuple[str, str] | None) -> None:
            if fields is not None:
                self.place.formula_fields = fields

        self.app.push_screen(FormulaForm(*self.place.formula_fields, on_change=opened))

    def action_review(self) -> None:
        """Open a short review of the weakest skill, with fresh numbers where a lesson allows them."""
        from tui_grad.core.review import offer_review

        offer = offer_review(self.catalog, self.store.history if self.store else None)
        if offer.lesson is None:
            self.notify(offer.message, severity="warning" if offer.skill else "information", timeout=4,
                        markup=False)
            return
        cast("TuiGradApp", self.app).open_lesson(offer.lesson.id, offer.lesson, review=offer.skill)


_STATE_STYLE = {"finished": "$text-success", "not started": "$text-muted"}


def _meter(level: float) -> str:
    dots = round(level * 5)
    return "●" * dots + "○" * (5 - dots)
