"""Lesson files are untrusted input: escapes are shown, never obeyed; brackets are text, never markup;
a FIFO, a device, a huge, deep or long file is refused with file, line and reason, never followed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from tui_grad.cli import COMMANDS, main
from tui_grad.core.catalog import check_lesson_files, load_catalog, shipped_lessons_dir
from tui_grad.core.lesson import (
    COMMAND_NAMES,
    MAX_FILE_BYTES,
    MAX_NESTING,
    MAX_NODES,
    MAX_TRAINING_WORK,
    LessonError,
)
from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.safe_text import is_unsafe, safe_text
from tui_grad.plain import run_plain

from tests.conftest import GOOD_LESSON

BRACKETS = ("[/x]", "w[i][j]", "[TODO]", "[bold]B[/bold]")
# Escapes as TOML writes them: OSC 52 (clipboard), OSC 0 (title), OSC 8 (link), clear screen, leave the
# alternate screen, a C1 CSI, a right-to-left override.
ATTACKS = (r"\u001b]52;c;aGk=\u0007 \u001b]0;pwned\u0007 \u001b]8;;http://x\u001b\\link \u001b[2J "
           r"\u001b[?1049l \u009b2J \u202eevil")
WORDS = " ".join(BRACKETS)

HOSTILE_LESSON = f'''\
id = "hostile"
title = "Title {WORDS} {ATTACKS}"
summary = "Summary {WORDS} {ATTACKS}"
order = 1

[text]
intro = """Intro {WORDS} {ATTACKS}"""
outro = """Outro {WORDS} {ATTACKS}"""

[[parts]]
title = "Gradients {WORDS} {ATTACKS}"
kind = "gradients"
text = """Gradient text {WORDS} {ATTACKS}"""
inputs = {{ x = 3.0, y = -2.0 }}
nodes = ["p = x * y", "L = p + x"]

[[parts]]
title = "Training {WORDS} {ATTACKS}"
kind = "train"
text = """Training text {WORDS} {ATTACKS}"""
inputs = {{ w = 1.0 }}
nodes = ["L = (w - 3) ** 2"]
step_size = 0.1
steps = 3
'''


def unsafe_in(text: str) -> list[str]:
    """The characters in `text` a terminal could obey."""
    return sorted({repr(character) for character in text if is_unsafe(character)})


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "hostile.toml").write_text(HOSTILE_LESSON, encoding="utf-8")
    return folder


# --- the helper --------------------------------------------------------------------------------


def test_safe_text_shows_escapes_as_glyphs_and_keeps_newlines_and_tabs():
    assert safe_text("a\x1b]52;c;aGk=\x07b") == "a␛]52;c;aGk=␇b"
    assert safe_text("\x9b2J \u202eevil \x7f") == "<U+009B>2J <U+202E>evil ␡"
    assert safe_text("line one\n\tline two") == "line one\n\tline two"
    assert safe_text("w[i][j] é ∂L/∂x") == "w[i][j] é ∂L/∂x"


@given(st.text())
def test_safe_text_leaves_nothing_a_terminal_obeys_and_is_idempotent(text):
    shown = safe_text(text)
    assert not unsafe_in(shown)
    assert safe_text(shown) == shown


def test_the_fast_search_finds_exactly_the_characters_is_unsafe_names():
    """safe_text and unsafe_characters search with one compiled class; it must agree with the
    character-by-character definition on every code point a file can hold below the astral planes,
    and on the astral ones a sample of."""
    from tui_grad.core.safe_text import unsafe_characters

    for code in [*range(0x3000), *range(0xD7F0, 0x10000), *range(0x10000, 0x110000, 997)]:
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates never come out of a decoded file
        character = chr(code)
        assert (unsafe_characters(f"a{character}b") == [character]) == is_unsafe(character), hex(code)
        assert (safe_text(character) != character) == is_unsafe(character), hex(code)


@given(st.text())
def test_safe_text_replaces_each_unsafe_character_by_its_visible_form(text):
    from tui_grad.core.safe_text import unsafe_characters, visible

    expected = "".join(visible(character) if is_unsafe(character) else character for character in text)
    assert safe_text(text) == expected
    assert unsafe_characters(text) == list(dict.fromkeys(c for c in text if is_unsafe(c)))


# --- control characters, at the boundary -------------------------------------------------------


def test_every_string_of_a_hostile_lesson_is_safe_and_keeps_its_brackets(hostile_dir):
    lesson = load_lesson(hostile_dir / "hostile.toml")
    texts = [lesson.title, lesson.summary, lesson.intro, lesson.outro]
    texts += [text for part in lesson.parts for text in (part.title, part.text)]
    for text in texts:
        assert not unsafe_in(text), text
        assert all(word in text for word in BRACKETS), text
        assert "␛]52;c;aGk=␇" in text and "<U+202E>evil" in text


def test_control_characters_are_noticed_with_line_and_name(hostile_dir):
    lesson = load_lesson(hostile_dir / "hostile.toml")
    notices = [str(notice) for notice in lesson.notices]
    assert any(":2: title contains the control character ESC (U+001B)" in notice for notice in notices), notices
    assert any("parts[2].text contains the control character RLO (U+202E)" in notice for notice in notices)
    assert not load_lesson(shipped_lessons_dir() / "chain-rule.toml").notices


def test_error_messages_and_file_names_are_safe(tmp_path):
    path = tmp_path / "evil\x1b[2J.toml"
    path.write_text(GOOD_LESSON.replace('"p = x * y"', r'"p = x \u001b[2J * y"'), encoding="utf-8")
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert not unsafe_in(str(caught.value)) and not unsafe_in(caught.value.file_name)
    assert "evil␛[2J.toml" in str(caught.value) and caught.value.line in (7, 8)  # the node, or its list


# --- every command-line output path -----------------------------------------------------------


@pytest.fixture
def wide(monkeypatch, tmp_path):
    """A wide terminal (Rich tables keep each title on one line) and a private progress folder."""
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setenv("TUI_GRAD_HOME", str(tmp_path / "home"))


@pytest.mark.parametrize("command", [["list"], ["trace", "hostile"], ["progress"]])
def test_commands_print_lesson_words_literally_and_no_escapes(hostile_dir, wide, capsys, command):
    status = main([*command, "--lessons", str(hostile_dir)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert not unsafe_in(out + err)
    assert f"Title {WORDS}" in out


def test_trace_json_escapes_everything_and_keeps_brackets(hostile_dir, wide, capsys):
    assert main(["trace", "hostile", "--json", "--lessons", str(hostile_dir)]) == 0
    out = capsys.readouterr().out
    assert not unsafe_in(out)


def test_check_reports_control_characters_and_prints_none(hostile_dir, wide, capsys):
    assert main(["check", str(hostile_dir)]) == 1
    out = capsys.readouterr().out
    assert not unsafe_in(out)
    assert "hostile.toml:2: title contains the control character ESC (U+001B), shown as '␛'" in out
    assert "0 fine, 1 broken" in out


def test_list_of_a_broken_file_with_escapes_prints_none(tmp_path, wide, capsys):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "bad\x1b]0;pwned\x07.toml").write_text('id = "bad"\ntitle = "[/x]\x1b[2J', encoding="utf-8")
    assert main(["list", "--lessons", str(folder)]) == 1
    out = capsys.readouterr().out
    assert not unsafe_in(out)
    assert "unavailable:" in out and "bad␛]0;pwned␇.toml" in out


def test_plain_mode_prints_lesson_words_literally_and_no_escapes(hostile_dir):
    catalog = load_catalog(hostile_dir)
    stdout = io.StringIO()
    run_plain(catalog, None, None, stdin=io.StringIO("1\n\n"), stdout=stdout)
    run_plain(catalog, "hostile", None, stdin=io.StringIO("\n" * 3), stdout=stdout)
    shown = stdout.getvalue()
    assert not unsafe_in(shown)
    assert f"Title {WORDS}" in shown and f"Intro {WORDS}" in shown and "Gradient text" in shown


# --- limits ------------------------------------------------------------------------------------


def run_list(folder: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`tui-grad list --lessons folder` in its own process; the timeout is a hang guard, not a speed test."""
    environment = {**os.environ, "TUI_GRAD_HOME": str(tmp_path / "home"), "COLUMNS": "400"}
    return subprocess.run([sys.executable, "-m", "tui_grad", "list", "--lessons", str(folder)],
                          capture_output=True, text=True, timeout=120, env=environment)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking_and_the_rest_still_loads(hostile_dir, tmp_path):
    os.mkfifo(hostile_dir / "pipe.toml")
    (hostile_dir / "zero.toml").symlink_to("/dev/zero")
    result = run_list(hostile_dir, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "pipe.toml: this is a named pipe (FIFO), not a lesson file" in result.stdout
    assert "zero.toml: this is a device, not a lesson file" in result.stdout
    assert f"Title {WORDS}" in result.stdout and "The chain rule" in result.stdout


def test_a_folder_named_like_a_lesson_is_refused(tmp_path):
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(LessonError, match="this is a folder"):
        load_lesson(tmp_path / "folder.toml")


def test_a_file_over_the_cap_is_refused_saying_the_cap(write_lesson):
    path = write_lesson(GOOD_LESSON + "# " + "x" * MAX_FILE_BYTES + "\n")
    with pytest.raises(LessonError, match=f"larger than {MAX_FILE_BYTES // 1024} KiB"):
        load_lesson(path)


def test_a_file_just_under_the_cap_loads(write_lesson):
    padding = MAX_FILE_BYTES - len(GOOD_LESSON.encode()) - 3
    assert load_lesson(write_lesson(GOOD_LESSON + "# " + "x" * padding + "\n")).id == "tiny"


@pytest.mark.parametrize("opening", ["[", "{ a = "])
def test_deep_nesting_is_refused_with_its_line_before_tomllib(write_lesson, opening):
    path = write_lesson(GOOD_LESSON + "deep = " + opening * 2000 + "\n")
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert caught.value.line == GOOD_LESSON.count("\n") + 1
    assert f"nested more than {MAX_NESTING} deep" in caught.value.message


def test_brackets_inside_strings_and_comments_are_not_nesting(write_lesson):
    text = GOOD_LESSON.replace('"A tiny lesson"', '"' + "[" * 100 + r'\"' + "{" * 100 + '"')
    text += "# " + "[" * 100 + "\nnote = '''" + "[" * 100 + "'''\nmore = \"\"\"" + "{" * 100 + '"""\n'
    assert load_lesson(write_lesson(text)).title.startswith("[" * 100)


def test_deep_dotted_keys_do_not_overflow(write_lesson):
    path = write_lesson(GOOD_LESSON + "\n[extra]\n" + ".".join(["k"] * 3000) + " = 1\n")
    assert load_lesson(path).id == "tiny"


def chain_lesson(length: int) -> str:
    """A lesson whose graph is one chain of `length` assignments, written as tightly as TOML allows."""
    nodes = ",".join(f'"a{index}=a{index - 1}*2"' for index in range(1, length + 1))
    return GOOD_LESSON.replace('inputs = { x = 3.0, y = -2.0 }', "inputs = { a0 = 1.0 }").replace(
        '    "p = x * y",\n    "L = p + x",', nodes).replace('parameters = ["x", "y"]', "")


def test_a_100000_node_chain_is_refused_by_the_size_cap(write_lesson):
    with pytest.raises(LessonError, match="larger than 256 KiB"):
        load_lesson(write_lesson(chain_lesson(100_000)))


def test_the_longest_chain_under_the_cap_is_refused_by_the_node_limit_before_building(write_lesson):
    text = chain_lesson(15_000)
    assert len(text.encode()) < MAX_FILE_BYTES
    with pytest.raises(LessonError) as caught:
        load_lesson(write_lesson(text))
    assert f"at least 15001 nodes; at most {MAX_NODES} can be drawn" in caught.value.message
    assert caught.value.line == 7


def test_one_long_formula_is_refused_at_its_line(write_lesson):
    formula = " + ".join(["x * y"] * 30)
    path = write_lesson(GOOD_LESSON.replace('"L = p + x"', f'"L = p + {formula}"'))
    with pytest.raises(LessonError, match=f"at most {MAX_NODES} can be drawn") as caught:
        load_lesson(path)
    assert caught.value.line == 9


def test_many_inputs_are_refused_before_anything_is_built(write_lesson):
    inputs = ", ".join(f"i{index} = 1.0" for index in range(5000))
    path = write_lesson(GOOD_LESSON.replace("x = 3.0, y = -2.0", f"x = 3.0, y = -2.0, {inputs}"))
    with pytest.raises(LessonError, match=f"at most {MAX_NODES} can be drawn"):
        load_lesson(path)


def test_the_node_limit_counts_what_is_built_exactly(catalog):
    from tui_grad.core.tables import _node_count

    for lesson in catalog.lessons:
        for part in lesson.parts:
            if part.assignments:
                counted = len(part.inputs) + sum(_node_count(a.formula) for a in part.assignments)
                assert counted == len(part.build().nodes), (lesson.id, part.title)


# --- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMAND_NAMES)
def test_an_id_that_shadows_a_command_is_refused(write_lesson, command):
    with pytest.raises(LessonError, match=f"'tui-grad {command}'") as caught:
        load_lesson(write_lesson(GOOD_LESSON.replace('id = "tiny"', f'id = "{command}"')))
    assert caught.value.line == 1


def test_the_command_line_takes_its_commands_from_core():
    assert set(COMMANDS) <= set(COMMAND_NAMES)
    assert {"list", "trace", "check", "progress", "reset", "practice", "serve", "class", "help"} <= set(COMMAND_NAMES)


def test_check_refuses_a_duplicate_id_across_the_files_checked(tmp_path, capsys):
    (tmp_path / "one.toml").write_text(GOOD_LESSON, encoding="utf-8")
    (tmp_path / "two.toml").write_text(GOOD_LESSON, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "✓ " in out and "one.toml: lesson 'tiny' is fine" in out
    assert "two.toml: id 'tiny' is already used by" in out and "1 fine, 1 broken" in out


def test_check_takes_a_copy_identical_to_a_shipped_lesson_as_that_lesson(tmp_path):
    """`tui-grad check lessons/` from a checkout installed with `pip install .` (not editable) reported
    every shipped lesson broken: each file's id was 'already used' by its own installed copy."""
    copy = tmp_path / "chain-rule.toml"
    copy.write_bytes((shipped_lessons_dir() / "chain-rule.toml").read_bytes())
    shipped = load_catalog()
    [result] = check_lesson_files([copy], shipped)
    assert result.lesson is not None and result.problems == ()
    assert all(not result.problems for result in check_lesson_files([shipped_lessons_dir()], shipped))


def test_check_tells_a_changed_copy_of_a_shipped_lesson_how_to_give_it_its_own_id(tmp_path):
    copy = tmp_path / "copy.toml"
    text = (shipped_lessons_dir() / "chain-rule.toml").read_text(encoding="utf-8")
    copy.write_text(text.replace("The chain rule by hand", "The chain rule, my way"), encoding="utf-8")
    [result] = check_lesson_files([copy], load_catalog())
    [problem] = result.problems
    id_line = next(number for number, row in enumerate(text.splitlines(), start=1) if row.startswith("id ="))
    assert problem.line == id_line
    assert "differs from it" in problem.message and 'id = "chain-rule-2"' in problem.message


# --- numbers too big for a float ----------------------------------------------------------------

HUGE = "1" + "0" * 400
"""A whole number TOML reads exactly and no float can hold (more than 309 digits)."""
NUMBERS_LESSON = '''\
id = "numbers"
title = "Every number a lesson file holds"
summary = "Each one in turn is made too big."
order = {order}

[[parts]]
kind = "gradients"
inputs = {{ x = {x}, y = -2.0 }}
nodes = ["p = x * y", "L = p + x"]
relative_tolerance = {relative_tolerance}
absolute_tolerance = {absolute_tolerance}
randomize = {{ x = [{low}, {high}] }}

[[parts]]
kind = "train"
inputs = {{ m = 0.0, b = 0.0 }}
nodes = ["r = m * 2 + b - 4", "L = r * r"]
step_size = {step_size}
steps = {steps}
points = [[2, {point}]]
line = ["m", "b"]

[[parts]]
kind = "network"
samples = {samples}
hidden = [{hidden}, 4]
steps = {network_steps}
step_size = {network_step_size}
seed = {seed}
'''
NUMBER_FIELDS = {"order": "1", "x": "3", "relative_tolerance": "0", "absolute_tolerance": "0", "low": "-5",
                 "high": "5", "step_size": "1", "steps": "3", "point": "4", "samples": "8", "hidden": "4",
                 "network_steps": "5", "network_step_size": "1", "seed": "1"}


def numbers_lesson(**changed: str) -> str:
    return NUMBERS_LESSON.format(**{**NUMBER_FIELDS, **changed})


def test_the_numbers_lesson_loads_as_written(write_lesson):
    assert len(load_lesson(write_lesson(numbers_lesson())).parts) == 3


@pytest.mark.parametrize("number", [HUGE, f"-{HUGE}", "9" * 5000, "0x" + "f" * 300])
@pytest.mark.parametrize("name", NUMBER_FIELDS)
def test_a_number_too_big_for_a_float_is_a_broken_lesson_at_its_line(write_lesson, name, number):
    text = numbers_lesson(**{name: number})
    with pytest.raises(LessonError) as caught:
        load_lesson(write_lesson(text))
    line = next(index for index, row in enumerate(text.splitlines(), start=1) if number in row)
    assert caught.value.line == line, caught.value.message
    assert "too big" in caught.value.message and len(caught.value.message) < 300


def test_a_number_too_big_leaves_the_other_lessons_loading_in_check_list_trace_and_plain(tmp_path, wide, capsys):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "numbers.toml").write_text(numbers_lesson(step_size=HUGE), encoding="utf-8")
    (folder / "tiny.toml").write_text(GOOD_LESSON, encoding="utf-8")
    catalog = load_catalog(folder)
    assert [lesson.id for lesson in catalog.lessons] == ["tiny"]
    [broken] = catalog.broken
    assert broken.path.name == "numbers.toml" and broken.line == 18
    for command in (["check", str(folder)], ["list", "--lessons", str(folder)],
                    ["trace", "tiny", "--lessons", str(folder)]):
        main(command)
        out = capsys.readouterr().out
        assert "numbers.toml" in out or command[0] == "trace", out
        assert HUGE not in out
    output = io.StringIO()
    run_plain(load_catalog(folder), None, None, stdin=io.StringIO("1\n\n"), stdout=output)
    assert "numbers.toml" in output.getvalue() and "A tiny lesson" in output.getvalue()


def test_plain_mode_echoes_a_piped_in_line_escaped_like_everything_else(hostile_dir):
    typed = "\x1b]0;pwned\x07 \x9b2J \u202eevil \x1b[2J"
    stdout = io.StringIO()
    run_plain(load_catalog(hostile_dir), "hostile", None, stdin=io.StringIO(f"\n{typed}\n"), stdout=stdout)
    shown = stdout.getvalue()
    assert not unsafe_in(shown)
    assert safe_text(typed) in shown  # the line is still echoed, every escape as its glyph


def training_lesson(steps: int, terms: int) -> str:
    """A train part of `steps` steps on a loss of `terms` squared terms (4 nodes for one, 24 for six)."""
    loss = " + ".join(["(w - 3) ** 2"] * terms)
    return (f'id = "long"\ntitle = "A long run"\nsummary = "s"\n\n[[parts]]\nkind = "train"\ninputs = {{ w = 1.0 }}\n'
            f'nodes = ["L = {loss}"]\nstep_size = 0.001\nsteps = {steps}\n')


@pytest.mark.parametrize(("steps", "terms"), [(100_000, 1), (10_000, 6)])
def test_a_training_run_too_long_to_trace_is_refused_saying_the_limit(write_lesson, steps, terms):
    with pytest.raises(LessonError) as caught:
        load_lesson(write_lesson(training_lesson(steps, terms)))
    assert caught.value.line == 10
    assert f"at most {MAX_TRAINING_WORK}" in caught.value.message and f"{steps} steps" in caught.value.message


def test_the_longest_shipped_run_fits_the_training_limit_with_room(catalog):
    work = max(part.update.steps * len(part.build().nodes) for lesson in catalog.lessons for part in lesson.parts
               if part.assignments)
    assert 2 * work <= MAX_TRAINING_WORK


def test_a_training_run_exactly_at_the_limit_loads(write_lesson):
    steps = MAX_TRAINING_WORK // 4  # one squared term: 4 nodes
    assert load_lesson(write_lesson(training_lesson(steps, 1))).parts[0].update.steps == steps
