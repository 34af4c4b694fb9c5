"""When each content file last changed, from git: one ``git log`` for the whole content folder.

The date of a file is the committer date (``YYYY-MM-DD``) of the newest commit that touched
it. Files git does not know (untracked, or no git at all) have no date: callers fall back to
the entry's ``verificato_il``. Nothing here depends on the clock, so builds stay deterministic.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

GIT_TIMEOUT = 60  # seconds; a content folder's history is read once per build


def git_dates(folder: Path) -> dict[Path, date]:
    """Absolute path of each file under ``folder`` → date of its last commit.

    Empty when ``folder`` is not in a git work tree, git is missing or fails.
    """
    folder = folder.resolve()
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    try:
        result = subprocess.run(
            [
                "git",
                "-c",
                "core.quotepath=off",
                "log",
                "-z",
                "--format=%x1e%cs",
                "--name-only",
                "--relative",
                "--no-renames",
                "--",
                ".",
            ],
            cwd=folder,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if result.returncode != 0:
        return {}
    return parse_log(result.stdout.decode("utf-8", "replace"), folder)


def parse_log(output: str, folder: Path) -> dict[Path, date]:
    """Parse ``git log -z --format=%x1e%cs --name-only``: newest commit first, so the first
    date seen for a file is its last change."""
    dates: dict[Path, date] = {}
    for record in output.split("\x1e"):
        fields = [f.strip("\n") for f in record.split("\0")]
        if not fields or not fields[0]:
            continue
        try:
            when = date.fromisoformat(fields[0].strip())
        except ValueError:
            continue
        for name in fields[1:]:
            if name:
                dates.setdefault(folder / name, when)
    return dates
