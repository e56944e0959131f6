"""The kernel of a graded notebook: `python autograde/kernel_launcher.py -f CONNECTION_FILE`.

(Started by its path, not with `-m`: `python -m` would put the working directory, which holds the
student's files, first on sys.path before this file runs.)

During grading the kernelspec points here instead of at ipykernel (autograde/scratch.py writes it into
the scratch directory). Before any student code runs, this:
- refuses to start without the limits file named by AUTOGRADE_LIMITS (as autograde/execute.py does);
- sets the limits of `autograde.limits.Limits` (that file) on the kernel and
  everything it starts: address space, file size, no core dumps, and processes (where the count
  means this sandbox's: under its own uid, or in its own user namespace);
- when started as root with AUTOGRADE_KERNEL_UID, gives the kernel's working directory and home to
  that uid and becomes it: the kernel then cannot read the scratch gradebook (mode 0600) or another
  student's files, cannot touch the nbgrader process, and its process limit counts only its own
  processes (a fork bomb stops there);
- copies the lessons' model cache into its home (see _copy_models);
- imports the course's own packages (and autograde/kit_watch.py, which test cells start), so that
  a file in the submission named `autograde/` or `rlhf_lab/` cannot take their place (ipykernel puts
  the working directory first on sys.path);
- turns on the check records of autograde/checks.py (`RECORDS_VARIABLE`).
"""

import os
import resource
import shutil
import sys
from pathlib import Path

# Started by path, Python put this file's folder first on sys.path: the repository root (on
# PYTHONPATH) is where `autograde` comes from.
del sys.path[0]

# After that fix, and before ipykernel puts the working directory (the student's files) on sys.path:
# the course's own `autograde.checks` and `rlhf_lab` are the ones imported (see the docstring).
import autograde.kit_watch  # noqa: E402, F401  (the watch a test cell's first line starts)
import rlhf_lab  # noqa: E402, F401
from autograde.checks import RECORDS_VARIABLE  # noqa: E402
from autograde.environment import KERNEL_HOME, KERNEL_OWN_USER_NAMESPACE, KERNEL_UID, MODEL_CACHE  # noqa: E402
from autograde.limits import LIMITS_VARIABLE, Limits  # noqa: E402


def _limit(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def _give(path: Path, uid: int) -> None:
    """chown -R uid:uid path (the kernel's own files only; nothing outside the scratch directory)."""
    os.chown(path, uid, uid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


def _copy_models(home: Path) -> None:
    """The lessons' model cache (rlhf_lab.reference), copied into the kernel's home: the original is
    read-only in the sandbox and private to root, and rlhf_lab writes a lock file next to the models."""
    cache = Path(os.environ.get(MODEL_CACHE, ""))
    if not str(cache) or not cache.is_dir():
        return
    own = home / ".cache" / "rlhf_lab"
    for model in cache.iterdir():
        if model.is_dir() and not model.name.startswith(".") and (model / "config.json").is_file():
            shutil.copytree(model, own / model.name, dirs_exist_ok=True)
    os.environ["RLHF_LAB_CACHE"] = str(own)


def main(argv: list[str]) -> None:
    if LIMITS_VARIABLE not in os.environ:  # (before anything else: no kernel runs without its limits)
        sys.exit(
            f"autograde kernel launcher: no limits ({LIMITS_VARIABLE} is not set): only `python -m autograde` "
            "starts this kernel"
        )
    connection_file = Path(argv[argv.index("-f") + 1])
    home = Path(os.environ.get(KERNEL_HOME, Path.cwd() / ".kernel-home"))
    for sub in ("tmp", ".ipython", ".config/matplotlib"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    _copy_models(home)
    uid = int(os.environ.get(KERNEL_UID, "0"))
    own_uid = bool(uid) and os.geteuid() == 0  # root hands the kernel to a uid of its own
    if own_uid:
        _give(Path.cwd(), uid)
        _give(home, uid)
        os.chown(connection_file, uid, uid)
        os.chmod(Path.cwd(), 0o700)
    limits = Limits.read(os.environ[LIMITS_VARIABLE])
    mb = 1024 * 1024
    _limit(resource.RLIMIT_AS, limits.memory_mb * mb)
    _limit(resource.RLIMIT_FSIZE, limits.file_mb * mb)
    _limit(resource.RLIMIT_CORE, 0)
    # Root ignores RLIMIT_NPROC, and the limit counts every process of the kernel's uid in its user
    # namespace: it means "this sandbox's processes" only with a uid of its own, or (not root) in a
    # user namespace of the sandbox's own.
    if own_uid or os.environ.get(KERNEL_OWN_USER_NAMESPACE) == "1":
        _limit(resource.RLIMIT_NPROC, limits.processes)
    if own_uid:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.environ.update(
        {
            "HOME": str(home),
            "TMPDIR": str(home / "tmp"),
            "IPYTHONDIR": str(home / ".ipython"),
            "MPLCONFIGDIR": str(home / ".config/matplotlib"),
            RECORDS_VARIABLE: "1",
        }
    )
    for name in [name for name in os.environ if name.startswith(("NBGRADER_", "AUTOGRADE_KERNEL_", LIMITS_VARIABLE))]:
        if name != "NBGRADER_EXECUTION":  # notebooks may ask whether they are being graded
            del os.environ[name]
    # The kernel's own stdout/stderr went to the nbgrader process's log, which the grader keeps in
    # memory: what student code writes there (os.write(1, ...), a child process) goes nowhere.
    # (What it prints normally travels as cell output, which autograde/execute.py cuts off.)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    from ipykernel import kernelapp

    sys.argv = ["ipykernel_launcher", *argv]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
