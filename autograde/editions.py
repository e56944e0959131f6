"""The course in two languages from one source.

The lessons are written in Japanese (solutions/, the only source of their code, tests and prose); the
English edition of a lesson is its Japanese student version with every markdown block replaced by its
translation from `locale/en/<lesson>.po`. Code cells, hidden tests, grade_ids, points and cell ids are
copied, never translated, so both editions grade alike by construction. The guides go the other way:
English is their source (`docs/<guide>.md`), Japanese their translation (`locale/ja/<guide>.po` ->
`docs/ja/<guide>.md`).

A notebook records its edition in its metadata (`course.edition`); the grader writes a student's
feedback in the language of the notebook the student handed in.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader import utils

from autograde.catalogs import Catalog, update_catalog
from autograde.errors import AutogradeError
from autograde.lessons import Lesson, find_lessons
from autograde.paths import REPO_ROOT

LESSON_LANGUAGE = "ja"  # the language the lessons are written in
GUIDE_LANGUAGE = "en"  # the language the guides and README are written in
LANGUAGES = ("ja", "en")
LOCALE = REPO_ROOT / "locale"
DOCS = REPO_ROOT / "docs"
GUIDES = ("student-guide", "self-learner-guide", "instructor-guide")


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise AutogradeError(f"no {language!r} edition; the editions are {', '.join(LANGUAGES)}")
    return language


def lesson_catalog(lesson_id: str, language: str) -> Path:
    return LOCALE / language / f"{lesson_id}.po"


def guide_path(guide: str, language: str) -> Path:
    return DOCS / f"{guide}.md" if language == GUIDE_LANGUAGE else DOCS / language / f"{guide}.md"


def editions(lesson_id: str) -> list[str]:
    """The languages a lesson has an edition in: its own, and each one it has a catalog for (a lesson
    of another course, the test suite's toy one for instance, may have none)."""
    return [
        language
        for language in LANGUAGES
        if language == LESSON_LANGUAGE or lesson_catalog(lesson_id, language).is_file()
    ]


def edition_of(notebook: NotebookNode) -> str:
    """The language of a notebook of the course (the lessons' own language when it says none)."""
    course = notebook.get("metadata", {}).get("course")
    edition = course.get("edition") if isinstance(course, dict) else None
    return edition if edition in LANGUAGES else LESSON_LANGUAGE


def translated_cells(notebook: NotebookNode) -> list[NotebookNode]:
    """The cells an edition translates: the lesson's markdown (locked; a cell a student added is theirs)."""
    return [cell for cell in notebook.cells if cell.cell_type == "markdown" and utils.is_locked(cell)]


def localize(notebook: NotebookNode, lesson_id: str, language: str) -> NotebookNode:
    """A copy of `notebook` (a lesson in its own language: source, student version or a graded
    submission) in `language`: the lesson's markdown translated, everything else as it was."""
    check_language(language)
    edition = copy.deepcopy(notebook)
    edition.metadata["course"] = {"edition": language}
    if language == LESSON_LANGUAGE:
        return edition
    catalog = Catalog(lesson_catalog(lesson_id, language))
    for cell in translated_cells(edition):
        cell.source = catalog.translate(cell.source)
        if "checksum" in cell.metadata.nbgrader:  # (nbgrader's record of a locked cell's text)
            cell.metadata.nbgrader.checksum = utils.compute_checksum(cell)
    return edition


def edition_differences(original: NotebookNode, edition: NotebookNode) -> list[str]:
    """Where `edition` differs from `original` other than in the text of translated cells (and their
    nbgrader checksum): code, tests, grade_ids, points, cell ids, cell order must be the same."""
    if len(original.cells) != len(edition.cells):
        return [f"{len(edition.cells)} cells instead of {len(original.cells)}"]
    translated = {id(cell) for cell in translated_cells(original)}
    found = []
    for number, (cell, other) in enumerate(zip(original.cells, edition.cells), start=1):
        ours, theirs = copy.deepcopy(cell), copy.deepcopy(other)
        if id(cell) in translated:
            for each in (ours, theirs):
                each.source = ""
                each.metadata.get("nbgrader", {}).pop("checksum", None)
        if ours != theirs:
            found.append(f"cell {number} ({cell.cell_type}, id {cell.get('id')}) differs")
    return found


@dataclass(frozen=True)
class Translation:
    """One catalog: a lesson or a guide (`domain`) in `language`, and the text it translates."""

    catalog: Path
    language: str
    domain: str
    read_sources: Callable[[], list[tuple[str, str]]]  # (where, markdown), in reading order

    def problems(self) -> list[str]:
        if not self.catalog.is_file():
            return [f"no catalog {self.catalog}: run `make translations`"]
        return Catalog(self.catalog).problems([text for _, text in self.read_sources()])

    def update(self) -> None:
        update_catalog(self.catalog, self.language, self.domain, self.read_sources())


def translations(source: Path) -> list[Translation]:
    """Every catalog of the course: each lesson of `source` and each guide, in each other language."""
    found = []
    for lesson in find_lessons(source):
        for language in LANGUAGES:
            if language != LESSON_LANGUAGE:
                found.append(Translation(lesson_catalog(lesson.id, language), language, lesson.id, _lesson(lesson)))
    for guide in GUIDES:
        for language in LANGUAGES:
            if language != GUIDE_LANGUAGE:
                found.append(Translation(LOCALE / language / f"{guide}.po", language, guide, _guide(guide)))
    return found


def _lesson(lesson: Lesson) -> Callable[[], list[tuple[str, str]]]:
    def read() -> list[tuple[str, str]]:
        notebook = nbformat.read(lesson.source_notebook, as_version=4)
        return [
            (f"{lesson.id}.ipynb#{cell.metadata.nbgrader.get('grade_id', cell.get('id'))}", cell.source)
            for cell in translated_cells(notebook)
        ]

    return read


def _guide(guide: str) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(f"{guide}.md", guide_path(guide, GUIDE_LANGUAGE).read_text())]


def write_guides() -> list[Path]:
    """docs/<language>/<guide>.md for every language the guides are translated into."""
    paths = []
    for guide in GUIDES:
        text = guide_path(guide, GUIDE_LANGUAGE).read_text()
        for language in LANGUAGES:
            if language != GUIDE_LANGUAGE:
                path = guide_path(guide, language)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(Catalog(LOCALE / language / f"{guide}.po").translate(text))
                paths.append(path)
    return paths
