"""Folders in the course's cache that are built once, keyed by everything that goes into them."""

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def cache_root() -> Path:
    return Path(os.environ.get("RLHF_LAB_CACHE", Path.home() / ".cache" / "rlhf_lab"))


def fingerprint(*parts) -> str:
    """12 hex digits of the SHA-256 of the parts as JSON: a new key whenever any part changes."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:12]


def cached_folder(name: str, build: Callable[[Path], None]) -> Path:
    """cache_root()/name, built once by build(staging folder) and then reused.

    The folder appears only when complete (built under a temporary name, then renamed), and a lock
    makes a second process (a parallel test, a notebook) wait for the first build, not repeat it.
    A folder counts as complete when it holds config.json, which build must write.
    """
    target = cache_root() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "config.json").exists():
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".building-"))
            build(staging)
            shutil.rmtree(target, ignore_errors=True)  # a folder left without config.json by an older crash
            staging.rename(target)
    return target
