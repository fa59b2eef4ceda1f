"""The CSV reader: the dialect variants it accepts and the files it refuses whole."""

from __future__ import annotations

import io

import pytest

from cardfile.ingest.csv.reader import CsvFileError, CsvSource


def rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    source = CsvSource(io.BytesIO(data))
    return [(r.number, r.cells) for r in source.rows()]


def test_bom_crlf_quotes_and_blank_lines() -> None:
    data = b'\xef\xbb\xbfa,b\r\n"x, with comma","say ""hi"""\r\n\r\n"multi\nline",2\r\n\r\n\r\n'
    assert rows(data) == [
        (2, {"a": "x, with comma", "b": 'say "hi"'}),
        (4, {"a": "multi\nline", "b": "2"}),
    ]


def test_short_rows_are_padded_and_long_rows_keep_their_extra_cells() -> None:
    source = CsvSource(io.BytesIO(b"a,b,c\n1\n1,2,3,4\n"))
    parsed = list(source.rows())
    assert parsed[0].cells == {"a": "1", "b": "", "c": ""}
    assert parsed[1].extra == ["4"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"a,,c\n", "empty column name"),
        (b"a,b,a\n", "'a' twice"),
        (b"PK\x03\x04rest-of-a-zip", "xlsx"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"a\x00b\x00,\x00", "NUL"),
        (b"a;b;c\n1;2;3\n", "comma-separated"),
    ],
)
def test_unusable_files_are_refused_with_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(CsvFileError, match=message):
        list(CsvSource(io.BytesIO(data)).rows())


def test_invalid_utf8_names_the_row() -> None:
    data = b"a,b\n" + b"ok,1\n" * 3 + b"caf\xe9,2\n"
    with pytest.raises(CsvFileError, match="not UTF-8") as caught:
        list(CsvSource(io.BytesIO(data)).rows())
    assert caught.value.row == 5


def test_an_unterminated_quote_is_refused() -> None:
    with pytest.raises(CsvFileError, match="not valid CSV"):
        list(CsvSource(io.BytesIO(b'a,b\n"open,1\n')).rows())
