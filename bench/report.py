"""Output shared by the benchmark scripts: a Markdown table on stdout, CSV on request."""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Sequence
from pathlib import Path

Row = Sequence[object]


def markdown_table(headers: Sequence[str], rows: Sequence[Row]) -> str:
    """A GitHub-flavoured table; numbers are right-aligned so columns compare at a glance."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.2f}"
        return "" if value is None else str(value)

    numeric = [
        all(isinstance(row[i], int | float) for row in rows if row[i] is not None)
        for i in range(len(headers))
    ]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if num else "---" for num in numeric) + "|",
    ]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)


def git_commit(repo: Path, paths: Sequence[str] = ("solver",)) -> str:
    """The commit the numbers come from, with ``+dirty`` when ``paths`` have changes."""

    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", *paths)
    return commit + ("+dirty" if dirty else "")
