"""One planning run: the scenario, the options, the objective in force and the clock."""

from __future__ import annotations

import time
from dataclasses import dataclass

from solver.options import Options, Progress
from solver.scenario import Scenario


@dataclass
class Run:
    scenario: Scenario
    options: Options
    objective: str
    began: float

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.began

    @property
    def deadline(self) -> float:
        return self.began + self.options.time_limit

    def report(self, stage: str, best: tuple[int, int, int], bound: float | None = None) -> None:
        self.options.report(
            Progress(
                elapsed=self.elapsed,
                stage=stage,
                objective=best[1],
                bound=bound,
                message=f"unplaced weight {best[0]}, moved bookings {best[2]}",
            )
        )
