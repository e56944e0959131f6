"""User ids for graded kernels (as root, each kernel runs under a uid of its own: kernel_launcher.py).

A uid must belong to no real account (or a kernel could read that account's files and signal its
processes), and no two kernels may share one, not even kernels of two graders running at once on the
same machine. So a uid is taken from a range far above the usual accounts, skipped when the system
knows it (`pwd`), when a process runs under it, or when another grader holds it; holding is an
exclusive lock (flock) on a file named after the uid in a folder that all graders share. The lock
goes with the process that held it, so a grader that crashed leaves nothing taken.
"""

import fcntl
import os
import pwd
import random
import tempfile
from pathlib import Path

FIRST_UID = 300_000  # above the accounts of a usual system and the first subordinate-uid ranges
UID_COUNT = 100_000
LOCKS = Path(tempfile.gettempdir()) / "autograde-kernel-uids"


class KernelUid:
    """A uid held for one kernel: `with KernelUid() as uid: ...`; released at the end of the block."""

    def __init__(self, locks: Path = LOCKS, first: int = FIRST_UID, count: int = UID_COUNT):
        self.locks, self.first, self.count = locks, first, count
        self.uid: int | None = None
        self._file = None

    def __enter__(self) -> int:
        self.locks.mkdir(mode=0o700, exist_ok=True)
        busy = _uids_with_processes()
        start = random.randrange(self.count)  # graders starting at once rarely try the same uids
        for offset in range(self.count):
            uid = self.first + (start + offset) % self.count
            if uid in busy or _is_account(uid):
                continue
            file = open(self.locks / str(uid), "w")
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another grader's kernel has it
                file.close()
                continue
            self.uid, self._file = uid, file
            return uid
        raise RuntimeError(f"no free kernel uid in {self.first}..{self.first + self.count - 1}")

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()  # (closing releases the lock)
            self._file = None


def _is_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def _uids_with_processes() -> set[int]:
    """The real uids of the processes running now (a kernel left over by a killed grader, say)."""
    uids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uids.add(entry.stat().st_uid)
            except OSError:
                continue
    return uids
