"""`python -m course_site build`: the site of every language, one Sphinx build each, into `<output>/html/<language>/`,
with a page at `<output>/html/index.html` that offers both."""

import html
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from autograde.editions import LANGUAGES
from autograde.paths import REPO_ROOT
from course_site.extension import LANGUAGE_NAMES
from course_site.sources import COURSE, stage


class SiteError(Exception):
    """The site did not build; the message says why."""


CONF = Path(__file__).parent / "conf"
DEFAULT_OUTPUT = REPO_ROOT / "runs" / "site"


@dataclass(frozen=True)
class SiteLayout:
    """Where one build keeps its things under `root`; the execution cache is shared by the languages."""

    root: Path

    def sources(self, language: str) -> Path:
        return self.root / "sources" / language

    def doctrees(self, language: str) -> Path:
        return self.root / "build" / language / "doctrees"

    def pages(self, language: str) -> Path:
        # (myst-nb writes its working files beside Sphinx's output folder, in jupyter_execute/)
        return self.root / "build" / language / "html"

    @property
    def html(self) -> Path:
        """The site: the root page, and a link to each language's pages (siblings, for the switcher)."""
        return self.root / "html"

    @property
    def execution_cache(self) -> Path:
        return self.root / "jupyter_cache"


def build_site(output: Path = DEFAULT_OUTPUT, execute: bool = True) -> Path:
    """Build the site of every language; returns the folder of the root page (serve it over HTTP).

    With `execute`, each lesson runs once (the first language to meet it runs it, into the cache that
    every later build reuses); without, pages show the code without outputs."""
    layout, titles = SiteLayout(output), {}
    for language in LANGUAGES:
        sources = stage(language, layout.sources(language))
        titles[language] = sources.title
        settings = {
            "language": language,
            "html_title": sources.title,
            "nb_execution_mode": "cache" if execute else "off",
            "nb_execution_cache_path": layout.execution_cache,
            "course_site_notebooks": COURSE / language,
        }
        # One process per language: Sphinx keeps its translations of the theme's words in globals.
        build = subprocess.run(
            [sys.executable, "-m", "sphinx", "--builder", "html", "--fail-on-warning"]
            + ["--conf-dir", str(CONF), "--doctree-dir", str(layout.doctrees(language))]
            + [f"--define={name}={value}" for name, value in settings.items()]
            + [str(sources.root), str(layout.pages(language))],
            check=False,
        )
        if build.returncode:
            raise SiteError(f"the {language} site did not build: see Sphinx's messages above")
        link = layout.html / language
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(Path("..") / layout.pages(language).relative_to(layout.root))
    (layout.html / "index.html").write_text(language_choice(titles))
    return layout.html


def language_choice(titles: dict[str, str]) -> str:
    """The site's root page: each language's landing page, by its title."""
    links = "\n".join(
        f'<li lang="{code}"><a href="{code}/index.html" hreflang="{code}">{html.escape(title)}</a>'
        f" ({html.escape(LANGUAGE_NAMES[code])})</li>"
        for code, title in titles.items()
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(' / '.join(titles.values()))}</title></head>\n<body><ul>\n{links}\n</ul></body></html>\n"
    )
