"""The what-if comparison and its progress as text for the terminal (pure functions)."""

from __future__ import annotations

from typing import Any

LABELS = {
    "placed_phases": "placed phases",
    "unplaced_phases": "unplaced phases",
    "late_releases": "late releases",
    "weighted_tardiness": "weighted tardiness",
    "makespan_days": "makespan (days)",
}


def format_progress_line(progress: dict[str, Any]) -> str:
    """``[1/2 baseline] search 1.2s objective 5 bound 0``."""
    parts = [
        f"[{progress['step_number']}/{progress['steps']} {progress['step']}]",
        str(progress["stage"]),
        f"{progress['elapsed']:.1f}s",
    ]
    for key in ("objective", "bound"):
        if progress.get(key) is not None:
            parts.append(f"{key} {progress[key]:g}")
    return " ".join(parts)


def format_comparison(result: dict[str, Any]) -> str:
    """The side-by-side table ``whatif run`` and ``whatif show`` print."""
    lines = [
        f"{'':<28}{'baseline':>10}{'what-if':>10}{'change':>8}",
        _line("plan status", result["status"]["baseline"], result["status"]["whatif"]),
    ]
    for row in result["rows"]:
        lines.append(
            _line(
                LABELS.get(row["metric"], row["metric"]),
                row["baseline"],
                row["whatif"],
                f"{row['change']:+d}",
            )
        )
    for env_type, pair in result["utilisation"].items():
        lines.append(
            _line(f"utilisation {env_type}", _share(pair["baseline"]), _share(pair["whatif"]))
        )
    for env_type, pair in result["shortfalls"].items():
        lines.append(
            _line(
                f"shortfall {env_type} (env-days)", _short(pair["baseline"]), _short(pair["whatif"])
            )
        )
    for rel in result["releases"]:
        lines.append(
            f"release {rel['release']}: late {rel['baseline_late_days']} -> "
            f"{rel['whatif_late_days']} days, ends {rel['baseline_end']} -> "
            f"{rel['whatif_end']}"
        )
    return "\n".join(lines)


def _line(label: str, baseline: object, whatif: object, change: str = "") -> str:
    return f"{label:<28}{baseline!s:>10}{whatif!s:>10}{change:>8}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _short(entry: dict[str, Any] | None) -> str:
    return "0" if entry is None else str(entry["days_short"])
