"""nbgrader's Execute preprocessor with limits that a submission cannot talk its way past.

Configured in nbgrader_config.py in place of nbgrader's Execute. It runs in the nbgrader process,
outside the student's kernel, only when `python -m autograde` started that process and named the
file of its `Limits` in AUTOGRADE_LIMITS (it refuses otherwise, so that the formgrader's Autograde
button cannot grade by other rules), and differs from
nbgrader's in what happens when a cell misbehaves:

- Time limits count the CPU time that the kernel's processes used, so that a busy machine does not
  change a grade: a cell is stopped once it has run for its limit AND its processes have used that
  much CPU time (or, for a cell that waits instead of computing, once it has run `wall_factor` times
  its limit). The limit never stops a cell earlier than the same wall-clock limit would.
- A cell stopped at its limit is interrupted (as nbgrader does); if it has not stopped
  `interrupt_grace` seconds later (code that ignores SIGINT), its kernel is killed. Either way the
  cell's first error says which limit stopped it.
- A kernel that dies (os._exit, a segfault, the memory limit) or is killed does not discard the
  notebook: the cell gets an error saying so, the cells after it are marked as not run, and what ran
  before keeps its result. (nbgrader would throw the whole notebook away.)
- A notebook has a time budget too (`notebook_timeout`, counted the same way): when it is spent, the
  running cell's kernel is killed and the remaining cells are not run.
- A cell keeps at most `output_kb` of output (an output bomb is cut off here, before it
  fills the nbgrader process's memory, and interrupted); the check records of autograde/checks.py
  are kept.
- A test cell's printed value is dropped: it would count as nbgrader's partial credit.
- The cells after the last graded, answer or task cell (the lesson's closing demonstrations: model
  training, plots) are not run unless `run_ungraded_tail` is set: nothing after that cell can change a
  score, and in the lessons it is most of the running time. Which cells those are follows from the
  nbgrader metadata, which autograde/submission.py has rebuilt from the source.
"""

import asyncio
import contextlib
import os
import signal
from queue import Empty
from time import monotonic

from nbclient.exceptions import CellControlSignal, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute

from autograde.checks import RECORD_MIME
from autograde.kit_exercises import KIT_FUNCTIONS
from autograde.kit_watch import arm_line
from autograde.limits import LIMITS_VARIABLE, Limits

# Error names the grader writes into a cell; autograde/verdict.py reads them back.
STOP_ERRORS = ("CellTimeoutError", "DeadKernelError", "NotebookTimeoutError", "NotRun")
LIMIT_ERROR = "CellTimeLimit"  # the first error of a cell that was interrupted at its limit and stopped
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# One grading path: plain nbgrader autograde (the formgrader's button, the command line) would run
# submissions with no sandbox, no rebuild of the locked cells and nbgrader's own scores.
OTHER_PATH_REFUSED = (
    "this course grades only through `python -m autograde grade SUBMISSIONS -o OUT` "
    "(sandbox, locked cells rebuilt from the source, scores decided outside the kernel); "
    "nbgrader's own autograde, e.g. the formgrader's Autograde button, is turned off. "
    "See docs/instructor-guide.md, section Formgrader"
)


def last_marked_cell(nb: NotebookNode) -> int | None:
    """The index of the last graded, answer or task cell (None if there is none): nothing after it can
    change a score. (nbgrader's Validate stops there too: autograde/jupyter/validate.py.)"""
    marked = [
        index
        for index, cell in enumerate(nb.cells)
        if utils.is_grade(cell) or utils.is_solution(cell) or utils.is_task(cell)
    ]
    return marked[-1] if marked else None


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


@contextlib.contextmanager
def kit_watched(cell: NotebookNode):
    """An exercise's graded test cell runs with the grader's watch of the course kit as its first line
    (autograde/kit_watch.py, autograde/kit_exercises.py); the executed notebook keeps the source's text."""
    functions = KIT_FUNCTIONS.get(cell.metadata.get("nbgrader", {}).get("grade_id")) if utils.is_grade(cell) else None
    if not functions:
        yield
        return
    source = cell.source
    cell.source = f"{arm_line(functions)}\n{source}"
    try:
        yield
    finally:
        cell.source = source


class GuardedExecute(Execute):
    """Its limits come from the file that autograde/environment.py names in AUTOGRADE_LIMITS (`Limits`)."""

    max_records = 1000  # check records kept per cell

    def preprocess(self, nb, resources=None, km=None):
        if LIMITS_VARIABLE not in os.environ:
            raise RuntimeError(OTHER_PATH_REFUSED)
        self.limits = Limits.read(os.environ[LIMITS_VARIABLE])
        self.timeout = max(1, round(self.limits.cell_timeout))  # (nbclient's first look at a cell)
        self._stopped: str | None = None  # why the remaining cells are not run
        last = last_marked_cell(nb)
        self._last_marked = len(nb.cells) if self.limits.run_ungraded_tail or last is None else last
        self._notebook_start: tuple[float, float] | None = None  # (wall, CPU) when the kernel was there
        return super().preprocess(nb, resources, km)

    def _cpu_seconds(self) -> float:
        """CPU time used so far by the kernel and the processes of its process group (children that
        ended count through the kernel's cutime/cstime), from /proc (the sandbox's own)."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is None:
            return 0.0
        try:
            group = os.getpgid(process.pid)
        except ProcessLookupError:
            return 0.0
        ticks = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as file:
                    fields = file.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # (gone meanwhile)
            if int(fields[2]) == group:  # fields from the state on: state ppid pgrp ... utime(11) ...
                ticks += sum(int(value) for value in fields[11:15])
        return ticks / CLOCK_TICKS

    def _spent(self, start: tuple[float, float], limit: float) -> str | None:
        """Why the time since `start` (wall, CPU) is past `limit`, or None."""
        wall, cpu = monotonic() - start[0], self._cpu_seconds() - start[1]
        if wall < limit:
            return None
        if cpu >= limit:
            return f"used {cpu:.0f} s of CPU time (limit {limit:g} s)"
        if wall >= self.limits.wall_factor * limit:
            return (
                f"ran {wall:.0f} s without using its {limit:g} s of CPU time "
                f"(limit {self.limits.wall_factor * limit:g} s)"
            )
        return None

    def _notebook_spent(self) -> str | None:
        if self.limits.notebook_timeout <= 0 or self._notebook_start is None:
            return None
        return self._spent(self._notebook_start, self.limits.notebook_timeout)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if index > self._last_marked:
            cell.outputs = [
                NotebookNode(
                    output_type="stream",
                    name="stdout",
                    text="[not run by the grader: no graded cell comes after this one]\n",
                )
            ]
            cell.execution_count = None
            return cell, resources
        if self._notebook_start is None:
            self._notebook_start = (monotonic(), self._cpu_seconds())
        if self._stopped is None and (spent := self._notebook_spent()):
            self._stopped = f"not run: the notebook {spent}"
        if self._stopped is not None:
            cell.outputs = [error_output("NotRun", self._stopped)]
            cell.execution_count = None
            return cell, resources
        self._output_bytes, self._records, self._truncated = 0, 0, False
        self._cell_start, self._limit_note = (monotonic(), self._cpu_seconds()), None
        with kit_watched(cell):
            return self._run_cell(cell, resources, index)

    def _run_cell(self, cell, resources, index):
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if self._limit_note:  # interrupted at its limit, and it stopped: say so before its KeyboardInterrupt
                first_error = next(
                    (i for i, out in enumerate(cell.outputs) if out.output_type == "error"), len(cell.outputs)
                )
                cell.outputs.insert(first_error, error_output(LIMIT_ERROR, self._limit_note))
            if utils.is_grade(cell):
                # A test cell's printed value would be nbgrader's partial credit (and one above the
                # cell's points crashes nbgrader): the course grades on errors and checks only.
                cell.outputs = [output for output in cell.outputs if output.output_type != "execute_result"]
            return cell, resources
        except (DeadKernelError, CellTimeoutError, CellControlSignal):
            if self._stopped is None:  # it died by itself (os._exit, a signal, the memory limit)
                self._kill_kernel()
                self._stopped = "not run: the kernel died in an earlier cell"
                self._stop_error = error_output(
                    "DeadKernelError", "the kernel died while this cell ran; the cells after it were not run"
                )
            cell.outputs.append(self._stop_error)
            return cell, self.resources

    def _get_timeout(self, cell):
        """Wall-clock seconds until the limits are first looked at (see _async_handle_timeout)."""
        timeout = self._cell_limit = super()._get_timeout(cell)
        if self.limits.notebook_timeout <= 0 or self._notebook_start is None:
            return timeout
        left = max(1, int(self._notebook_start[0] + self.limits.notebook_timeout - monotonic()) + 1)
        return left if timeout is None else min(timeout, left)

    async def _async_handle_timeout(self, timeout, cell=None):
        """Called when a cell has not answered within `timeout` wall-clock seconds. Until its CPU time
        (or the notebook's) is spent too, keep waiting for its reply; then interrupt it and give it
        `interrupt_grace` seconds, or at once kill the kernel when the notebook's time is up."""
        while True:
            notebook_spent = self._notebook_spent()
            cell_spent = self._spent(self._cell_start, self._cell_limit) if self._cell_limit else None
            if notebook_spent or cell_spent:
                break
            try:
                message = await ensure_async(self.kc.shell_channel.get_msg(timeout=1.0))
            except Empty:
                continue
            if message["msg_type"] == "execute_reply":
                return message  # it finished within its CPU time
        if not notebook_spent:
            self.log.error("cell %s: interrupting the kernel", cell_spent)
            self._limit_note = f"the grader interrupted this cell: it {cell_spent}"
            await ensure_async(self.km.interrupt_kernel())
            end = monotonic() + self.limits.interrupt_grace
            while (left := end - monotonic()) > 0:
                try:
                    message = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
                except Empty:
                    break
                if message["msg_type"] == "execute_reply":
                    return message  # it stopped: a KeyboardInterrupt error, and the next cells run
        self._kill_kernel()
        if notebook_spent:
            ename, why = "NotebookTimeoutError", f"the notebook {notebook_spent}"
        else:
            ename, why = (
                "CellTimeoutError",
                f"the cell {cell_spent} and did not stop when interrupted; its kernel was killed",
            )
        self._stopped = f"not run: {why}"
        self._stop_error = error_output(ename, f"{why}; the cells after it were not run")
        raise DeadKernelError(why)

    def _kill_kernel(self) -> None:
        """SIGKILL the kernel's process group (what it started goes too; the sandbox's pid namespace
        catches anything that left the group when nbgrader ends)."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is None:
            return
        try:
            os.killpg(os.getpgid(process.pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        data = content.get("data") if isinstance(content.get("data"), dict) else {}
        size = len(str(content.get("text", ""))) + sum(len(str(value)) for value in data.values())
        self._output_bytes += size
        record = RECORD_MIME in data and size < 65536
        if record:
            self._records += 1
            if self._records <= self.max_records:
                return super().output(outs, msg, display_id, cell_index)
        limit = self.limits.output_kb * 1024
        if self._output_bytes > limit or record:
            if not self._truncated:
                self._truncated = True
                outs.append(
                    NotebookNode(
                        output_type="stream",
                        name="stdout",
                        text=f"\n[output cut off by the grader after {limit} bytes]\n",
                    )
                )
            if not record and self._limit_note is None:
                # Interrupted at once: output that keeps coming piles up in the kernel faster than it is
                # read here (an output bomb ran its kernel out of memory on a busy machine).
                self._limit_note = f"the grader interrupted this cell: its output passed {limit} bytes"
                asyncio.ensure_future(ensure_async(self.km.interrupt_kernel()))
            return None
        return super().output(outs, msg, display_id, cell_index)
