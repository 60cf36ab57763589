"""The graph as the running app draws it, at 80x24 and 120x40: full numbers, within the widget."""

from __future__ import annotations

from collections import Counter

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.update import take_steps
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.graph_view import GraphView

from tests.ui.diagram_cases import diagram_nodes, graph_parts, numbers, tokens
from tests.ui.screen_text import screen_text

SIZES = [(80, 24), (120, 40)]


async def open_graph(app: TuiGradApp, pilot, lesson_id: str) -> GraphView:
    """Open a lesson from the home screen, read past its introduction, and return its graph."""
    await pilot.pause()
    app.open_lesson(lesson_id)
    await pilot.pause()
    for _ in range(5):
        if app.screen.query(GraphView):
            break
        await pilot.press("enter")  # past the introduction
        await pilot.pause()
    return app.screen.query_one(GraphView)


async def reveal_every_answer_and_finish_the_replay(pilot, view: GraphView) -> None:
    """Show each answer (Ctrl+R), then skip the engine's replay to its end."""
    for _ in range(len(view.nodes)):
        if not any(node.state == "asked" for node in view.nodes):
            break
        await pilot.press("ctrl+r")
        await pilot.pause()
    await pilot.press("s")
    await pilot.pause()


def drawn_lines(view: GraphView) -> list[str]:
    """The graph as the learner reads it, one string a line."""
    return view.render().plain.splitlines()


def assert_numbers_in_full(view: GraphView, expected) -> None:
    lines = drawn_lines(view)
    missing = expected - tokens(lines)
    assert not missing, f"not drawn in full: {dict(missing)}\n" + "\n".join(lines)
    assert not any("…" in line for line in lines)
    assert max(len(line) for line in lines) <= view.size.width, "\n".join(lines)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_neuron_graph_shows_every_value_and_gradient_in_full(size):
    part = dict(graph_parts())["neuron:0"]
    app = TuiGradApp(load_catalog(), step_interval=0.01)
    async with app.run_test(size=size) as pilot:
        view = await open_graph(app, pilot, "neuron")
        assert_numbers_in_full(view, Counter(node.value for node in diagram_nodes(part, dict(part.inputs))))
        await reveal_every_answer_and_finish_the_replay(pilot, view)
        assert_numbers_in_full(view, numbers(diagram_nodes(part, dict(part.inputs))))
        text = "\n".join(drawn_lines(view))
        for number in ("0.8813736", "0.7071068", "6.881374", "-1.5", "0.5"):
            assert number in text
        if size == (120, 40):
            assert text.count("data ") == len(view.nodes)  # room for the words at 120 columns
        else:
            assert "data over grad" in text


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_line_fit_after_an_update_shows_the_new_values_in_full(size):
    part = dict(graph_parts())["line-fit:0"]
    app = TuiGradApp(load_catalog(), step_interval=0.01)
    async with app.run_test(size=size) as pilot:
        view = await open_graph(app, pilot, "line-fit")
        await reveal_every_answer_and_finish_the_replay(pilot, view)
        assert_numbers_in_full(view, numbers(diagram_nodes(part, dict(part.inputs))))
        assert "-16" in tokens(drawn_lines(view))  # dL/dm, once drawn as "-…"
        if size == (120, 40):  # room for every formula as a title
            text = "\n".join(drawn_lines(view))
            assert all(formula in text for formula in ("mx = m * x", "p = mx + b", "e = p - y", "L = e ** 2"))
        await pilot.press("enter")  # part 2 asks for the update by hand: show it, and watch it run
        await pilot.pause()
        while app.screen.session.asked:
            await pilot.press("ctrl+r")
            await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        view = app.screen.query_one(GraphView)
        moved = take_steps(part, part.inputs, 1)[0].new_inputs(part.inputs)
        values = [node.value for node in diagram_nodes(part, moved)]
        assert not Counter(values) - tokens(drawn_lines(view))
        assert "12.96" in tokens(drawn_lines(view)) and "13" not in tokens(drawn_lines(view))


def graph_on_screen(app: TuiGradApp, view: GraphView) -> list[str]:
    """The graph's lines as the screen shows them (from the lines Textual keeps painted)."""
    lines = screen_text(app).splitlines()
    region = view.content_region
    return [lines[y][region.x:region.right].rstrip() for y in range(region.y, region.bottom)]


async def test_the_screen_shows_each_new_state_of_the_graph_whole():
    """The graph repaints only the lines and cells that change, and keeps each line it styled:
    through answers, hints, the replay's heavy edges and a change of theme, what the screen shows
    must be the whole new drawing, never a line left from an earlier state."""
    app = TuiGradApp(load_catalog(), step_interval=3600)  # the replay moves only on "n"
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_graph(app, pilot, "chain-rule")
        seen = set()
        for keys in (("1", "enter"), ("9", "enter"), ("ctrl+g",), ("ctrl+r",), ("-", "2", "enter")):
            await pilot.press(*keys)
            await pilot.pause()
            assert graph_on_screen(app, view) == [line.rstrip() for line in drawn_lines(view)]
            seen.add(tuple(drawn_lines(view)))
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        background = app.screen.query_one(GraphView).component_styles()["value"]
        assert background == view.get_component_rich_style("graph--value")
        while app.screen.session.asked:
            await pilot.press("ctrl+r")
            await pilot.pause()
        for _ in range(6):  # the replay's steps, each with its own heavy edge
            await pilot.press("n")
            await pilot.pause()
            assert graph_on_screen(app, view) == [line.rstrip() for line in drawn_lines(view)]
            seen.add(tuple(drawn_lines(view)))
        assert len(seen) >= 8
