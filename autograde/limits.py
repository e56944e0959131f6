"""The limits of one graded submission (`Limits`), and the one way they reach its processes.

Grading writes them as JSON into the submission's scratch directory and names that file in one
environment variable (`LIMITS_VARIABLE`); the nbgrader process (autograde/execute.py) and the kernel
launcher (autograde/kernel_launcher.py) read it back. Adding a limit: a field here, and its reader.
"""

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    """What one submission may use. The defaults fit the real lessons on a 2-core CPU."""

    # Time limits count the CPU time of the kernel's processes (autograde/execute.py), so that grades
    # do not depend on how busy the machine is; one that waits instead gets wall_factor times as long.
    notebook_timeout: float = 1200  # seconds for a whole notebook (then the sandbox is killed)
    cell_timeout: float = 300  # seconds for one cell: interrupted, then killed if it does not stop
    wall_factor: float = 4.0
    interrupt_grace: float = 5  # seconds an interrupted cell has to stop before its kernel is killed
    memory_mb: int = 8192  # address space of each kernel process (torch alone maps ~600 MB)
    # Memory of a submission's whole process tree (autograde/control_group.py, where groups can be
    # made). Above memory_mb, so that one kernel meets its own limit first: a MemoryError in one
    # cell, not a killed kernel; the tree limit is for several processes together.
    tree_memory_mb: int = 10240
    # Processes and threads of a submission: its control group's, and the kernel's own uid's or user
    # namespace's (see kernel_launcher.py).
    processes: int = 512
    file_mb: int = 512  # largest file the kernel may write
    output_kb: int = 2048  # output kept per cell; the rest is dropped
    notebook_mb: int = 20  # largest submitted notebook accepted
    # Not a limit but what gets run: also the cells after the last graded or answer cell, which
    # cannot change a score (autograde/execute.py skips them by default).
    run_ungraded_tail: bool = False

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(dataclasses.asdict(self)))
        path.chmod(0o644)  # (readable by a kernel under its own uid, writable by the grader only)

    @classmethod
    def read(cls, path: str | Path) -> "Limits":
        return cls(**json.loads(Path(path).read_text()))


LIMITS_VARIABLE = "AUTOGRADE_LIMITS"
