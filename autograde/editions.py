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
from pathlib import Path

from nbformat import NotebookNode
from nbgrader import utils

from autograde.catalogs import Catalog, update_catalog
from autograde.errors import AutogradeError
from autograde.paths import REPO_ROOT

LESSON_LANGUAGE = "ja"  # the language the lessons are written in
GUIDE_LANGUAGE = "en"  # the language the guides and README are written in
LANGUAGES = ("ja", "en")
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
LOCALE = REPO_ROOT / "locale"
DOCS = REPO_ROOT / "docs"
GUIDES = ("student-guide", "self-learner-guide", "instructor-guide")


def lesson_catalog(lesson_id: str, language: str) -> Path:
    return LOCALE / language / f"{lesson_id}.po"


def guide_catalog(guide: str, language: str) -> Path:
    return LOCALE / language / f"{guide}.po"


def guide_path(guide: str, language: str) -> Path:
    return DOCS / f"{guide}.md" if language == GUIDE_LANGUAGE else DOCS / language / f"{guide}.md"


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise AutogradeError(f"no {language!r} edition; the editions are {', '.join(LANGUAGES)}")
    return language


def edition_of(notebook: NotebookNode) -> str:
    """The language of a notebook of the course (the lessons' own language when it says none)."""
    course = notebook.get("metadata", {}).get("course")
    edition = course.get("edition") if isinstance(course, dict) else None
    return edition if edition in LANGUAGES else LESSON_LANGUAGE


def localize(notebook: NotebookNode, lesson_id: str, language: str) -> NotebookNode:
    """A copy of `notebook` (a lesson in its own language: source, student version or a graded
    submission) in `language`: markdown cells translated, everything else as it was."""
    check_language(language)
    edition = copy.deepcopy(notebook)
    edition.metadata["course"] = {"edition": language}
    if language == LESSON_LANGUAGE:
        return edition
    catalog = Catalog(lesson_catalog(lesson_id, language))
    for cell in edition.cells:
        if cell.cell_type != "markdown":
            continue
        cell.source = catalog.translate(cell.source)
        if "checksum" in cell.metadata.get("nbgrader", {}):  # (nbgrader's record of a locked cell's text)
            cell.metadata.nbgrader.checksum = utils.compute_checksum(cell)
    return edition


def markdown_cells(notebook: NotebookNode, lesson_id: str) -> list[tuple[str, str]]:
    """(where, text) of each markdown cell, for a catalog's references."""
    return [
        (f"{lesson_id}.ipynb#{cell.metadata.get('nbgrader', {}).get('grade_id', cell.get('id'))}", cell.source)
        for cell in notebook.cells
        if cell.cell_type == "markdown"
    ]


def update_lesson_catalogs(lesson_id: str, source: NotebookNode) -> list[Path]:
    """Bring every translation catalog of a lesson in step with its source notebook."""
    paths = []
    for language in LANGUAGES:
        if language != LESSON_LANGUAGE:
            paths.append(lesson_catalog(lesson_id, language))
            update_catalog(paths[-1], language, lesson_id, markdown_cells(source, lesson_id))
    return paths


def update_guide_catalogs() -> list[Path]:
    paths = []
    for guide in GUIDES:
        text = guide_path(guide, GUIDE_LANGUAGE).read_text()
        for language in LANGUAGES:
            if language != GUIDE_LANGUAGE:
                paths.append(guide_catalog(guide, language))
                update_catalog(paths[-1], language, guide, [(f"{guide}.md", text)])
    return paths


def write_guides() -> list[Path]:
    """docs/<language>/<guide>.md for every language the guides are translated into."""
    paths = []
    for guide in GUIDES:
        text = guide_path(guide, GUIDE_LANGUAGE).read_text()
        for language in LANGUAGES:
            if language != GUIDE_LANGUAGE:
                paths.append(guide_path(guide, language))
                paths[-1].parent.mkdir(parents=True, exist_ok=True)
                paths[-1].write_text(Catalog(guide_catalog(guide, language)).translate(text))
    return paths
