"""CSV and Excel import and export of environments, releases (with phases) and bookings.

A file is one flat table (one sheet in Excel), one row per environment, per phase (its
release's columns repeated), or per booking. Every cell is read as text, so Excel and
CSV read alike. Import checks every row first and then writes them all in one
transaction; any bad row — a bad value, or one the database refuses (a clash) — and
``TransferRejected`` lists every bad row (row number as a spreadsheet shows it, column,
what is wrong) and nothing is written.

Lists are written ``a; b``; components ``name=version; name=version``; ``after`` is
empty for "follows the phase before" and ``(none)`` for "waits for nothing".
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from envsched.booking import booking_transaction
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput
from envsched.models import User
from envsched.transfer.kinds import KINDS, Kind
from envsched.transfer.rows import Cells, RowError

SUFFIXES = (".csv", ".xlsx")
HEADER_ROW = 1  # spreadsheet row of the column names; data starts on the next row
SHOWN_ERRORS = 5


class TransferRejected(InvalidInput):
    """A file with bad rows: ``errors`` holds every one; the message the first few."""

    def __init__(self, source: str, errors: Sequence[RowError]) -> None:
        shown = "; ".join(str(e) for e in errors[:SHOWN_ERRORS])
        more = f"; and {len(errors) - SHOWN_ERRORS} more" if len(errors) > SHOWN_ERRORS else ""
        rows = len({e.row for e in errors})
        super().__init__(
            source, f"{rows} bad row{'s' if rows != 1 else ''}, nothing imported: {shown}{more}"
        )
        self.errors = list(errors)


@dataclass(frozen=True)
class Outcome:
    kind: str
    rows: int


# -- export -----------------------------------------------------------------------------------


def export_table(sessions: SessionFactory, kind: str, path: str | Path) -> Outcome:
    """Write every stored ``kind`` row to ``path`` (``.csv`` or ``.xlsx``)."""
    _check_kind(kind)
    suffix = _suffix(path)
    with read_transaction(sessions) as session:
        records = list(KINDS[kind].export(session))
    frame = pd.DataFrame(records, columns=list(KINDS[kind].columns), dtype="object")
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False, sheet_name=kind)
    return Outcome(kind, len(frame))


# -- import -----------------------------------------------------------------------------------


def import_table(
    sessions: SessionFactory, kind: str, path: str | Path, *, actor: User | None, now: dt.datetime
) -> Outcome:
    """Create or update the rows of ``path``: all of them, or (any bad row) none."""
    _check_kind(kind)
    source = str(path)
    parsed = [(cells, KINDS[kind].parse(cells)) for cells in _cells(read_table(path), kind, source)]
    errors = [error for cells, _record in parsed for error in cells.errors]
    if errors:
        raise TransferRejected(source, errors)
    with booking_transaction(sessions) as session:
        errors = KINDS[kind].apply(session, parsed, actor, now)
        if errors:
            raise TransferRejected(source, sorted(errors, key=lambda e: e.row))
    return Outcome(kind, len(parsed))


def read_table(path: str | Path) -> pd.DataFrame:
    """The file's first table, every cell as text (empty cells as ``""``).

    A file that holds no such table (not UTF-8, empty, ragged, not a workbook) raises
    ``InvalidInput`` naming the file and what is wrong."""
    read = _read_csv if _suffix(path) == ".csv" else _read_excel
    return read(path).fillna("")


def _read_csv(path: str | Path) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():  # a row longer than the header: refused, not cut
            warnings.simplefilter("error", pd.errors.ParserWarning)
            # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark
            return pd.read_csv(
                path, dtype=str, keep_default_na=False, index_col=False, encoding="utf-8-sig"
            )
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            str(path),
            f"not UTF-8 text (byte {exc.object[exc.start]:#04x}); save the file as CSV UTF-8",
        ) from None
    except pd.errors.EmptyDataError:
        raise InvalidInput(
            str(path),
            "the file is empty: expected a header row of column names and a row per record",
        ) from None
    except pd.errors.ParserWarning:
        raise InvalidInput(str(path), "a row has more cells than the header has columns") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InvalidInput(str(path), f"not a CSV table: {_first_line(exc)}") from None


def _read_excel(path: str | Path) -> pd.DataFrame:
    try:
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    except OSError:
        raise  # the file cannot be opened: the caller's error, naming it, as for any file
    except Exception as exc:
        # Foreign bytes fail deep inside openpyxl in many ways (a zip error, broken XML, a
        # missing part, a bad value); each means the same to the user: no workbook.
        raise InvalidInput(
            str(path), f"not an Excel workbook (.xlsx): {_first_line(exc)}"
        ) from None


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().strip("\"'").splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]


def _cells(frame: pd.DataFrame, kind: str, source: str) -> Iterator[Cells]:
    columns = [str(c) for c in frame.columns]
    problems = _header_problems(columns, KINDS[kind])
    if problems:
        raise TransferRejected(source, [RowError(HEADER_ROW, c, p) for c, p in problems])
    for index, values in enumerate(frame.itertuples(index=False, name=None)):
        texts = {c: _text(v) for c, v in zip(columns, values, strict=True)}
        if any(texts.values()):  # a blank line in a spreadsheet is no row
            yield Cells(HEADER_ROW + 1 + index, texts)


def _header_problems(columns: Sequence[str], kind: Kind) -> list[tuple[str, str]]:
    problems = [(c, "required column is missing") for c in kind.required if c not in columns]
    problems += [
        (c, f"unknown column (expected: {', '.join(kind.columns)})")
        for c in columns
        if c not in kind.columns
    ]
    return problems


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput("kind", f"{kind!r} is not one of {', '.join(KINDS)}")


def _suffix(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput("file", f"{path}: expected a .csv or .xlsx file, not {suffix!r}")
    return suffix
