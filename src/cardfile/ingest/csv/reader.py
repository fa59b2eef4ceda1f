"""Reading an uploaded CSV safely: one clear error for a file that cannot be read as CSV.

Accepts UTF-8 with or without a BOM, CRLF or LF line ends, quoted fields holding commas,
quotes and line breaks, and blank lines anywhere (skipped). Row numbers are those a
spreadsheet shows: the first row (normally the header) is row 1, blank rows count.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

# A cell may legitimately hold a long text; the csv module's default limit is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx workbook?); export the sheet as CSV",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office document; export the sheet as CSV",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\x1f\x8b": "a gzip archive; decompress it first",
}


class CsvFileError(ValueError):
    """The whole file is refused: it is not readable CSV, or its header is unusable."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


class CsvRow:
    """One data row: its spreadsheet row number and its values in header order (padded with
    empty cells when the row is short; ``extra`` holds cells beyond the header)."""

    # A plain slotted class: a million of these are made per million-row file.
    __slots__ = ("_cells", "extra", "header", "number", "values")

    def __init__(self, number: int, values: list[str], extra: list[str], header: list[str]):
        self.number = number
        self.values = values
        self.extra = extra
        self.header = header
        self._cells: dict[str, str] | None = None

    @property
    def cells(self) -> dict[str, str]:
        """The values by header name."""
        if self._cells is None:
            self._cells = dict(zip(self.header, self.values, strict=True))
        return self._cells


class _CountingReader(io.RawIOBase):
    """Counts the bytes read, so a progress bar can show how far into the file we are."""

    def __init__(self, inner: io.RawIOBase) -> None:
        self.inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size


class CsvSource:
    """An iterator over the rows of a binary CSV stream, header checked up front."""

    def __init__(self, stream: BinaryIO) -> None:
        head = stream.read(8)
        for signature, what in _SIGNATURES.items():
            if head.startswith(signature):
                raise CsvFileError(f"the file is not CSV: it is {what}")
        if b"\x00" in head:
            raise CsvFileError("the file is not CSV text: it holds NUL bytes (UTF-16 or binary?)")
        self._counter = _CountingReader(_Prefixed(head, stream))
        self._text = io.TextIOWrapper(
            # Undecodable bytes become lone surrogates, found per row below, so the error can
            # name the row (a strict decoder fails a whole read-ahead buffer early).
            io.BufferedReader(self._counter),
            encoding="utf-8-sig",
            errors="surrogateescape",
            newline="",
        )
        self._reader = csv.reader(self._text, strict=True)
        self._records = 0
        self.header = self._read_header()

    @property
    def bytes_read(self) -> int:
        """Bytes consumed so far."""
        return self._counter.count

    def _next_record(self) -> list[str] | None:
        try:
            while True:
                record = next(self._reader)
                # Blank rows count, so numbers stay those a spreadsheet shows.
                self._records += 1
                joined = "".join(record)
                try:
                    joined.encode("utf-8")
                except UnicodeEncodeError as error:
                    byte = ord(error.object[error.start]) - 0xDC00
                    raise CsvFileError(
                        f"the file is not UTF-8 text (invalid byte 0x{byte:02x} on row "
                        f"{self._records}); save it as UTF-8 CSV",
                        row=self._records,
                    ) from None
                if not joined.isspace() and joined:
                    return record
        except StopIteration:
            return None
        except csv.Error as error:
            raise CsvFileError(
                f"the file is not valid CSV near line {self._reader.line_num}: {error}",
                row=self._reader.line_num,
            ) from None

    def _read_header(self) -> list[str]:
        record = self._next_record()
        if record is None:
            raise CsvFileError("the file is empty: a header row is required")
        header = [cell.strip() for cell in record]
        if any(not name for name in header):
            position = next(i for i, name in enumerate(header, start=1) if not name)
            raise CsvFileError(f"the header has an empty column name (column {position})")
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise CsvFileError(f"the header names the column '{name}' twice")
            seen.add(name)
        if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
            raise CsvFileError(
                "the header has a single column containing ';', tab or '|': "
                "the file must be comma-separated"
            )
        return header

    def rows(self) -> Iterator[CsvRow]:
        """The data rows; blank rows are skipped, short rows padded with empty cells."""
        header = self.header
        width = len(header)
        while (record := self._next_record()) is not None:
            extra: list[str] = []
            if len(record) < width:
                record.extend([""] * (width - len(record)))
            elif len(record) > width:
                extra = record[width:]
                del record[width:]
            yield CsvRow(self._records, record, extra, header)


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read to sniff the file type."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


def chunks(source: CsvSource, size: int) -> Iterator[list[CsvRow]]:
    """The rows of ``source`` in lists of at most ``size``."""
    batch: list[CsvRow] = []
    for row in source.rows():
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


Progress = Callable[[int, int], None]
"""Called with (rows done, bytes read) after each chunk."""
