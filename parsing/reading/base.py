"""What every reader returns: the lines of a published file as the parser will read them.

A reader turns one file's bytes (PDF, web page, Word file, plain text) into `ReadText`:
its lines in reading order, each with the PDF page it was printed on (None for forms
without pages), page furniture already removed. Table rows are one line each, their
cells joined by a tab, so the table parser reads them like the tables of a text file.
Line numbers everywhere in the warehouse are 1-based positions in `ReadText.lines`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("txt", "pdf", "html", "docx", "doc", "wps", "rtf")


# Not frozen (equal and hashable all the same): a frozen dataclass sets each field through
# object.__setattr__, twice as slow to make, and a text file makes one a line.
@dataclass(slots=True, unsafe_hash=True)
class SourceLine:
    text: str  # one line, no "\n"; a table row's cells joined by "\t"
    page: int | None = None  # 1-based PDF page; None for other forms


@dataclass
class ReadText:
    lines: list[SourceLine]
    format: str  # one of FORMATS
    reader: str  # the library that read it and its version, e.g. "pypdfium2 5.15.2"
    encoding: str | None = None  # of a text file or web page
    page_count: int | None = None  # PDF pages
    metadata: dict[str, str] = field(default_factory=dict)  # a portal page's metadata block, keys as printed
    flags: list[str] = field(default_factory=list)  # e.g. "truncated_last_char", "ocr"
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR
    ocr_confidence: float | None = None  # mean word confidence (0-100) over the OCR pages

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
