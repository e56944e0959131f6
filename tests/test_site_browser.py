"""The course site as a reader meets it: built without running the lessons (`make site` runs them; this
suite must stay fast), served on 127.0.0.1, and read in Debian's Chromium through Playwright with every
request that leaves 127.0.0.1 blocked, as in tests/test_browser.py.

Every page reachable from the root page is opened: it loads with no console error and no failed request,
its formulas are typeset by the site's own MathJax, each of its links to the site leads to a page (and to
the section it names), its language switcher leads to the same page in the other language. The built
pages hold no solution and no hidden test. Screenshots go to runs/site-browser/.
"""

import functools
import html.parser
import http.server
import threading
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils

from autograde.editions import LANGUAGES
from autograde.lessons import find_lessons
from autograde.paths import REPO_ROOT, lesson_notebook
from course_site.build import build_site

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site-browser")]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "runs" / "site-browser"
COURSE = REPO_ROOT / "course"
LESSON = "03_dpo_derivation"  # the lesson screenshotted in each language
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: run `make setup` as root, or `apt-get install chromium fonts-noto-cjk`",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("site"), execute=False)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server(site):
    """The site served on 127.0.0.1; yields its root URL (ending in /)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=site))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright  # (imported here: only the browser tests need it)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        context.blocked = []  # what a page tried to load from outside 127.0.0.1
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(server)
                else (context.blocked.append(route.request.url), route.abort())
            ),
        )
        yield context
        chromium.close()


@pytest.fixture(scope="module")
def pages(browser, server) -> dict:
    """Every page reachable from the root page, each opened once: URL -> what the reader got."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    seen, queue = {}, [server]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen[url] = read_page(browser, url)
        queue += [link for link in seen[url]["links"] if link.endswith(".html") or link.endswith("/")]
    return seen


def read_page(browser, url: str) -> dict:
    page = browser.new_page()
    errors, failed = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if page.locator("mjx-container, .math").count():
        page.wait_for_function("() => window.MathJax?.startup?.promise", timeout=30_000)
        page.evaluate("() => window.MathJax.startup.promise")
    found = {
        "errors": errors,
        "failed": failed,
        "language": page.evaluate("() => document.documentElement.lang"),
        "math": page.locator("div.math, span.math").count(),
        "typeset": page.locator("mjx-container").count(),
        "ids": set(page.evaluate("() => Array.from(document.querySelectorAll('[id]'), e => e.id)")),
        "links": {
            href.split("#")[0]: None
            for href in page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
            if href.startswith(url.split("/")[0] + "//" + url.split("/")[2]) and href.split("#")[0]
        },
        "anchors": [
            href
            for href in page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
            if "#" in href and href.split("#")[1]
        ],
        "switcher": page.evaluate(
            "() => Array.from(document.querySelectorAll('.language-switcher a'), a => [a.hreflang, a.href])"
        ),
        "download": page.evaluate("() => Array.from(document.querySelectorAll('a.lesson-download'), a => a.href)"),
    }
    page.close()
    return found


def path_of(url: str, server: str) -> str:
    return urllib.parse.unquote(url.split("#")[0][len(server) :])


def test_every_page_of_both_languages_loads_without_errors_or_requests_outside(pages, browser, server):
    for language in LANGUAGES:
        assert f"{server}{language}/index.html" in pages, f"the root page links to the {language} site"
        lessons = [lesson.id for lesson in find_lessons(COURSE / language)]
        reached = {path_of(url, server) for url in pages}
        assert {f"{language}/{lesson}/{lesson}.html" for lesson in lessons} <= reached
    problems = {
        url: (page["errors"], page["failed"]) for url, page in pages.items() if page["errors"] or page["failed"]
    }
    assert not problems, problems
    assert not browser.blocked, f"pages loaded from outside 127.0.0.1: {sorted(set(browser.blocked))[:10]}"


def test_formulas_are_typeset_by_the_site_s_mathjax(pages, server):
    lessons = {url: page for url, page in pages.items() if "/0" in path_of(url, server) and url.endswith(".html")}
    assert len(lessons) == 2 * len(find_lessons(COURSE / "ja"))
    for url, page in pages.items():
        if page["math"]:
            assert page["typeset"] >= page["math"], f"{url}: {page['typeset']} of {page['math']} formulas typeset"
    assert all(page["typeset"] >= 10 for page in lessons.values()), {url: p["typeset"] for url, p in lessons.items()}


def test_every_link_within_the_site_resolves(pages, server):
    import urllib.request

    for url, page in pages.items():
        for link in page["links"]:
            if link not in pages:  # (a file, not a page: a student notebook, a stylesheet)
                with urllib.request.urlopen(link) as response:
                    assert response.status == 200, f"{url} links to {link}"
        for anchor in page["anchors"]:
            target, fragment = anchor.split("#", 1)
            target_page = pages.get(target or url) if target.startswith(server) else None
            if target_page is not None:
                assert urllib.parse.unquote(fragment) in target_page["ids"], f"{url} links to {anchor}"


def test_the_switcher_leads_to_the_same_page_in_the_other_language(pages, browser, server):
    checked = 0
    for url, page in pages.items():
        path = path_of(url, server)
        if not page["switcher"]:
            continue
        language, rest = path.split("/", 1)
        assert page["language"] == language, url
        for other, target in page["switcher"]:
            assert path_of(target, server) == f"{other}/{rest}", f"{url}: the {other} link goes to {target}"
            assert target in pages and pages[target]["language"] == other
            checked += 1
    assert checked >= 2 * 10, "every page of both sites has a switcher"
    # And as a reader does it: a click.
    page = browser.new_page()
    page.goto(f"{server}ja/{LESSON}/{LESSON}.html")
    page.screenshot(path=SCREENSHOTS / "lesson_ja.png")
    page.locator(".language-switcher a[hreflang=en]").click()
    page.wait_for_url(f"{server}en/{LESSON}/{LESSON}.html")
    page.screenshot(path=SCREENSHOTS / "lesson_en.png")
    for language in LANGUAGES:
        page.goto(f"{server}{language}/index.html")
        page.screenshot(path=SCREENSHOTS / f"landing_{language}.png")
    page.close()


def test_each_lesson_page_offers_the_edition_s_student_notebook(pages, server):
    import urllib.request

    for language in LANGUAGES:
        for lesson in find_lessons(COURSE / language):
            page = pages[f"{server}{language}/{lesson.id}/{lesson.id}.html"]
            assert len(page["download"]) == 1, page["download"]
            with urllib.request.urlopen(page["download"][0]) as response:
                assert response.read() == lesson_notebook(COURSE / language, lesson.id).read_bytes()


class TextOf(html.parser.HTMLParser):
    """The text of an HTML page, as its reader sees it (code included: highlighted tokens joined)."""

    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def test_no_page_holds_a_solution_or_a_hidden_test(site):
    texts = {}
    for page in site.glob("*/**/*.html"):
        parser = TextOf()
        parser.feed(page.read_text())
        texts[page] = "".join(parser.parts)
    assert sum(page.parent.name == page.stem for page in texts) == 2 * len(find_lessons(COURSE / "ja"))
    # What any student version shows is no secret (lesson 5's visible test imports what lesson 1's hidden one does).
    student = "\n".join(
        cell.source
        for lesson in find_lessons(COURSE / "ja")
        for cell in nbformat.read(lesson.source_notebook, as_version=4).cells
    )
    for lesson in find_lessons(REPO_ROOT / "solutions"):
        hidden = solution_only_lines(nbformat.read(lesson.source_notebook, as_version=4), student)
        assert hidden, f"{lesson.id}: its solutions have lines of their own"
        for page, text in texts.items():
            leaked = [line for line in hidden if line in text]
            if page.parent.name == page.stem:  # a lesson page (the developers' guide explains the markers)
                leaked += [marker for marker in MARKERS if marker in text]
            assert not leaked, f"{page} shows {lesson.id}'s solutions or hidden tests: {leaked[:3]}"


def solution_only_lines(source: nbformat.NotebookNode, student: str) -> list[str]:
    """The lines of a lesson's answers and hidden tests that its student version does not have, but for
    nbgrader's markers (looked for apart) and lines of a few characters (`return x` may be anywhere)."""
    lines = set()
    for cell in source.cells:
        if cell.cell_type == "code" and (utils.is_solution(cell) or utils.is_grade(cell)):
            lines |= {line.strip() for line in cell.source.splitlines() if len(line.strip()) >= 20}
    return sorted(line for line in lines if line not in student and not any(marker in line for marker in MARKERS))
