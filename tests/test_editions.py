"""The two editions from one source: catalogs complete and current, code identical, terms consistent.

A failure here says what to run: `make translations` (catalogs in step with the sources, then translate
what it reports) and `make course` (the editions generated again).
"""

import csv
import html
import re
from pathlib import Path

import nbformat
import polib
import pytest

from autograde import editions
from autograde.catalogs import Catalog, messages, split_blocks, update_catalog
from autograde.class_grading import grade_class
from autograde.editions import LANGUAGES, LESSON_LANGUAGE, edition_differences, edition_of, localize, translations
from autograde.errors import AutogradeError
from autograde.lessons import find_lessons
from autograde.paths import StudentNotebook

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "solutions"
LESSONS = [lesson.id for lesson in find_lessons(SOURCE)]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")  # kana, kanji, full-width forms


# --- The catalogs of the repository ---------------------------------------------------------------------


@pytest.mark.parametrize("translation", translations(SOURCE), ids=lambda t: f"{t.language}-{t.domain}")
def test_catalog_translates_every_block_of_its_source_and_nothing_is_stale(translation):
    problems = translation.problems()
    assert not problems, f"{translation.catalog}: {len(problems)} problems, the first: " + "; ".join(problems[:5])


def glossary() -> list[tuple[str, list[str]]]:
    lines = (ROOT / "locale" / "glossary.tsv").read_text().splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return [(japanese, english.split("|")) for japanese, english in rows]


@pytest.mark.parametrize("translation", translations(SOURCE), ids=lambda t: f"{t.language}-{t.domain}")
def test_catalog_uses_the_glossary_terms(translation):
    """A message holding a term of locale/glossary.tsv on its source side holds it on the other side."""
    misses = []
    for entry in polib.pofile(str(translation.catalog)):
        if entry.obsolete or not entry.msgstr:
            continue
        japanese_text, english_text = (
            (entry.msgid, entry.msgstr) if translation.language == "en" else (entry.msgstr, entry.msgid)
        )
        for japanese, english in glossary():
            in_japanese = japanese in japanese_text
            in_english = any(term.lower() in english_text.lower() for term in english)
            if translation.language == "en" and in_japanese and not in_english:
                misses.append(f"{japanese} without {'/'.join(english)} in {english_text[:70]!r}")
            if (
                translation.language == "ja"
                and in_english
                and not in_japanese
                and re.search(rf"\b{re.escape(english[0])}", english_text, re.IGNORECASE)
            ):
                misses.append(f"{english[0]} without {japanese} in {japanese_text[:70]!r}")
    assert not misses, f"{translation.catalog}: " + "; ".join(misses[:5])


# --- The generated editions -------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson", LESSONS)
def test_editions_differ_only_in_their_translated_text(lesson):
    notebooks = {
        language: nbformat.read(ROOT / "course" / language / lesson / f"{lesson}.ipynb", as_version=4)
        for language in LANGUAGES
    }
    original = notebooks[LESSON_LANGUAGE]
    for language, notebook in notebooks.items():
        assert edition_of(notebook) == language
        assert not edition_differences(original, notebook), (
            f"run `make course`: {edition_differences(original, notebook)}"
        )
        if language != "ja":
            japanese = [cell.source[:60] for cell in notebook.cells if JAPANESE.search(cell.source)]
            assert not japanese, f"{language} edition of {lesson} holds Japanese text: {japanese[:3]}"


def test_english_lessons_keep_the_code_cells_as_written():
    """Code cells hold no Japanese, in any edition: comments and printed strings are English in both."""
    for path in (ROOT / "course").glob("*/*/*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        japanese = [
            cell.source[:60] for cell in notebook.cells if cell.cell_type == "code" and JAPANESE.search(cell.source)
        ]
        assert not japanese, f"{path}: code cells with Japanese: {japanese[:3]}"


@pytest.mark.parametrize("guide", editions.GUIDES)
def test_translated_guides_are_generated_from_their_catalogs(guide):
    for language in LANGUAGES:
        if language == editions.GUIDE_LANGUAGE:
            continue
        text = editions.guide_path(guide, editions.GUIDE_LANGUAGE).read_text()
        expected = Catalog(editions.LOCALE / language / f"{guide}.po").translate(text)
        assert editions.guide_path(guide, language).read_text() == expected, "run `make course`"


# --- The machinery, on planted drift ----------------------------------------------------------------------


def test_blocks_join_back_to_the_text_and_code_is_never_a_message():
    text = (
        "# Title\n\nA paragraph\non two lines.\n\n```python\nx = 1\n\ny = 2\n```\nAfter the code.\n\n\n$$\nR = r\n$$\n"
    )
    assert "\n".join(piece.text for piece in split_blocks(text)) == text
    assert messages(text) == ["# Title", "A paragraph\non two lines.", "After the code.", "$$\nR = r\n$$"]
    for edge in ["", "\n", "\n\nfirst", "last\n\n", "```\nunclosed\n\nfence"]:
        assert "\n".join(piece.text for piece in split_blocks(edge)) == edge


def test_a_changed_block_becomes_fuzzy_a_new_one_empty_and_both_are_reported(tmp_path):
    catalog = tmp_path / "en.po"
    old = "First paragraph.\n\nSecond paragraph, about the reward model."
    update_catalog(catalog, "en", "toy", [("toy", old)])
    po = polib.pofile(str(catalog))
    for entry in po:
        entry.msgstr = f"EN {entry.msgid}"
    po.save()
    assert Catalog(catalog).problems([old]) == []
    new = "First paragraph.\n\nSecond paragraph, about the reward models.\n\nA third one."
    problems = Catalog(catalog).problems([new])
    assert any("no message" in problem and "third" in problem for problem in problems)
    assert any("is gone" in problem for problem in problems)
    update_catalog(catalog, "en", "toy", [("toy", new)])
    problems = Catalog(catalog).problems([new])
    assert len(problems) == 2, problems
    assert any(p.startswith("fuzzy") and "reward models" in p for p in problems)
    assert any(p.startswith("untranslated") and "third" in p for p in problems)
    fuzzy = next(entry for entry in polib.pofile(str(catalog)) if "fuzzy" in entry.flags)
    assert fuzzy.msgstr == "EN Second paragraph, about the reward model."  # the old translation, to check
    with pytest.raises(AutogradeError, match="no up-to-date translation"):
        Catalog(catalog).translate(new)


def test_an_edition_whose_code_drifted_is_caught(tmp_path, monkeypatch):
    lesson = LESSONS[0]
    source = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
    monkeypatch.setattr(editions, "LOCALE", tmp_path)
    catalog = editions.lesson_catalog(lesson, "en")
    cells = editions.translated_cells(source)
    update_catalog(catalog, "en", lesson, [("cell", cell.source) for cell in cells])
    po = polib.pofile(str(catalog))
    for entry in po:
        entry.msgstr = "Translated."
    po.save()
    english = localize(source, lesson, "en")
    assert edition_of(english) == "en" and not edition_differences(source, english)
    assert all(not JAPANESE.search(cell.source) for cell in editions.translated_cells(english))
    code = next(cell for cell in english.cells if cell.cell_type == "code")
    code.source += "\n# a comment"
    assert edition_differences(source, english) == [
        f"cell {english.cells.index(code) + 1} (code, id {code.id}) differs"
    ]
    english = localize(source, lesson, "en")
    english.cells[0].metadata.nbgrader.points = 5
    assert edition_differences(source, english), "a graded cell's metadata is part of the code"


# --- A class that mixes the editions ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_class_mixing_the_editions_gets_one_grades_csv_and_feedback_in_each_language(tmp_path):
    lesson = "03_dpo_derivation"  # the quickest lesson to grade
    source = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
    submissions = tmp_path / "submitted"
    for student, language in (("aiko", "ja"), ("ben", "en")):
        path = submissions / student / lesson / f"{lesson}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(localize(source, lesson, language), path)
    results = grade_class(submissions, tmp_path / "out", SOURCE, jobs=2, on_result=lambda result: None)
    assert {(r.student, r.edition, r.score == r.max_score > 0) for r in results} == {
        ("aiko", "ja", True),
        ("ben", "en", True),
    }
    with (tmp_path / "out" / "grades.csv").open() as file:
        grades = {(row["student_id"], row["assignment"]): float(row["score"]) for row in csv.DictReader(file)}
    assert grades == {("aiko", lesson): results[0].max_score, ("ben", lesson): results[0].max_score}
    with (tmp_path / "out" / "summary.csv").open() as file:
        assert {row["student_id"]: row["edition"] for row in csv.DictReader(file)} == {"aiko": "ja", "ben": "en"}
    first_block = messages(editions.translated_cells(source)[0].source)[0]  # the lesson's title
    english_title = Catalog(editions.lesson_catalog(lesson, "en")).translate(first_block)
    feedback = {
        student: StudentNotebook(tmp_path / "out", student, lesson).feedback.read_text() for student in ("aiko", "ben")
    }
    assert html.escape(first_block.lstrip("# ")) in feedback["aiko"]
    assert html.escape(english_title.lstrip("# ")) in feedback["ben"] and not JAPANESE.search(feedback["ben"])
