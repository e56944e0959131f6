"""Run nbgrader's command-line apps with this course's configuration, in a given course directory."""

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# traitlets appends ".py" itself; naming the file with its suffix makes nbgrader warn, wrongly, that
# it found no config file.
CONFIG_FILE = Path(__file__).with_name("nbgrader_config.py").with_suffix("")


@dataclass(frozen=True)
class CourseDir:
    """An nbgrader course directory: `root` holds gradebook.db, submitted/, autograded/, feedback/.

    `source` (the notebooks with solutions and hidden tests) and `release` (the student versions) may
    lie elsewhere, so that a temporary course directory can grade against this repository's
    solutions/ without writing into it.
    """

    root: Path
    source: Path
    release: Path

    @property
    def gradebook_url(self) -> str:
        return f"sqlite:///{self.root.resolve() / 'gradebook.db'}"  # nbgrader's default place

    def options(self) -> list[str]:
        # Absolute paths: nbgrader joins a relative directory onto `root`.
        return [
            f"--CourseDirectory.root={self.root.resolve()}",
            f"--CourseDirectory.source_directory={self.source.resolve()}",
            f"--CourseDirectory.release_directory={self.release.resolve()}",
        ]


@dataclass(frozen=True)
class Run:
    """What one nbgrader command did: its exit code (None when stopped at the time limit) and log."""

    returncode: int | None
    log: str
    timeout: float | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def reason(self) -> str:
        """One line saying why the command failed, for a summary or an error message."""
        if self.returncode is None:
            return f"stopped at the time limit ({self.timeout:g} s)"
        # nbgrader logs the traceback of a failed notebook; its last exception line is the cause
        # ("nbclient.exceptions.DeadKernelError: Kernel died" gives "DeadKernelError: Kernel died").
        exception_lines = re.findall(r"^\s*(?:\w+\.)*(\w*(?:Error|Exception)\b.*)$", self.log, re.MULTILINE)
        if exception_lines:
            return exception_lines[-1].strip()
        # Otherwise the first error nbgrader logged (the ones after it are hints such as "Did you mean").
        error_lines = re.findall(r"^\[\w+ \| ERROR\] (.*)$", self.log, re.MULTILINE)
        return error_lines[0] if error_lines else f"nbgrader exited with code {self.returncode}"


def run_nbgrader(course: CourseDir, command: str, *args: str, timeout: float | None = None) -> Run:
    """`python -m nbgrader COMMAND ARGS` with autograde/nbgrader_config.py, in `course`."""
    return run(nbgrader_argv(course, command, *args), course.root, _environment(), timeout)


def nbgrader_argv(course: CourseDir, command: str, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "nbgrader",
        command,
        *args,
        f"--NbGrader.config_file={CONFIG_FILE}",
        *course.options(),
    ]


def run(argv: list[str], cwd: Path, environment: dict[str, str], timeout: float | None) -> Run:
    """Run `argv`, stopping it and everything it started at `timeout` seconds."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=environment,
        text=True,
        errors="replace",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # Its own process group, so that a time limit stops nbgrader and anything it started (a
        # sandbox takes its whole pid namespace down with it).
        start_new_session=True,
    )
    try:
        log, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
        return Run(None, log, timeout)
    return Run(process.returncode, log, timeout)


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    # nbgrader calls `alembic` by name, and a notebook's `!python` means whatever python is first on
    # PATH: make both this interpreter's.
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    # The kernels import `autograde.checks` and `rlhf_lab`: from this checkout, whatever else is installed.
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")]))
    return environment
