"""The limits of one graded submission (`Limits`), the one place each is defined, and the one way they
reach its processes.

Each field holds its default, its `grade` option and that option's help (autograde/cli.py builds its
limit options from these fields); `Limits` checks its own values. Grading writes them as JSON into the
submission's scratch directory and names that file in one environment variable (`LIMITS_VARIABLE`);
the nbgrader process (autograde/execute.py) and the kernel launcher (autograde/kernel_launcher.py)
read it back, and both refuse to run without it. Adding a limit: a field here, and its reader.
"""

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from autograde.errors import AutogradeError


def limit(default, help: str, option: str = "", unit: str = ""):
    """A field of `Limits`: `option` (default: --field-name) of `grade`, shown with `unit`; `help` may
    name the default as {default}."""
    return field(default=default, metadata={"help": help, "option": option, "unit": unit})


@dataclass(frozen=True)
class Limits:
    """What one submission may use. The defaults fit the real lessons on a 2-core CPU."""

    # Time limits count the CPU time of the kernel's processes (autograde/execute.py), so that grades
    # do not depend on how busy the machine is; one that waits instead gets wall_factor times as long.
    # Past the notebook's limit the whole sandbox is killed (`kill_after`).
    notebook_timeout: float = limit(
        1200, "CPU time limit for one notebook (default {default})", option="--timeout", unit="SECONDS"
    )
    cell_timeout: float = limit(
        300,
        "CPU time limit for one cell: interrupted, then killed if it does not stop (default {default})",
        unit="SECONDS",
    )
    wall_factor: float = limit(
        4.0,
        "a notebook or cell that waits instead of computing gets this many times its limit in wall-clock time "
        "(default {default})",
        unit="FACTOR",
    )
    interrupt_grace: float = limit(
        5, "seconds an interrupted cell has to stop before its kernel is killed (default {default})", unit="SECONDS"
    )
    # Torch alone maps ~600 MB of address space.
    memory_mb: int = limit(8192, "address space of each kernel process (default {default})", unit="MB")
    # Above memory_mb, so that one kernel meets its own limit first: a MemoryError in one cell, not a
    # killed kernel; the tree limit is for several processes together (autograde/control_group.py).
    tree_memory_mb: int = limit(
        10240,
        "memory of one submission's processes together (default {default}; needs control groups: root)",
        unit="MB",
    )
    # Processes and threads of a submission: its control group's, and the kernel's own uid's or user
    # namespace's (see kernel_launcher.py).
    processes: int = limit(
        512,
        "processes and threads of one submission (default {default}; needs root, or the bwrap or unshare sandbox)",
        unit="N",
    )
    file_mb: int = limit(512, "largest file the kernel may write (default {default})", unit="MB")
    output_kb: int = limit(2048, "output kept per cell; the rest is dropped (default {default})", unit="KB")
    notebook_mb: int = limit(20, "largest submitted notebook accepted (default {default})", unit="MB")
    # Not a limit but what gets run: also the cells after the last graded or answer cell, which
    # cannot change a score (autograde/execute.py skips them by default).
    run_ungraded_tail: bool = limit(
        False,
        "also run the cells after the last graded one (the lessons' closing demonstrations: slower, same scores)",
        option="--all-cells",
    )

    def __post_init__(self):
        numbers = [item for item in dataclasses.fields(self) if item.type is not bool]
        bad = [option(item) for item in numbers if not getattr(self, item.name) > 0]
        if bad:
            raise AutogradeError(f"{', '.join(bad)} must be positive")
        if self.wall_factor < 1:
            raise AutogradeError(f"{option(fields()['wall_factor'])} must be at least 1 (it multiplies a CPU time)")

    @property
    def kill_after(self) -> float:
        """Wall-clock seconds after which a submission's sandbox is killed whatever happens: past the
        notebook's own budget (enforced inside, at most wall_factor times its CPU time in wall-clock
        time), a tenth more, and a minute for nbgrader's start and end."""
        return self.wall_factor * self.notebook_timeout + 0.1 * self.notebook_timeout + 60

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(dataclasses.asdict(self)))
        path.chmod(0o644)  # (readable by a kernel under its own uid, writable by the grader only)

    @classmethod
    def read(cls, path: str | Path) -> "Limits":
        return cls(**json.loads(Path(path).read_text()))


def fields() -> dict[str, dataclasses.Field]:
    return {item.name: item for item in dataclasses.fields(Limits)}


def option(item: dataclasses.Field) -> str:
    """The `grade` option that sets this field of `Limits`."""
    return item.metadata["option"] or "--" + item.name.replace("_", "-")


LIMITS_VARIABLE = "AUTOGRADE_LIMITS"
