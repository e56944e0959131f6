"""Run one submission's nbgrader process (and so its kernel) in a sandbox.

Three mechanisms, strongest first; the first that works on this machine is used (or the one named by
`AUTOGRADE_SANDBOX=bwrap|unshare|none`, which the tests use to try each):

- `bwrap` (bubblewrap, installed by `make setup`): a new, empty filesystem view holding only the
  system directories, this Python, the `autograde` and `rlhf_lab` packages (read-only) and the
  submission's scratch directory (read-write); no network (own network namespace, loopback only),
  own pid namespace (everything dies with it), own IPC and host name.
- `unshare` (util-linux): the same namespaces; instead of an empty view, the real filesystem with
  the sensitive folders (the source notebooks, the class directory, the submissions, the other
  scratch directories) covered by empty tmpfs mounts.
- `none`: no namespaces at all, with a one-line warning. Only the limits of the kernel launcher
  (autograde/kernel_launcher.py), the time limits and the scratch copy remain.

In every case the kernel itself is started by autograde/kernel_launcher.py, which applies the memory,
process and file-size limits and, when grading runs as root, drops to a user id of its own (so that
it can read neither the scratch gradebook nor any other student's files, and a fork bomb stops at
its own process limit). Not as root, bwrap and unshare give each sandbox a user namespace of its own,
in which the process limit counts only that sandbox's processes. Where control groups can be made
(autograde/control_group.py), the whole sandbox also runs in one, which bounds the memory and the
processes of all of it together.
"""

import functools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograde.errors import AutogradeError
from autograde.paths import REPO_ROOT, model_cache

MECHANISMS = ("bwrap", "unshare", "none")


@dataclass(frozen=True)
class Sandbox:
    """How one nbgrader process is wrapped: `argv` prefix and the mechanism's name."""

    mechanism: str

    def wrap(self, argv: list[str], scratch: Path, hidden: list[Path]) -> list[str]:
        """`argv` run inside the sandbox: `scratch` writable, `hidden` out of sight."""
        if self.mechanism == "bwrap":
            return _bwrap(argv, scratch)
        if self.mechanism == "unshare":
            return _unshare(argv, scratch, hidden)
        return argv


def readonly_paths() -> list[Path]:
    """What a kernel needs to read: this Python, the environment, the course's packages, the
    offline model cache (lessons load the reference model from it)."""
    paths = [Path(sys.base_prefix), Path(sys.prefix), REPO_ROOT / "autograde", REPO_ROOT / "rlhf_lab"]
    return [path.resolve() for path in paths] + ([model_cache()] if model_cache() else [])


def _bwrap(argv: list[str], scratch: Path) -> list[str]:
    # Not root: a user namespace of its own (as with --map-root-user below), where the kernel's
    # process limit counts only the sandbox's processes.
    user = [] if os.geteuid() == 0 else ["--unshare-user"]
    command = [
        "bwrap",
        "--die-with-parent",
        "--new-session",
        *user,
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"):
        if os.path.islink(top):
            command += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            command += ["--ro-bind", top, top]
    scratch = scratch.resolve()
    # bwrap would create the folders above a mount point with mode 0700, closed to a kernel that
    # runs under its own uid: create them first, open.
    parents = sorted(
        {
            parent
            for path in [*readonly_paths(), scratch]
            for parent in path.parents
            if parent not in (Path("/"), Path("/tmp"))
        },
        key=lambda p: len(p.parts),
    )
    for parent in parents:
        command += ["--perms", "0755", "--dir", str(parent)]
    for path in readonly_paths():
        command += ["--ro-bind", str(path), str(path)]
    command += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch), "--", *argv]
    return command


def _unshare(argv: list[str], scratch: Path, hidden: list[Path]) -> list[str]:
    """unshare's namespaces, plus a shell script that covers what the kernel must not see with empty
    tmpfs mounts, keeping the paths it needs that lie inside them (e.g. this Python under /root)."""
    scratch = scratch.resolve()
    keep = [*readonly_paths(), scratch]
    covers = {path.resolve() for path in [*hidden, Path(tempfile.gettempdir())] if path.exists()}
    if scratch.parent != Path("/"):
        covers.add(scratch.parent)  # the other students' scratch directories
    # A directory others cannot enter (e.g. /root holding pyenv's Python) would stop a kernel that
    # runs under its own uid: cover it too, keeping what is needed inside.
    for path in keep:
        for ancestor in reversed(path.parents):
            if ancestor != Path("/") and not os.stat(ancestor).st_mode & 0o001:
                covers.add(ancestor)
                break
    # A new network namespace has its loopback down; nbgrader talks to the kernel over it.
    lo_up = (
        "import socket, fcntl, struct; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
        "f = struct.unpack('16sH14s', fcntl.ioctl(s, 0x8913, struct.pack('16sH14s', b'lo', 0, b'')))[1]; "
        "fcntl.ioctl(s, 0x8914, struct.pack('16sH14s', b'lo', f | 1, b''))"
    )
    # Covering a folder covers what is inside it: keep the outermost ones only.
    covers = {cover for cover in covers if not any(other in cover.parents for other in covers)}
    lines = [
        "set -e",
        f"{shlex.quote(sys.executable)} -c {shlex.quote(lo_up)}",
        "mount -t tmpfs -o mode=755 autograde-stash /mnt",
    ]
    for index, cover in enumerate(sorted(covers, key=lambda p: len(p.parts))):
        inside = [path for path in keep if cover in path.parents or path == cover]
        inside = [path for path in inside if path != cover]
        for number, path in enumerate(inside):
            lines.append(
                f"mkdir -p /mnt/{index}_{number} && mount --rbind {shlex.quote(str(path))} /mnt/{index}_{number}"
            )
        lines.append(f"mount -t tmpfs -o mode=755 autograde-hidden {shlex.quote(str(cover))}")
        for number, path in enumerate(inside):
            lines.append(
                f"mkdir -p {shlex.quote(str(path))} && mount --rbind /mnt/{index}_{number} {shlex.quote(str(path))}"
            )
    lines.append('exec "$@"')
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    return [
        "unshare",
        *user,
        "--net",
        "--mount",
        "--pid",
        "--ipc",
        "--uts",
        "--fork",
        "--kill-child",
        "--mount-proc",
        "--",
        "/bin/sh",
        "-c",
        "\n".join(lines),
        "sandbox",
        *argv,
    ]


@functools.cache
def choose_sandbox(warn: bool = True) -> Sandbox:
    """The strongest mechanism that works here (tried once per process), with a warning on stderr
    when it is not bubblewrap (unless `warn` is False: `check` runs a student's own notebook)."""
    wanted = os.environ.get("AUTOGRADE_SANDBOX", "").strip()
    if wanted and wanted not in MECHANISMS:
        raise AutogradeError(f"AUTOGRADE_SANDBOX={wanted} is unknown; use one of {', '.join(MECHANISMS)}")
    problems = {}  # why each stronger mechanism was passed over
    for mechanism in [wanted] if wanted else MECHANISMS:
        if mechanism == "none" or not (problem := why_not(mechanism)):
            break
        problems[mechanism] = problem
    else:
        raise AutogradeError(
            f"the {wanted} sandbox does not work on this machine ({problems[wanted]}); "
            "install bubblewrap with `make setup`, or unset AUTOGRADE_SANDBOX"
        )
    if not warn or wanted:
        pass
    elif mechanism == "unshare":
        print(
            f"autograde: warning: {_bwrap_advice(problems['bwrap'])}; isolating submissions with unshare "
            "(no network, hidden folders) instead",
            file=sys.stderr,
        )
    elif mechanism == "none":
        print(
            f"autograde: WARNING: no sandbox ({_bwrap_advice(problems['bwrap'])}; unshare: {problems['unshare']}): "
            "submissions run with your rights and can read your files and use the network; only the time, "
            "memory and process limits apply. Fix that before grading untrusted work",
            file=sys.stderr,
        )
    return Sandbox(mechanism)


def _bwrap_advice(problem: str) -> str:
    """What to do about bwrap: install it where it is missing, or the reason it failed where it is not."""
    if problem == NOT_INSTALLED:
        return "bubblewrap (bwrap) is not installed: run `make setup` as root (apt-get install bubblewrap)"
    return f"bubblewrap (bwrap) is installed but failed: {problem}"


NOT_INSTALLED = "not installed"


def why_not(mechanism: str) -> str | None:
    """Why `mechanism` cannot run `true` here (None when it can): not installed, or its error."""
    if shutil.which(mechanism) is None:
        return NOT_INSTALLED
    with tempfile.TemporaryDirectory(prefix="autograde-probe-") as parent:
        probe = Path(parent) / "scratch"
        probe.mkdir()
        argv = Sandbox(mechanism).wrap([sys.executable, "-c", "pass"], probe, [])
        try:
            done = subprocess.run(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace", timeout=30
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"{type(error).__name__}: {error}"
    if done.returncode == 0:
        return None
    lines = done.stderr.strip().splitlines()
    return f"{lines[-1][:200]} (exit code {done.returncode})" if lines else f"exit code {done.returncode}"


def works(mechanism: str) -> bool:
    """Whether `mechanism` can run `true` here (a missing tool or forbidden namespaces say no)."""
    return why_not(mechanism) is None
