"""A tutor left open through a long lesson holds the same widgets after fifty answers as after one:
the footer's old keys, a screen's header and the lesson list under a lesson are let go."""

from __future__ import annotations

import gc

from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList

from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen


def alive(kind: type) -> int:
    """How many objects of `kind` exist, mounted or not."""
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, kind))


async def test_answers_and_hints_leave_no_footer_keys_behind(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load(), start_lesson="chain-rule")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        footer_key = type(app.screen.query("Footer FooterKey").first())  # the Footer's keys, by their CSS type
        counts = []
        for _ in range(5):
            await pilot.press("9", "enter")  # wrong, then a hint: the footer's keys change each time
            await pilot.pause()
            await pilot.press("ctrl+g")
            await pilot.pause()
            counts.append(alive(footer_key))
        assert counts[-1] == counts[0], counts
        assert counts[-1] == len(app.screen.query(footer_key))  # only the keys on screen


async def test_leaving_lessons_leaves_no_headers_behind(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(4):  # open a lesson and go back to the list, four times
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
        assert alive(Header) == len(app.screen.query(Header)) == 1


async def test_no_list_of_lessons_stays_under_a_lesson_and_it_comes_back_where_it_was(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.pause()
        row = app.screen.query_one(OptionList).highlighted
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, HomeScreen)
        assert alive(HomeScreen) == alive(OptionList) == 0 and alive(Footer) == 1  # the lesson's own footer
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(OptionList).highlighted == row and app.screen.query_one(OptionList).has_focus


async def test_a_tutor_opened_on_a_lesson_builds_the_list_only_when_the_learner_goes_there(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load(), start_lesson="two-paths")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert alive(HomeScreen) == 0
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        option_list = app.screen.query_one(OptionList)
        assert option_list.get_option_at_index(option_list.highlighted).id == "two-paths"  # the one just left


async def test_the_screen_left_is_freed_before_the_next_one_is_built(tmp_path):
    """The list's memory is given back before the lesson's screen takes any: built while the list
    was still alive, the lesson took fresh memory and left the list's as holes (1.5 MB a learner)."""
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load())
    seen: list[tuple[str, int]] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        push_screen = app.push_screen

        def watched_push(screen, *args, **kwargs):
            gc.disable()  # count what is alive now, not what a collection here would free
            try:  # screens other than Textual's default one and the one arriving, and the list's parts
                left = [thing for thing in gc.get_objects() if isinstance(thing, (Screen, OptionList))
                        and thing is not screen and thing.id != "_default"]
                seen.append((type(screen).__name__, [type(thing).__name__ for thing in left]))
                del left
            finally:
                gc.enable()
            return push_screen(screen, *args, **kwargs)

        app.push_screen = watched_push
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # and back: the lesson's screen is freed before the list is built
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert [name for name, _ in seen] == ["PageScreen", "HomeScreen"], seen
    assert [left for _, left in seen] == [[], []], seen


async def test_the_footer_is_rebuilt_only_when_its_keys_change(tmp_path):
    """A right answer leaves the same keys on offer, so the footer keeps its widgets (a rebuild is
    work between Enter and the verdict); leaving the answer for the replay changes them."""
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load(), start_lesson="chain-rule")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen)
        keys = list(screen.query("FooterKey"))
        await pilot.press("1", "enter")  # right: the next gradient is asked, the same keys apply
        await pilot.pause()
        await pilot.pause()
        assert "Right" in str(screen.query_one("#feedback").render())
        assert list(screen.query("FooterKey")) == keys
        descriptions = [key.description for key in keys]
        for answer in ("-2", "4", "-2", "-2", "6", "-4"):  # every gradient: the replay begins
            await pilot.press(*answer, "enter")
            await pilot.pause()
        await pilot.pause()
        assert [key.description for key in screen.query("FooterKey")] != descriptions
