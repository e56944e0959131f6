"""A control group per submission: memory and process limits on its whole process tree.

The kernel launcher's limits hold per process: each process of a kernel may map `Limits.memory_mb` of
address space, so a kernel that forks memory hogs could use that many times over. A control group
holds the tree (nbgrader, the kernel and everything it starts): together they get `tree_memory_mb`
of memory (past it the Linux OOM killer stops the largest of them, in this tree only) and
`processes` tasks (processes and threads; past it `fork` fails). The grader also reads the tree's
peak memory and whether something was killed for memory, and kills whatever is left in the group
when the submission is done.

Making groups needs write access to the cgroup filesystem, i.e. root, on cgroup v2 (one hierarchy:
/sys/fs/cgroup/cgroup.controllers) or v1 (the memory and pids hierarchies, /sys/fs/cgroup/memory and
/sys/fs/cgroup/pids). Where that fails `grade` says so once and keeps the per-process limits.
"""

import os
import shlex
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT = "autograde"  # every submission's group lives under this one
CONTROLLERS = ("memory", "pids")


@dataclass(frozen=True)
class ControlGroup:
    """One submission's group: `paths` holds its folder in each hierarchy (v2: one; v1: memory, pids)."""

    version: int
    paths: tuple[Path, ...]

    @property
    def _memory(self) -> Path:
        return self.paths[0]

    def wrap(self, argv: list[str]) -> list[str]:
        """`argv`, started inside the group: a shell joins it, then becomes `argv`, so that nothing
        the command starts runs outside it, not even for a moment."""
        joins = "".join(f"echo $$ > {shlex.quote(str(path / 'cgroup.procs'))} && " for path in self.paths)
        return ["/bin/sh", "-c", f'{joins}exec "$@"', "autograde-cgroup", *argv]

    def peak_mb(self) -> float | None:
        """The most memory the tree used at once (None where the kernel does not keep it)."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self._memory / name).read_text()) / 2**20
        except (OSError, ValueError):
            return None

    def oom_kills(self) -> int:
        """How many of the tree's processes the kernel killed for memory."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            lines = (self._memory / name).read_text().splitlines()
        except OSError:
            return 0
        return sum(int(line.split()[1]) for line in lines if line.startswith("oom_kill "))

    def close(self, patience: float = 10.0) -> None:
        """Kill whatever is still in the group (a process that left its sandbox's process group) and
        remove it."""
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            pids = [pid for path in self.paths for pid in _pids(path)]
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        for path in self.paths:
            while True:
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # (busy for a moment while the killed processes are reaped)
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(0.05)


def create(name: str, memory_mb: int, processes: int, root: Path = CGROUP_ROOT) -> ControlGroup | None:
    """A new group `PARENT/name` with these limits, or None where this machine does not let us."""
    try:
        if (root / "cgroup.controllers").is_file():
            return _create_v2(root, name, memory_mb, processes)
        if all((root / controller).is_dir() for controller in CONTROLLERS):
            return _create_v1(root, name, memory_mb, processes)
    except OSError:
        pass
    return None


def _create_v2(root: Path, name: str, memory_mb: int, processes: int) -> ControlGroup:
    parent = root / PARENT
    enable = " ".join(f"+{controller}" for controller in CONTROLLERS)
    # The controllers must be handed down at each level; the root's own processes do not stop that,
    # and the parent group holds none (only its children do).
    (root / "cgroup.subtree_control").write_text(enable)
    parent.mkdir(exist_ok=True)
    (parent / "cgroup.subtree_control").write_text(enable)
    group = parent / name
    group.mkdir()
    (group / "memory.max").write_text(str(memory_mb * 2**20))
    if (group / "memory.swap.max").is_file():
        (group / "memory.swap.max").write_text("0")  # swapped out is still used
    (group / "pids.max").write_text(str(processes))
    return ControlGroup(2, (group,))


def _create_v1(root: Path, name: str, memory_mb: int, processes: int) -> ControlGroup:
    memory, pids = (root / controller / PARENT / name for controller in CONTROLLERS)
    memory.mkdir(parents=True)
    pids.mkdir(parents=True)
    (memory / "memory.limit_in_bytes").write_text(str(memory_mb * 2**20))
    try:  # memory plus swap: only where the kernel accounts for swap
        (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_mb * 2**20))
    except OSError:
        pass
    (pids / "pids.max").write_text(str(processes))
    return ControlGroup(1, (memory, pids))


def _pids(path: Path) -> list[int]:
    try:
        return [int(line) for line in (path / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def works(root: Path = CGROUP_ROOT) -> bool:
    """Whether groups can be made here (one is made and removed)."""
    group = create(f"probe-{os.getpid()}", 64, 8, root)
    if group is None:
        return False
    group.close()
    return True
