"""The environment variables of the nbgrader processes that `python -m autograde` starts.

Two kinds: the instructor's own nbgrader runs (generate, feedback, export) get the grader's
environment with this checkout first on the paths; a submission's sandboxed nbgrader process gets a
clean one, which holds nothing of the grader's (tokens, NBGRADER_* settings) and names what its
kernel launcher (autograde/kernel_launcher.py) reads: the variables below and `LIMITS_VARIABLE`.
"""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from autograde.limits import LIMITS_VARIABLE
from autograde.paths import REPO_ROOT, model_cache

if TYPE_CHECKING:  # (the kernel launcher imports this module: it stays light, without nbformat)
    from autograde.scratch import Scratch

# Read by the kernel launcher, which removes each AUTOGRADE_KERNEL_* one before student code runs.
KERNEL_UID = "AUTOGRADE_KERNEL_UID"  # as root: the uid the kernel becomes (0: none)
KERNEL_OWN_USER_NAMESPACE = "AUTOGRADE_KERNEL_OWN_USER_NAMESPACE"  # "1": the process limit is the sandbox's
KERNEL_HOME = "AUTOGRADE_KERNEL_HOME"
MODEL_CACHE = "AUTOGRADE_MODEL_CACHE"  # the lessons' reference models, copied into the kernel's home
# Passed through from the grader's environment: locale, thread counts, malloc tuning, offline mode.
KEPT = (
    "LANG",
    "LC_ALL",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
)


def grader_environment() -> dict[str, str]:
    """The grader's environment, for nbgrader runs on the instructor's own notebooks."""
    environment = dict(os.environ)
    # nbgrader calls `alembic` by name, and a notebook's `!python` means whatever python is first on
    # PATH: make both this interpreter's.
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    # The kernels import `autograde.checks` and `rlhf_lab`: from this checkout, whatever else is installed.
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")]))
    return environment


def submission_environment(scratch: "Scratch", kernel_uid: int, own_user_namespace: bool) -> dict[str, str]:
    """A clean environment for the sandboxed nbgrader process of one submission."""
    environment = {name: os.environ[name] for name in KEPT if name in os.environ}
    environment.update(
        {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "PYTHONPATH": str(REPO_ROOT),
            "HOME": str(scratch.home),
            "TMPDIR": str(scratch.home),
            "JUPYTER_PATH": str(scratch.jupyter),
            "JUPYTER_CONFIG_DIR": str(scratch.home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(scratch.home / ".jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(scratch.runtime),
            "JUPYTER_PLATFORM_DIRS": "1",
            KERNEL_HOME: str(scratch.kernel_home),
            LIMITS_VARIABLE: str(scratch.limits),  # (for autograde/execute.py and kernel_launcher.py)
            MODEL_CACHE: str(model_cache() or ""),
            KERNEL_UID: str(kernel_uid),
        }
    )
    if own_user_namespace:
        environment[KERNEL_OWN_USER_NAMESPACE] = "1"
    return environment
