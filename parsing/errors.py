"""Errors raised for input that cannot become a bulletin, and the stable kinds they carry."""

# Every kind of refusal, as stored in ingest_errors.error_kind (docs/ingestion.md explains each).
ERROR_KINDS = {
    "empty_file": "the file has no bytes, or only white space",
    "binary_file": "an image or another binary file no reader takes",
    "nul_bytes": "text with NUL bytes (binary, or UTF-16 without a BOM)",
    "undecodable": "bytes that are neither UTF-8 nor GB18030 (nor Big5)",
    "unsupported_encoding": "text in an encoding of another language (Shift-JIS, EUC-KR)",
    "too_large": "over the size limit, refused before reading",
    "no_document": "no document of any known kind was found in the text",
    "encrypted_pdf": "a password-protected PDF",
    "corrupt_pdf": "a PDF that cannot be opened (corrupt or truncated)",
    "empty_pdf": "a PDF with no pages",
    "needs_ocr": "pages without a text layer, and no OCR engine installed",
    "no_main_text": "a web page with no main text (navigation only)",
    "not_docx": "a ZIP archive that is not a Word document",
    "corrupt_docx": "a Word document that cannot be opened",
    "needs_libreoffice": "a .doc, .wps or .rtf file, and LibreOffice is not installed",
    "conversion_failed": "LibreOffice could not convert the file",
    "unreadable": "the file or object could not be read (vanished, no permission, storage unreachable)",
    "changed_while_read": "an object replaced or removed between its listing and its read (read again next run)",
    "parser_error": "the parser failed (a bug: the message has the traceback's last frame)",
}


class BulletinError(ValueError):
    """A raw file that cannot be ingested; `kind` is a stable machine-readable reason (ERROR_KINDS)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
