"""The Sphinx source tree of one language's site, staged from the files students and instructors get.

Each language's tree has the same page paths, so that a page's counterpart in the other language is the
same path under the other language's folder:

- `index.md`: the landing page (`course_site/pages/index.md`, in Japanese through `locale/ja/site-index.po`);
- `<id>/<id>.ipynb`: the student notebook of the edition (`course/<language>/<id>/<id>.ipynb`, at the
  same place, so that a lesson's links to another lesson work on the site too), with
  the outputs of its answer and test cells hidden: those cells raise NotImplementedError until the
  student writes an answer, and the site shows them as the student first sees them, without the error;
- `docs/<name>.md`: the guides in the language (`docs/<language>/<guide>.md`), and the course
  developers' pages (`docs/*.md`, English only); `README.md`: the project's overview (English). Their
  links to files of the repository become links to the site's pages (course_site/links.py).

A file is written only when its text changes, so that Sphinx rebuilds only the pages whose source changed,
and one whose source has gone is removed.
"""

from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograde.catalogs import Catalog, update_catalog
from autograde.editions import GUIDE_LANGUAGE, GUIDES, LANGUAGES, LOCALE, guide_path
from autograde.lessons import find_lessons
from autograde.paths import REPO_ROOT
from autograde.run_all import RAISES_TAG
from course_site.links import SiteMap

COURSE = REPO_ROOT / "course"  # the student notebooks, course/<language>/<id>/<id>.ipynb
LANDING_PAGE = Path(__file__).parent / "pages" / "index.md"
HIDE_OUTPUT_TAG = "remove-output"  # myst-nb's tag: the cell's code is shown, its outputs are not


def landing_catalog(language: str) -> Path:
    return LOCALE / language / "site-index.po"


@dataclass(frozen=True)
class SiteSources:
    """A staged source tree: `root`, and the site's title (the landing page's)."""

    root: Path
    language: str
    title: str


def stage(language: str, destination: Path) -> SiteSources:
    """The site's sources in `language` under `destination`, from the student notebooks in
    `course/<language>/` and the guides."""
    site_map = SiteMap(language, {each: documents(each) for each in LANGUAGES})
    pages = {"index.md": landing_page(language)}
    for source, staged in documents(language).items():
        if staged.endswith(".ipynb"):
            notebook = nbformat.read(REPO_ROOT / source, as_version=4)
            for cell in notebook.cells:  # (a lesson links to the guide of its language, from course/<language>/<id>/)
                if cell.cell_type == "markdown":
                    cell.source = site_map.rewrite(cell.source, source, staged)
            pages[staged] = nbformat.writes(as_shown_on_the_site(notebook))
        else:
            pages[staged] = site_map.rewrite((REPO_ROOT / source).read_text(), source, staged)
    for name, text in pages.items():
        write_if_changed(destination / name, text)
    for stale in {path for path in destination.rglob("*") if path.is_file()} - {destination / name for name in pages}:
        stale.unlink()  # (a page whose source has gone)
    return SiteSources(destination, language, pages["index.md"].splitlines()[0].lstrip("# "))


def documents(language: str) -> dict[str, str]:
    """The pages of a language's site but its landing page: repository path -> path on the site."""
    found = {"README.md": "README.md"}
    for page in sorted((REPO_ROOT / "docs").glob("*.md")):
        source = guide_path(page.stem, language) if page.stem in GUIDES else page
        found[source.relative_to(REPO_ROOT).as_posix()] = f"docs/{page.name}"
    for lesson in find_lessons(COURSE / language):
        found[lesson.source_notebook.relative_to(REPO_ROOT).as_posix()] = f"{lesson.id}/{lesson.id}.ipynb"
    return found


def landing_page(language: str) -> str:
    text = LANDING_PAGE.read_text()
    return text if language == GUIDE_LANGUAGE else Catalog(landing_catalog(language)).translate(text)


def as_shown_on_the_site(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`notebook` with the outputs of the cells that may raise (answers and tests) hidden."""
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if RAISES_TAG in tags and HIDE_OUTPUT_TAG not in tags:
            cell.metadata["tags"] = [*tags, HIDE_OUTPUT_TAG]
    return notebook


def write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def update_landing_catalogs() -> list[Path]:
    """Bring the landing page's catalog of every other language in step with its English text."""
    paths = []
    for language in LANGUAGES:
        if language != GUIDE_LANGUAGE:
            paths.append(landing_catalog(language))
            update_catalog(paths[-1], language, "site-index", [("index.md", LANDING_PAGE.read_text())])
    return paths
