"""The instructor's class view on screen: a row per learner and per node, and it follows the class."""

from __future__ import annotations

from tui_grad.core.progress import ProgressStore
from tui_grad.ui.classview import ClassApp, ClassScreen


def cell_texts(table) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_the_class_view_lists_learners_and_nodes_and_follows_new_answers(tmp_path, catalog):
    ada = ProgressStore(tmp_path / "ada").load()
    ada.record({"lesson": "chain-rule", "part": 1, "node": "L", "text": "1", "value": 1.0, "correct": True,
                "at": 100.0})
    assert ada.save() is None
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "progress.json").write_text("[]", encoding="utf-8")
    app = ClassApp(tmp_path, catalog, interval=3600)  # refreshed by hand below, never by the clock
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ClassScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        learners = cell_texts(screen.query_one("#learners"))
        assert [row[0] for row in learners] == ["ada", "bob"]
        assert learners[0][4] == "1"
        assert "bob" in str(screen.query_one("#unreadable").render()) and "damaged" in str(
            screen.query_one("#unreadable").render())
        assert cell_texts(screen.query_one("#nodes"))[0][:5] == ["chain-rule", "1", "L", "1", "1 of 1"]

        ada.record({"lesson": "chain-rule", "part": 1, "node": "d", "text": "2", "value": 2.0, "correct": False,
                    "mistake": "sign", "at": 101.0})
        assert ada.save() is None
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert cell_texts(screen.query_one("#learners"))[0][4] == "2"
        nodes = cell_texts(screen.query_one("#nodes"))
        assert nodes[1][2] == "d" and nodes[1][5] == "sign ×1"
        assert "bob: progress.json is damaged" in str(screen.query_one("#unreadable").render())


def test_times_from_a_learners_file_that_no_clock_shows_are_said_so():
    from tui_grad.ui.classview import ago

    now = 1_800_000_000.0
    assert ago(now - 125, now) == "2 min ago" and ago(None, now) == "never"
    assert ago(1e20, now) == ago(-1e20, now) == ago(float("nan"), now) == ago(float("inf"), now) == "not a date"
    assert ago(now + 3600, now) == "ahead of this clock"  # a machine whose clock runs ahead
    assert ago(now + 5, now) == "0 s ago"  # a few seconds of skew is not worth a word


async def test_a_learners_folder_name_and_answers_are_shown_as_text(tmp_path, catalog):
    """A learner names their folder, and types their answers: brackets stay text, escapes glyphs (a
    folder name cannot hold the / of a closing tag; an opening one would be eaten as markup)."""
    from tui_grad.core.safe_text import is_unsafe

    from tests.ui.screen_text import screen_text

    eve = ProgressStore(tmp_path / "eve[bold]\x1b]0;pwned\x07").load()
    eve.record({"lesson": "chain-rule", "part": 1, "node": "d", "text": "[/x] w[i][j]\x1b[2J", "value": 2.0,
                "correct": False, "mistake": "sign", "at": 100.0})
    assert eve.save() is None
    (tmp_path / "mal[i]\x1b[2J").mkdir()
    (tmp_path / "mal[i]\x1b[2J" / "progress.json").write_text("[/z]", encoding="utf-8")
    app = ClassApp(tmp_path, catalog, interval=3600)
    async with app.run_test(size=(140, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert not [character for character in text if is_unsafe(character)]
        assert "eve[bold]␛]0;pwned␇" in text and "mal[i]␛[2J" in text


async def test_selecting_a_learner_or_a_node_shows_the_other_side(tmp_path, catalog):
    """Who made which mistake where: a learner's row lists their nodes, a node's row its learners."""
    for name, text, mistake in (("ada", "-1", "sign"), ("bob", "1", None)):
        store = ProgressStore(tmp_path / name).load()
        store.record({"lesson": "chain-rule", "part": 1, "node": "L", "text": text, "value": float(text),
                      "correct": mistake is None, "mistake": mistake, "hints": 0, "at": 100.0})
        if mistake:
            store.record({"lesson": "chain-rule", "part": 1, "node": "L", "text": "1", "value": 1.0,
                          "correct": True, "mistake": None, "hints": 1, "at": 101.0})
        assert store.save() is None
    app = ClassApp(tmp_path, catalog, interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "ada, node by node" in str(screen.query_one("#detail-title").render())
        assert cell_texts(screen.query_one("#detail")) == [["chain-rule", "1", "L", "2", "✗ not right", "sign ×1", "1"]]
        await pilot.press("down")  # bob
        await pilot.pause()
        assert cell_texts(screen.query_one("#detail")) == [["chain-rule", "1", "L", "1", "✓ right", "—", "0"]]
        await pilot.press("tab")  # to the nodes: the node's learners
        await pilot.pause()
        assert "node L, learner by learner" in str(screen.query_one("#detail-title").render())
        assert cell_texts(screen.query_one("#detail")) == [["ada", "2", "✗ not right", "sign ×1", "1"],
                                                           ["bob", "1", "✓ right", "—", "0"]]
        await pilot.press("r")  # a refresh keeps the side chosen
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "node L, learner by learner" in str(screen.query_one("#detail-title").render())
