"""The Jupyter experience in a real browser: Debian's Chromium driven by Playwright for Python against
JupyterLab on 127.0.0.1, as a student and an instructor use it, with every request that leaves
127.0.0.1 blocked (an offline classroom).

A second JupyterLab serves the same folder under /user/alice/, as JupyterHub starts a student's, with no
course exchange set up. Screenshots go to runs/browser/ (SCREENSHOTS). Skipped, with one line, where no
Chromium is installed (`make setup` installs it when run as root).
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils
from nbgrader.api import Gradebook

from autograde.exchange import HOW_TO_SET_UP
from autograde.execute import OTHER_PATH_REFUSED
from autograde.jupyter.assignment_list import NO_EXCHANGE
from autograde.one_grading_path import REFUSED
from autograde.run_all import RAISES_TAG

# One JupyterLab and one browser serve every test here: with `pytest -n N --dist loadgroup` they stay on
# one worker (plain `-n N` may start a second pair on another worker, at about a minute's cost).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "runs" / "browser"
LESSON = "03_dpo_derivation"  # math, Japanese and three exercises, and it runs in seconds
TOY = ROOT / "tests" / "fixtures" / "toy"
FEEDBACK_PAGE = "files/toy_course/feedback/partial_1/toy/toy.html"  # (of the graded toy class)
TOKEN = "browser-test-token"
LOCAL = "http://127.0.0.1:"  # the JupyterLab servers of these tests; every other address is blocked
if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: run `make setup` as root, or `apt-get install chromium fonts-noto-cjk`",
        allow_module_level=True,
    )

# The code cells of the current notebook: [execution count, names of the errors in its outputs, tags].
CODE_CELLS = """() => {
  const model = window.jupyterapp.shell.currentWidget.content.model;
  return Array.from(model.cells).filter(cell => cell.type === 'code').map(cell => [
    cell.executionCount, cell.outputs.toJSON().filter(o => o.output_type === 'error').map(o => o.ename),
    cell.getMetadata('tags') || []]);
}"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """JupyterLab's root: an untouched lesson, the same lesson with its first exercise solved, and a
    graded sample class of the toy lesson (the formgrader's course directory)."""
    root = tmp_path_factory.mktemp("lab")
    untouched = nbformat.read(ROOT / "course" / "ja" / LESSON / f"{LESSON}.ipynb", as_version=4)
    (root / "student").mkdir()
    nbformat.write(untouched, root / "student" / f"{LESSON}.ipynb")
    (root / "student_en").mkdir()  # the English edition, as a student who picked it opens it
    shutil.copyfile(ROOT / "course" / "en" / LESSON / f"{LESSON}.ipynb", root / "student_en" / f"{LESSON}.ipynb")
    (root / "filled").mkdir()
    nbformat.write(first_exercise_solved(untouched), root / "filled" / f"{LESSON}.ipynb")
    sample = tmp_path_factory.mktemp("sample")
    autograde("sample-class", "--source", str(TOY), str(sample))
    autograde("grade", str(sample), "--source", str(TOY), "-o", str(root / "toy_course"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return root


def autograde(*arguments: str) -> None:
    run = subprocess.run([sys.executable, "-m", "autograde", *arguments], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr


def first_exercise_solved(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    solutions = nbformat.read(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb", as_version=4)
    answers = {cell.metadata.nbgrader.grade_id: cell.source for cell in solutions.cells if utils.is_solution(cell)}
    filled = nbformat.from_dict(notebook)
    first = next(cell for cell in filled.cells if utils.is_solution(cell))
    first.source = answers[first.metadata.nbgrader.grade_id]
    return filled


@pytest.fixture(scope="module")
def lab(workspace, tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a token; nbgrader's configuration is ours, with the toy class as
    the formgrader's course, and a course exchange with the toy lesson released. Yields the base URL."""
    config = nbgrader_config(workspace, tmp_path_factory.mktemp("config"))
    # The exchange for the Assignment List (tests/test_exchange.py checks the whole workflow); its
    # settings sit beside the config file above.
    settings = ["--settings", str(config / "nbgrader_config.json")]
    autograde("exchange", "init", "--root", str(config / "exchange"), "--course", "rlhf", *settings)
    autograde("exchange", "release", "toy", "--source", str(TOY), "--course-dir", str(config / "instructor"), *settings)
    with jupyterlab(workspace, config, "/") as base:
        yield base


@pytest.fixture(scope="module")
def hub_lab(workspace, tmp_path_factory):
    """A student's JupyterLab as JupyterHub starts it, under /user/alice/, on a machine where no course
    exchange is set up yet. Yields the base URL (ending in /user/alice)."""
    config = nbgrader_config(workspace, tmp_path_factory.mktemp("hub-config"))
    with jupyterlab(workspace, config, "/user/alice/") as base:
        yield base


def nbgrader_config(workspace: Path, config: Path) -> Path:
    """A Jupyter configuration folder: our nbgrader configuration with the toy class as the formgrader's
    course, and JupyterLab's user settings."""
    (config / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(ROOT / 'autograde' / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(workspace / 'toy_course')!r}\n"
        f"c.CourseDirectory.source_directory = {str(TOY)!r}\n"
        f"c.CourseDirectory.release_directory = {str(config / 'release')!r}\n"
        # The student's record of submissions, kept out of the real ~/.local/share/jupyter/nbgrader_cache.
        f"c.Exchange.cache = {str(config / 'nbgrader_cache')!r}\n"
    )
    # A user settings folder of its own, where JupyterLab does not ask whether to fetch its news.
    settings = config / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    return config


@contextlib.contextmanager
def jupyterlab(workspace: Path, config: Path, base_url: str):
    """JupyterLab serving `workspace` under `base_url`, with the Jupyter configuration in `config` (added
    to this environment's, which enables our server extensions). Yields the base URL, without its final /."""
    port = free_port()
    environment = {
        **os.environ,
        "JUPYTER_CONFIG_PATH": str(config),
        "JUPYTER_RUNTIME_DIR": str(config / "runtime"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.base_url={base_url}",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={workspace}",
        f"--LabApp.workspaces_dir={config / 'workspaces'}",
        f"--LabApp.user_settings_dir={config / 'settings'}",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    log = (config / "lab.log").open("w")
    # Started in its root, as a student starts Jupyter in their folder: the Assignment List fetches there.
    server = subprocess.Popen(
        argv, cwd=workspace, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}{base_url.rstrip('/')}"
    try:
        wait_for_server(base, server, config / "lab.log")
        yield base
    finally:
        server.terminate()  # the server shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        log.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, f"JupyterLab exited: {log.read_text()[-2000:]}"
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within 120 s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # (imported here: only this test needs it)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        context.blocked = []  # what a page tried to load from outside 127.0.0.1 (a CDN, say)
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(LOCAL)
                else (context.blocked.append(route.request.url), route.abort())
            ),
        )
        yield context
        chromium.close()


def open_notebook(browser, lab: str, path: str, ui: str = "lab"):
    """`path` in JupyterLab (ui "lab") or Notebook 7 ("notebooks"), once its kernel is ready."""
    page = browser.new_page()
    # reset: a fresh JupyterLab layout, with this notebook in front
    page.goto(f"{lab}/lab/tree/{path}?reset&token={TOKEN}" if ui == "lab" else f"{lab}/notebooks/{path}?token={TOKEN}")
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=120_000,
    )
    return page


def restart_and_run_all(page) -> list:
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }")
    page.get_by_role("button", name="Confirm Kernel Restart").click()
    page.wait_for_function(f"() => ({CODE_CELLS})().at(-1)[0] !== null", timeout=300_000)
    return page.evaluate(CODE_CELLS)


def show_cell(page, index: int) -> None:
    """Scroll cell `index` (of all cells) into the middle of the window."""
    page.evaluate(
        """async index => { const notebook = window.jupyterapp.shell.currentWidget.content;
        notebook.activeCellIndex = index;
        await notebook.scrollToItem(notebook.activeCellIndex, 'center'); }""",
        index,
    )
    page.wait_for_timeout(500)  # rendering after the scroll


EDITION_FOLDERS = {"ja": "student", "en": "student_en"}


@pytest.mark.parametrize("edition", EDITION_FOLDERS)
def test_a_lesson_opens_in_its_language_with_rendered_math(browser, lab, edition):
    page = open_notebook(browser, lab, f"{EDITION_FOLDERS[edition]}/{LESSON}.ipynb")
    notebook = nbformat.read(ROOT / "course" / edition / LESSON / f"{LESSON}.ipynb", as_version=4)
    title = notebook.cells[0].source.splitlines()[0]
    heading = page.locator(".jp-RenderedMarkdown h1").first
    assert heading.inner_text().strip().rstrip("¶") == title.lstrip("# ").strip()
    japanese = r"[\u3040-\u30ff\u4e00-\u9fff]"
    assert bool(re.search(japanese, title)) == (edition == "ja"), f"the {edition} edition's title: {title}"
    page.wait_for_selector(".jp-RenderedMarkdown mjx-container", timeout=60_000)
    markdown = " ".join(page.locator(".jp-RenderedMarkdown").all_inner_texts())
    assert page.locator(".jp-RenderedMarkdown mjx-container").count() >= 10, "MathJax rendered the formulas"
    assert not re.search(r"\$[^$\n]*\\[a-zA-Z]+", markdown), "no raw LaTeX left between dollars"
    japanese_fonts = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout
    assert japanese_fonts.strip(), "a Japanese font is installed (fonts-noto-cjk), or the text shows as boxes"
    if edition == "en":
        assert not re.search(japanese, markdown), "the English edition's prose holds no Japanese"
    page.screenshot(path=SCREENSHOTS / f"lesson_opened_{edition}.png")
    assert not browser.blocked, f"JupyterLab loaded from outside: {browser.blocked}"
    page.close()


@pytest.mark.parametrize(
    "ui, edition",
    [("lab", "ja"), ("notebooks", "ja"), ("lab", "en")],
    ids=["JupyterLab", "Notebook 7", "JupyterLab-en"],
)
def test_run_all_reaches_the_last_cell_of_an_untouched_lesson(browser, lab, ui, edition):
    page = open_notebook(browser, lab, f"{EDITION_FOLDERS[edition]}/{LESSON}.ipynb", ui)
    cells = restart_and_run_all(page)
    notebook = nbformat.read(ROOT / "course" / edition / LESSON / f"{LESSON}.ipynb", as_version=4)
    show_cell(page, next(index for index, cell in enumerate(notebook.cells) if utils.is_grade(cell)))
    page.screenshot(path=SCREENSHOTS / f"run_all_untouched_first_test_{ui}_{edition}.png")
    show_cell(page, max(index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"))
    page.screenshot(path=SCREENSHOTS / f"run_all_untouched_last_cell_{ui}_{edition}.png")
    assert all(count is not None for count, _, _ in cells), f"every code cell ran: {cells}"
    failed = [(errors, tags) for _, errors, tags in cells if errors]
    assert failed and all(RAISES_TAG in tags for _, tags in failed), f"only tagged cells failed: {failed}"
    page.close()


def test_a_solved_exercise_passes_its_visible_test_and_validate_reports_the_rest(browser, lab):
    page = open_notebook(browser, lab, f"filled/{LESSON}.ipynb")
    cells = restart_and_run_all(page)
    notebook = nbformat.read(ROOT / "course" / "ja" / LESSON / f"{LESSON}.ipynb", as_version=4)
    first_test = next(index for index, cell in enumerate(notebook.cells) if utils.is_grade(cell))
    code_index = [cell.cell_type for cell in notebook.cells[:first_test]].count("code")
    assert cells[code_index][1] == [], f"the solved exercise's test cell passes: {cells[code_index]}"
    assert any(errors for _, errors, _ in cells[code_index + 1 :]), "the unsolved exercises still fail"
    show_cell(page, first_test)
    page.screenshot(path=SCREENSHOTS / "run_all_first_exercise_solved.png")

    page.get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=300_000)
    report = dialog.inner_text()
    page.screenshot(path=SCREENSHOTS / "validate.png")
    assert "Validation Results" in report and "NotImplementedError" in report, report[:500]
    page.close()


# A cell that shows tqdm's progress bar, an ipywidget in Jupyter, for 8 s (lesson 6's demonstrations do
# the same for minutes), and the kernel the page talks to.
PROGRESS_CELL = "import time\nfrom tqdm.auto import tqdm\nfor _ in tqdm(range(8), desc='progress'):\n    time.sleep(1)"
KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"


@pytest.mark.parametrize("ui", ["lab", "notebooks"], ids=["JupyterLab", "Notebook 7"])
def test_the_kernel_status_stays_busy_while_a_cell_shows_a_progress_bar(browser, lab, workspace, ui):
    """With ipykernel 7 and JupyterLab 4.6 (Notebook 7 alike), a cell's first widget made the page ask the
    kernel for a subshell (for the widget's messages), and the kernel's busy/idle pair for that request
    set the status to "Idle" for the rest of the cell. The server setting that make setup installs
    (autograde/jupyter/jupyter_server_config.py) lists the subshell requests as untracked."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROGRESS_CELL)])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    (workspace / "status").mkdir(exist_ok=True)
    nbformat.write(notebook, workspace / "status" / f"progress_{ui}.ipynb")
    page = open_notebook(browser, lab, f"status/progress_{ui}.ipynb", ui)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(f"() => {KERNEL}.status === 'busy'", timeout=60_000)
    statuses = []
    for _ in range(20):  # 5 s: the subshell's idle came within a second of the widget
        statuses.append(page.evaluate(f"() => {KERNEL}.status"))
        page.wait_for_timeout(250)
    page.screenshot(path=SCREENSHOTS / f"status_during_progress_bar_{ui}.png")
    assert page.evaluate(f"() => ({CODE_CELLS})()[0][0]") is None, "the cell (8 s of sleep) still runs"
    assert page.locator(".widget-hprogress").count() == 1, "the progress bar is a widget"
    assert set(statuses) == {"busy"}, f"the status while the cell ran: {statuses}"
    page.close()


def test_the_formgrader_lists_the_graded_class_and_typesets_math(browser, lab, workspace):
    page = browser.new_page()
    page.goto(f"{lab}/lab?reset&token={TOKEN}")
    page.wait_for_function("() => window.jupyterapp?.commands.hasCommand('nbgrader:open-formgrader')", timeout=120_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('nbgrader:open-formgrader'); }")
    row = page.frame_locator("iframe").locator("tr", has=page.locator("a", has_text="toy")).first
    row.wait_for(timeout=60_000)
    page.screenshot(path=SCREENSHOTS / "formgrader.png")
    students = len(list((workspace / "toy_course" / "submitted").iterdir()))
    cells = [text.strip() for text in row.locator("td").all_inner_texts()]
    assert cells[0] == "toy" and str(students) in cells, f"the toy lesson with its {students} submissions: {cells}"
    page.close()
    # A submission's grading page: rendered by the formgrader, math typeset offline too.
    open_typeset_page(browser, f"{lab}/{grading_page(workspace)}", "formgrader_submission.png").close()


def test_the_autograde_button_on_a_graded_student_removes_nothing_and_says_why(browser, lab, workspace):
    """The formgrader's Autograde button on a student graded by `python -m autograde grade`: refused
    before nbgrader touches anything (autograde/one_grading_path.py), the reason first in the log the
    instructor reads; the row keeps its score and the autograded notebook stays."""
    course = workspace / "toy_course"
    autograded = course / "autograded" / "partial_1" / "toy" / "toy.ipynb"
    before = autograded.read_bytes()
    page = browser.new_page()
    page.set_extra_http_headers({"Authorization": f"token {TOKEN}"})  # (the page's own API calls too)
    page.goto(f"{lab}/formgrader/manage_submissions/toy?token={TOKEN}")
    row = page.locator("#main-table tr", has=page.locator("td.student-id", has_text="partial_1"))
    assert row.locator("td.score").inner_text(timeout=60_000).strip() == "2 / 6"
    row.locator("td.autograde a").click()
    modal = page.locator("#error-modal")
    modal.wait_for(timeout=120_000)
    page.wait_for_timeout(500)  # the modal's fade-in
    page.screenshot(path=SCREENSHOTS / "formgrader_autograde_refused.png")
    log = modal.locator(".panel-warning pre").inner_text()
    assert log.splitlines()[:2] == [f"[ERROR] {REFUSED}", f"[ERROR] {OTHER_PATH_REFUSED}"], log[:500]
    assert "Removing" not in log
    modal.locator("button.close").first.click()
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('#main-table tr')).some(row =>
        row.querySelector('td.student-id')?.innerText.trim() === 'partial_1' &&
        row.querySelector('td.score')?.innerText.trim() === '2 / 6')""",
        timeout=30_000,
    )
    assert row.locator("td.status").inner_text().strip() == "graded"
    assert autograded.read_bytes() == before
    page.close()


def test_a_feedback_page_shows_rendered_math_offline(browser, lab):
    page = open_typeset_page(browser, f"{lab}/{FEEDBACK_PAGE}", "feedback.png")
    assert "\\log" not in page.locator("body").inner_text(), "no raw LaTeX left"
    page.close()


def grading_page(workspace: Path) -> str:
    """The formgrader's grading page of one submission of the toy class."""
    with Gradebook(f"sqlite:///{workspace / 'toy_course' / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook("toy", "toy", "partial_1").id
    return f"formgrader/submissions/{submission}/"


def open_typeset_page(browser, url: str, screenshot: str):
    """`url` opened, once MathJax has typeset it; checks that both formulas of the toy lesson are and
    that nothing was loaded from outside 127.0.0.1. Returns the page."""
    page = browser.new_page()
    page.goto(f"{url}?token={TOKEN}")
    page.wait_for_selector(".MathJax", timeout=60_000)
    page.wait_for_timeout(500)  # the last formulas
    page.screenshot(path=SCREENSHOTS / screenshot, full_page=True)
    assert page.locator(".MathJax").count() >= 2, "both formulas of the toy lesson are typeset"
    assert not browser.blocked, f"the page loaded from outside: {browser.blocked}"
    return page


def test_the_assignment_list_fetches_and_submits_a_released_lesson(browser, lab, workspace):
    page = browser.new_page()
    page.goto(f"{lab}/lab?reset&token={TOKEN}")
    page.wait_for_function(
        "() => window.jupyterapp?.commands.hasCommand('nbgrader:open-assignment-list')", timeout=120_000
    )
    page.evaluate("() => { window.jupyterapp.commands.execute('nbgrader:open-assignment-list'); }")
    released = page.locator("#released_assignments_list .list_item", has_text="toy")
    released.get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list .list_item", has_text="toy").first
    fetched.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list .list_item", has_text="toy").first.wait_for(timeout=60_000)
    page.screenshot(path=SCREENSHOTS / "assignment_list.png")
    assert (workspace / "toy" / "toy.ipynb").is_file(), "fetched into the student's Jupyter folder"
    page.close()


@pytest.mark.parametrize("which", ["feedback", "grading"])
def test_math_is_typeset_offline_under_a_jupyterhub_user_url(browser, hub_lab, workspace, which):
    path = FEEDBACK_PAGE if which == "feedback" else grading_page(workspace)
    page = open_typeset_page(browser, f"{hub_lab}/{path}", f"hub_{which}.png")
    scripts = page.evaluate("() => Array.from(document.scripts, script => script.src)")
    assert f"{hub_lab}/static/jupyter_server_mathjax/MathJax.js" in {src.split("?")[0] for src in scripts}, scripts
    page.close()


def test_with_no_exchange_the_assignment_list_says_how_to_set_one_up(browser, hub_lab):
    page = browser.new_page()
    page.goto(f"{hub_lab}/lab?reset&token={TOKEN}")
    page.wait_for_function(
        "() => window.jupyterapp?.commands.hasCommand('nbgrader:open-assignment-list')", timeout=120_000
    )
    page.evaluate("() => { window.jupyterapp.commands.execute('nbgrader:open-assignment-list'); }")
    explanation = page.locator("#released_assignments_list_error")
    explanation.wait_for(timeout=60_000)
    page.screenshot(path=SCREENSHOTS / "assignment_list_no_exchange.png")
    assert page.locator("#course_list_default").inner_text().strip() == NO_EXCHANGE, (
        "the course menu says that no exchange is set up (needs our server extension: run `make setup`)"
    )
    assert explanation.inner_text().strip() == HOW_TO_SET_UP
    shown = page.locator("#nbgrader-assignment-list").inner_text()
    assert "Error" not in shown and "Traceback" not in shown, shown
    page.close()
