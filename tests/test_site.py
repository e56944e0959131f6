"""The course site's sources (course_site.sources) and its lesson pages' additions (course_site.extension):
no Sphinx build here; tests/test_site_browser.py builds the site and reads it in Chromium."""

import re
from pathlib import Path

import nbformat
import polib
import pytest

from autograde.catalogs import messages
from autograde.editions import LANGUAGES
from autograde.lessons import find_lessons
from autograde.paths import REPO_ROOT, lesson_notebook
from autograde.run_all import RAISES_TAG
from course_site.extension import lesson_info
from course_site.links import LINK, SiteMap
from course_site.sources import HIDE_OUTPUT_TAG, LANDING_PAGE, landing_catalog, landing_page, stage

COURSE = REPO_ROOT / "course"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
HTML_LINK = re.compile(r"<a href=[^>]*>(?P<text>.*?)</a>")


def without_link_targets(markdown: str) -> str:
    """`markdown` with each link, markdown or HTML, replaced by its text: a page may send a link elsewhere
    (course_site/links.py), never change what it says."""
    return HTML_LINK.sub(r"\g<text>", LINK.sub(r"\g<text>", markdown))


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    return {language: stage(language, tmp_path_factory.mktemp(language)) for language in LANGUAGES}


def test_both_languages_have_the_same_pages(staged):
    pages = {language: sorted(p.relative_to(s.root) for p in s.root.rglob("*.*")) for language, s in staged.items()}
    assert pages["ja"] == pages["en"]
    lessons = [lesson.id for lesson in find_lessons(COURSE / "ja")]
    assert {lesson_notebook(Path(), lesson) for lesson in lessons} <= set(pages["en"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_lesson_page_is_the_student_notebook_with_the_outputs_of_answers_and_tests_hidden(staged, language):
    for lesson in find_lessons(COURSE / language):
        student = nbformat.read(lesson.source_notebook, as_version=4)
        page = nbformat.read(lesson_notebook(staged[language].root, lesson.id), as_version=4)
        assert [without_link_targets(cell.source) for cell in page.cells] == [
            without_link_targets(cell.source) for cell in student.cells
        ], lesson.id
        for cell in page.cells:
            tags = cell.metadata.get("tags", [])
            assert (HIDE_OUTPUT_TAG in tags) == (RAISES_TAG in tags), f"{lesson.id}: {cell.source[:60]!r}"
        assert any(HIDE_OUTPUT_TAG in cell.metadata.get("tags", []) for cell in page.cells), lesson.id


def test_lesson_pages_run_the_same_code_in_both_languages(staged):
    """The execution cache keys a notebook on its code cells: one run serves both languages."""
    for lesson in find_lessons(COURSE / "ja"):
        code = {
            language: [
                (cell.source, cell.metadata)
                for cell in nbformat.read(lesson_notebook(staged[language].root, lesson.id), as_version=4).cells
                if cell.cell_type == "code"
            ]
            for language in LANGUAGES
        }
        assert code["ja"] == code["en"], lesson.id


def test_the_japanese_landing_page_is_a_complete_translation():
    catalog = polib.pofile(str(landing_catalog("ja")))
    assert {entry.msgid for entry in catalog if not entry.obsolete} == set(messages(LANDING_PAGE.read_text()))
    page = landing_page("ja")
    prose = messages(page)
    assert prose and all(JAPANESE.search(block) for block in prose), [b for b in prose if not JAPANESE.search(b)]
    # The links and the pages listed are the English page's.
    assert re.findall(r"\]\(([^)]+)\)", page) == re.findall(r"\]\(([^)]+)\)", LANDING_PAGE.read_text())


def test_the_landing_page_links_to_each_guide_and_lesson():
    text = LANDING_PAGE.read_text()
    for guide in ("student-guide", "instructor-guide", "self-learner-guide"):
        assert f"docs/{guide}" in text
    for lesson in find_lessons(COURSE / "en"):
        assert f"\n{lesson.id}/{lesson.id}\n" in text


def test_a_lesson_s_running_time_is_shown_only_when_the_build_ran_it():
    executed = lesson_info("en", "../notebooks/03.ipynb", "03.ipynb", 130.4)
    assert 'href="../notebooks/03.ipynb"' in executed and "2 min 10 s" in executed
    assert "2分10秒" in lesson_info("ja", "../notebooks/03.ipynb", "03.ipynb", 130.4)
    skipped = lesson_info("en", "../notebooks/03.ipynb", "03.ipynb", None)
    assert 'href="../notebooks/03.ipynb"' in skipped and "took" not in skipped


SITE_MAP = {
    "ja": {"docs/ja/student-guide.md": "docs/student-guide.md", "docs/authoring.md": "docs/authoring.md"},
    "en": {"docs/student-guide.md": "docs/student-guide.md", "docs/authoring.md": "docs/authoring.md"},
}


def test_a_guide_s_links_lead_to_the_site_s_pages():
    page = SiteMap("ja", SITE_MAP).rewrite(
        "英語版: [原文](../student-guide.md)、[書き方](../authoring.md#layout)、[フォルダ](../)、[外](https://example.org/a.md)",
        "docs/ja/student-guide.md",
        "docs/student-guide.md",
    )
    assert page == (
        '英語版: <a href="../../en/docs/student-guide.html" hreflang="en">原文</a>、'
        "[書き方](authoring.md#layout)、フォルダ、[外](https://example.org/a.md)"
    )


def test_links_inside_code_stay_as_they_are():
    text = "Run `[x](docs/authoring.md)`:\n\n```\n[y](docs/authoring.md)\n```\n\n[z](docs/authoring.md)"
    page = SiteMap("en", SITE_MAP).rewrite(text, "README.md", "README.md")
    assert page == text  # (README.md is staged at README.md: its link stays too)
    assert SiteMap("en", SITE_MAP).rewrite("[z](docs/authoring.md)", "README.md", "docs/x.md") == "[z](authoring.md)"
