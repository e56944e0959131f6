"""Grading load: a synthetic class graded by `python -m autograde grade`, one `grade` per lesson.

For each lesson, `--students` submissions are made from the sample class of autograde/sample_class.py
(student i gets variant i mod k of: full, blank, partial_1, ...; their scores are known), graded with
the sandbox and limits of a real run, at each `--jobs` value, and the figures reported: CPU seconds per
submission of each lesson (of every process the lesson's `grade` started: release, autograde, feedback
and export, the class-wide steps shared out over its students), the class's wall-clock and CPU seconds
(the lessons' `grade`s one after another), median seconds per notebook, peak memory of the whole process
tree (RSS summed over everything this process started, sampled from /proc every 0.2 s), the largest
peak of one submission (from its control group, where there are control groups), and whether every
score came out as expected. `--compare REV` grades the same class with the grader of git revision REV
too, the two graders taking turns, and reports each figure's ratio (this checkout / REV): on a shared
machine the ratio holds where the seconds do not.

    python bench/grading_load.py --students 100 --jobs 2                       # every lesson: ~70 min on 2 cores
    python bench/grading_load.py --source tests/fixtures/toy --students 40     # the toy lesson: minutes
    python bench/grading_load.py --students 2 --jobs 1 2 --compare main --json load.json
"""

import argparse
import contextlib
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograde.lessons import select_lessons  # noqa: E402
from autograde.paths import lesson_notebook  # noqa: E402
from autograde.sample_class import build_sample_class  # noqa: E402
from autograde.sandbox import choose_sandbox  # noqa: E402


def make_class(source: Path, lessons: list[str], students: int, out: Path) -> dict[tuple[str, str], float]:
    """OUT/<lesson>/<student>/<lesson>/<lesson>.ipynb (a class per lesson) for `students` students per lesson;
    their expected scores."""
    with tempfile.TemporaryDirectory(prefix="grading-load-sample-") as sample:
        variants: dict[str, list] = {}
        for submission in build_sample_class(source, Path(sample)):
            variants.setdefault(submission.lesson, []).append(submission)
        expected = {}
        for lesson in lessons:
            for index in range(students):
                variant = variants[lesson][index % len(variants[lesson])]
                student = f"s{index:03d}_{variant.student}"
                target = lesson_notebook(out / lesson / student, lesson)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(lesson_notebook(Path(sample) / variant.student, lesson), target)
                expected[(student, lesson)] = variant.expected_score
    return expected


class TreeMemory:
    """Peak RSS of this process and all its descendants (including sandboxed ones), from /proc."""

    def __init__(self, interval: float = 0.2):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.peak = max(self.peak, self.current())

    @staticmethod
    def current() -> int:
        parents, rss = {}, {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/status") as file:
                    fields = dict(line.split(":", 1) for line in file if ":" in line)
            except OSError:
                continue
            pid = int(entry.name)
            parents[pid] = int(fields.get("PPid", "0"))
            rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
        tree, total = {os.getpid()}, 0
        grown = True
        while grown:
            grown = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grown = True
        for pid in tree:
            total += rss.get(pid, 0)
        return total


def grade(tree: Path, submissions: Path, out: Path, source: Path, jobs: int, timeout: float) -> dict:
    """`python -m autograde grade` with the grader of `tree` (this checkout, or another revision's): its
    wall-clock seconds, the CPU seconds of every process it started, and summary.csv's rows."""
    command = [sys.executable, "-m", "autograde", "grade", str(submissions), "-o", str(out), "--source", str(source)]
    command += ["--jobs", str(jobs), "--timeout", str(timeout)]
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True, env=environment)
    wall, after = time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"grading with {tree} failed: {done.stderr.strip()[-2000:]}")
    with (out / "summary.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"wall": wall, "cpu": cpu, "rows": rows}


@contextlib.contextmanager
def revision_tree(revision: str):
    """This repository at `revision`, checked out in a temporary worktree."""
    with tempfile.TemporaryDirectory(prefix="grading-load-baseline-") as folder:
        tree = Path(folder) / "tree"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "--quiet", "--detach", str(tree), revision], check=True)
        try:
            yield tree
        finally:
            subprocess.run([*git, "remove", "--force", str(tree)], check=True)


def figures_of(runs: dict, peak: int, expected: dict, lessons: list[str], jobs_list: list[int]) -> dict:
    """One grader's figures from its runs[(jobs, lesson)]."""
    first = {lesson: runs[(jobs_list[0], lesson)] for lesson in lessons}
    rows = [row for run in runs.values() for row in run["rows"]]
    return {
        "cpu_seconds_per_submission": {
            lesson: round(run["cpu"] / max(len(run["rows"]), 1), 1) for lesson, run in first.items()
        },
        "class_wall_seconds": {
            f"jobs {jobs}": round(sum(runs[(jobs, lesson)]["wall"] for lesson in lessons), 1) for jobs in jobs_list
        },
        "class_cpu_seconds": {
            f"jobs {jobs}": round(sum(runs[(jobs, lesson)]["cpu"] for lesson in lessons), 1) for jobs in jobs_list
        },
        "median_seconds_per_notebook": {
            lesson: round(statistics.median(float(row["seconds"]) for row in run["rows"]), 1)
            for lesson, run in first.items()
        },
        "peak_rss_mb": round(peak / 2**20),
        # One submission's whole tree, as its control group counted it (page cache included); null
        # where control groups cannot be made.
        "largest_submission_peak_mb": {
            lesson: max(
                (round(float(row["peak_memory_mb"])) for row in run["rows"] if row["peak_memory_mb"]), default=None
            )
            for lesson, run in first.items()
        },
        "wrong_scores": sorted(
            f"{row['student_id']}/{row['lesson']}: {row['score']} (expected {expected[key]:g})"
            for row in rows
            if float(row["score"]) != expected[key := (row["student_id"], row["lesson"])]
        ),
    }


def ratios(after: dict, before: dict) -> dict:
    """after / before for every number of the figures, nested as they are."""
    if isinstance(after, dict):
        return {key: ratios(after[key], before[key]) for key in after if key in before and key != "wrong_scores"}
    return round(after / before, 2) if isinstance(after, (int, float)) and before else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--source", type=Path, default=ROOT / "solutions", help="source notebooks (default: solutions/)"
    )
    parser.add_argument("--lessons", nargs="*", default=[], help="lesson ids (default: all of --source)")
    parser.add_argument("--students", type=int, default=100, help="submissions per lesson (default 100)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[2], help="notebooks graded at once (default 2)")
    parser.add_argument("--timeout", type=float, default=1200, help="time limit of one notebook (default 1200)")
    parser.add_argument("--compare", metavar="REV", help="also grade with the grader of this git revision")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    arguments = parser.parse_args(argv)
    source = arguments.source.resolve()
    lessons = [lesson.id for lesson in select_lessons(source, arguments.lessons)]
    with contextlib.ExitStack() as stack:
        trees = {"this checkout": ROOT}
        if arguments.compare:
            trees[arguments.compare] = stack.enter_context(revision_tree(arguments.compare))
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grading-load-")))
        expected = make_class(source, lessons, arguments.students, scratch / "submissions")
        runs, peaks = {name: {} for name in trees}, dict.fromkeys(trees, 0)
        for jobs in arguments.jobs:
            for lesson in lessons:
                for name, tree in trees.items():  # (the graders take turns)
                    out = scratch / "out" / f"{len(runs[name])}-{name.replace(' ', '_')}"
                    with TreeMemory() as memory:
                        runs[name][(jobs, lesson)] = grade(
                            tree, scratch / "submissions" / lesson, out, source, jobs, arguments.timeout
                        )
                    peaks[name] = max(peaks[name], memory.peak)
    figures = {
        "lessons": lessons,
        "students_per_lesson": arguments.students,
        "cpus": os.cpu_count(),
        "sandbox": choose_sandbox().mechanism,
        **{name: figures_of(runs[name], peaks[name], expected, lessons, arguments.jobs) for name in trees},
    }
    if arguments.compare:
        figures[f"ratio this checkout / {arguments.compare}"] = ratios(
            figures["this checkout"], figures[arguments.compare]
        )
    print(json.dumps(figures, indent=2))
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if any(figures[name]["wrong_scores"] for name in trees) else 0


if __name__ == "__main__":
    raise SystemExit(main())
