"""Grading load: a synthetic class graded with `autograde.class_grading.grade_class`, as `grade` does.

For each lesson, `--students` submissions are made from the sample class of autograde/sample_class.py
(student i gets variant i mod k of: full, blank, partial_1, ...; their scores are known), graded with
the sandbox and limits of a real run, and the figures reported:
notebooks per minute (wall clock of the whole `grade`: release, autograde, feedback, export), seconds
per notebook, peak memory of the whole process tree (RSS summed over this process and everything it
started, sampled from /proc every 0.2 s), the largest peak of one submission (from its control group,
where there are control groups), and whether every score came out as expected.

    python bench/grading_load.py --students 100 --jobs 2                       # every lesson: ~70 min on 2 cores
    python bench/grading_load.py --source tests/fixtures/toy --students 40     # the toy lesson: minutes
    python bench/grading_load.py --lessons 03_dpo_derivation --students 4 --json load.json
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograde.class_grading import grade_class  # noqa: E402
from autograde.lessons import select_lessons  # noqa: E402
from autograde.limits import Limits  # noqa: E402
from autograde.paths import lesson_notebook  # noqa: E402
from autograde.sample_class import build_sample_class  # noqa: E402
from autograde.sandbox import choose_sandbox  # noqa: E402


def make_class(source: Path, lessons: list[str], students: int, out: Path) -> dict[tuple[str, str], float]:
    """OUT/<student>/<lesson>/<lesson>.ipynb for `students` students per lesson; their expected scores."""
    with tempfile.TemporaryDirectory(prefix="grading-load-sample-") as sample:
        variants: dict[str, list] = {}
        for submission in build_sample_class(source, Path(sample)):
            variants.setdefault(submission.lesson, []).append(submission)
        expected = {}
        for lesson in lessons:
            for index in range(students):
                variant = variants[lesson][index % len(variants[lesson])]
                student = f"s{index:03d}_{variant.student}"
                target = lesson_notebook(out / student, lesson)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--source", type=Path, default=ROOT / "solutions", help="source notebooks (default: solutions/)"
    )
    parser.add_argument("--lessons", nargs="*", default=[], help="lesson ids (default: all of --source)")
    parser.add_argument("--students", type=int, default=100, help="submissions per lesson (default 100)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (default 2)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=Limits.notebook_timeout,
        help=f"time limit of one notebook (default {Limits.notebook_timeout:g})",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    arguments = parser.parse_args(argv)
    lessons = [lesson.id for lesson in select_lessons(arguments.source, arguments.lessons)]
    with tempfile.TemporaryDirectory(prefix="grading-load-") as scratch:
        submissions, out = Path(scratch) / "submissions", Path(scratch) / "out"
        expected = make_class(arguments.source, lessons, arguments.students, submissions)
        start = time.monotonic()
        with TreeMemory() as memory:
            results = grade_class(
                submissions,
                out,
                arguments.source,
                arguments.jobs,
                on_result=lambda result: None,
                limits=Limits(notebook_timeout=arguments.timeout),
            )
        wall = time.monotonic() - start
    wrong = sorted(
        f"{r.student}/{r.lesson}: {r.score:g} (expected {expected[(r.student, r.lesson)]:g})"
        for r in results
        if r.score != expected[(r.student, r.lesson)]
    )
    per_lesson = {lesson: sorted(r.seconds for r in results if r.lesson == lesson) for lesson in lessons}
    figures = {
        "lessons": lessons,
        "students_per_lesson": arguments.students,
        "notebooks": len(results),
        "jobs": arguments.jobs,
        "cpus": os.cpu_count(),
        "sandbox": choose_sandbox().mechanism,
        "wall_seconds": round(wall, 1),
        "notebooks_per_minute": round(len(results) / wall * 60, 2),
        "median_seconds_per_notebook": {
            lesson: round(times[len(times) // 2], 1) for lesson, times in per_lesson.items()
        },
        "peak_rss_mb": round(memory.peak / 2**20),
        # One submission's whole tree, as its control group counted it (page cache included); null
        # where control groups cannot be made.
        "largest_submission_peak_mb": {
            lesson: max(
                (round(r.peak_memory_mb) for r in results if r.lesson == lesson and r.peak_memory_mb is not None),
                default=None,
            )
            for lesson in lessons
        },
        "wrong_scores": wrong,
    }
    print(json.dumps(figures, indent=2))
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
