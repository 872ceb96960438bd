"""Errors the solver package raises for bad input."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario or plan file is wrong: names the file, the JSON path and what is wrong."""

    def __init__(self, message: str, path: str = "", source: str = "") -> None:
        self.message = message
        self.path = path
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.source, self.path) if part)
        return f"{where}: {self.message}" if where else self.message
