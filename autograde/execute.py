"""nbgrader's Execute preprocessor with limits that a submission cannot talk its way past.

Configured in nbgrader_config.py in place of nbgrader's Execute. It runs in the nbgrader process,
outside the student's kernel, and differs from nbgrader's in what happens when a cell misbehaves:

- A cell that runs past its time limit is interrupted (as nbgrader does); if it has not stopped
  `interrupt_grace` seconds later (code that ignores SIGINT), its kernel is killed.
- A kernel that dies (os._exit, a segfault, the memory limit) or is killed does not discard the
  notebook: the cell gets an error saying so, the cells after it are marked as not run, and what ran
  before keeps its result. (nbgrader would throw the whole notebook away.)
- A notebook has a time budget too (`notebook_timeout`): when it is spent, the running cell's kernel
  is killed and the remaining cells are not run.
- A cell keeps at most `max_output_bytes` of output (an output bomb is cut off here, before it
  fills the nbgrader process's memory); the check records of autograde/checks.py are kept.
- A test cell's printed value is dropped: it would count as nbgrader's partial credit.
- The cells after the last graded, answer or task cell (the lesson's closing demonstrations: model
  training, plots) are not run unless `run_ungraded_tail` is set: nothing after that cell can change a
  score, and in the lessons it is most of the running time. Which cells those are follows from the
  nbgrader metadata, which autograde/submission.py has rebuilt from the source.
"""

import os
import signal
from queue import Empty
from time import monotonic

from nbclient.exceptions import CellControlSignal, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer

from autograde.checks import RECORD_MIME

# Error names the grader writes into a cell; autograde/verdict.py reads them back.
STOP_ERRORS = ("CellTimeoutError", "DeadKernelError", "NotebookTimeoutError", "NotRun")


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    interrupt_grace = Float(5.0, help="Seconds an interrupted cell has to stop before its kernel is killed").tag(config=True)
    notebook_timeout = Float(0.0, help="Seconds for the whole notebook (0: no limit)").tag(config=True)
    max_output_bytes = Integer(2 * 1024 * 1024, help="Output kept per cell").tag(config=True)
    max_records = Integer(1000, help="Check records kept per cell").tag(config=True)
    run_ungraded_tail = Bool(False, help="Also run the cells after the last graded, answer or task cell"
                             ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._stopped: str | None = None  # why the remaining cells are not run
        marked = [index for index, cell in enumerate(nb.cells)
                  if utils.is_grade(cell) or utils.is_solution(cell) or utils.is_task(cell)]
        self._last_marked = len(nb.cells) if self.run_ungraded_tail or not marked else marked[-1]
        self._deadline = monotonic() + self.notebook_timeout if self.notebook_timeout > 0 else None
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if index > self._last_marked:
            cell.outputs = [NotebookNode(output_type="stream", name="stdout",
                                         text="[not run by the grader: no graded cell comes after this one]\n")]
            cell.execution_count = None
            return cell, resources
        if self._stopped is None and self._deadline is not None and monotonic() >= self._deadline:
            self._stopped = f"not run: the notebook used up its {self.notebook_timeout:g} s"
        if self._stopped is not None:
            cell.outputs = [error_output("NotRun", self._stopped)]
            cell.execution_count = None
            return cell, resources
        self._output_bytes, self._records, self._truncated = 0, 0, False
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if utils.is_grade(cell):
                # A test cell's printed value would be nbgrader's partial credit (and one above the
                # cell's points crashes nbgrader): the course grades on errors and checks only.
                cell.outputs = [output for output in cell.outputs if output.output_type != "execute_result"]
            return cell, resources
        except (DeadKernelError, CellTimeoutError, CellControlSignal):
            if self._stopped is None:  # it died by itself (os._exit, a signal, the memory limit)
                self._kill_kernel()
                self._stopped = "not run: the kernel died in an earlier cell"
                self._stop_error = error_output("DeadKernelError", "the kernel died while this cell ran; "
                                                                   "the cells after it were not run")
            cell.outputs.append(self._stop_error)
            return cell, self.resources

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if self._deadline is None:
            return timeout
        left = max(1, int(self._deadline - monotonic()) + 1)
        return left if timeout is None else min(timeout, left)

    async def _async_handle_timeout(self, timeout, cell=None):
        """Called when a cell has not answered within its time: interrupt it and give it
        `interrupt_grace` seconds; then (or at once when the notebook's time is up) kill the kernel."""
        notebook_time_up = self._deadline is not None and monotonic() >= self._deadline - 1
        if not notebook_time_up:
            self.log.error("cell ran past %s s: interrupting the kernel", timeout)
            await ensure_async(self.km.interrupt_kernel())
            end = monotonic() + self.interrupt_grace
            while (left := end - monotonic()) > 0:
                try:
                    message = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
                except Empty:
                    break
                if message["msg_type"] == "execute_reply":
                    return message  # it stopped: a KeyboardInterrupt error, and the next cells run
        self._kill_kernel()
        if notebook_time_up:
            ename, why = "NotebookTimeoutError", f"the notebook ran past its {self.notebook_timeout:g} s"
        else:
            ename, why = "CellTimeoutError", (f"the cell ran past {timeout} s and did not stop when interrupted; "
                                              "its kernel was killed")
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
        if self._output_bytes > self.max_output_bytes or record:
            if not self._truncated:
                self._truncated = True
                outs.append(NotebookNode(output_type="stream", name="stdout",
                                         text=f"\n[output cut off by the grader after {self.max_output_bytes} bytes]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)
