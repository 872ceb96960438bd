"""Long lists a page at a time: which page was asked for (``?page=N``), and where it starts.

A page past the last shows the last (a list that shrank since the link was made); the
template's ``pager`` macro (``macros.html``) links the pages before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from web.ui.params import int_arg

MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Paging:
    """Page ``number`` (from 1) of ``pages``, ``size`` rows a page, ``total`` rows in all."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_row(self) -> int:
        """The row the page starts with, counted from 1 (0 when there are none)."""
        return self.offset + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.total, self.offset + self.size)


def paging(total: int, size: int) -> Paging:
    """The page ``?page=`` asks for, within the pages ``total`` rows fill."""
    asked = int_arg("page", 1, low=1, high=MAX_PAGE)
    return Paging(min(asked, max(1, -(-total // size))), size, total)
