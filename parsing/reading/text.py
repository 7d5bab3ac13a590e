"""Turn raw bytes into text without guessing silently.

The ladder is: a BOM decides (UTF-8, UTF-16 LE/BE); else strict UTF-8; else strict
GB18030 (a superset of GBK and GB2312) when its text does not look garbled; else Big5
(Traditional Chinese: read), Shift-JIS or EUC-KR (another language: refused as
`unsupported_encoding`) when one of them gives clean text. Evidence, not a guess: GB18030
accepts most byte strings, so its text is checked for the characters other encodings turn
into (parsing.text.mojibake); a few garbled lines in clean text stay and are flagged. A
file none of them decodes is refused with the offset where the bytes went bad. A multi-byte
character cut off at the very end is tolerated and flagged, because truncated downloads are
common and the rest of the file is still good. White space only (U+3000 included) is empty.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from parsing.errors import BulletinError
from parsing.text.lines import to_simplified
from parsing.text.mojibake import garbled_share, han_coherence, script_shares

# Magic numbers of files that are dropped into the raw folder by mistake.
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (docx/xlsx?)",
    b"\xd0\xcf\x11\xe0": "an OLE document (doc/xls?)",
}


@dataclass
class Decoded:
    text: str
    encoding: str
    flags: list[str] = field(default_factory=list)


def decode_bytes(data: bytes, name: str = "<bytes>") -> Decoded:
    if not data.strip():
        raise BulletinError("empty_file", f"{name}: the file is empty")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise BulletinError("binary_file", f"{name}: this is {what}, not bulletin text")

    if data.startswith(codecs.BOM_UTF8):
        return _blank_checked(_strict(data[3:], "utf-8", name, "utf-8-sig"), name)
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _blank_checked(_strict(data, "utf-16", name, "utf-16"), name)
    if b"\x00" in data:
        raise BulletinError("nul_bytes", f"{name}: the file contains NUL bytes (binary, or UTF-16 without BOM)")

    try:
        return _blank_checked(Decoded(data.decode("utf-8"), "utf-8"), name)
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3 and err.reason == "unexpected end of data":
            return _blank_checked(Decoded(data[: err.start].decode("utf-8"), "utf-8", ["truncated_last_char"]), name)
        utf8_error = err
    try:
        decoded = Decoded(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3:
            try:
                return _blank_checked(_evidenced(
                    data[: err.start], Decoded(data[: err.start].decode("gb18030"), "gb18030",
                                               ["truncated_last_char"]), name), name)
            except UnicodeDecodeError:
                pass
        other = _other_encoding(data)
        if other:
            return _blank_checked(_accept_or_refuse(other, name), name)
        # The bad bytes are where the decoder that read furthest stopped (UTF-8 text with one
        # bad byte at 50000 fails as GB18030 much earlier, wherever its multi-byte pairs break).
        far = max(utf8_error, err, key=lambda e: e.start)
        raise BulletinError(
            "undecodable",
            f"{name}: bytes at offset {far.start} are neither UTF-8 nor GB18030 "
            f"(UTF-8: {utf8_error.reason} at {utf8_error.start}; GB18030: {err.reason} at {err.start})",
        ) from None
    return _blank_checked(_evidenced(data, decoded, name), name)


_GARBLED = 0.3  # share of garbled lines above which GB18030 was the wrong guess
_COHERENT = 0.25  # share of common characters below which Han text is not Chinese (parsing.text.mojibake)


_SAMPLE = 200_000  # characters the evidence is taken from (a 50 MB file costs no more)


def _looks_chinese(text: str) -> bool:
    sample = text[:_SAMPLE]
    coherence, han = han_coherence(to_simplified(sample))
    return garbled_share(sample) <= _GARBLED and (han < 200 or coherence >= _COHERENT)


def _other_encoding(data: bytes) -> tuple[str, str, str] | None:
    """(codec, label, text) of the encoding the bytes were written in, when the evidence
    says one: Big5 that reads as Chinese, Shift-JIS with kana, EUC-KR with Hangul."""
    candidates = []
    for codec, label in (("big5", "Big5 (Traditional Chinese)"), ("shift_jis", "Shift-JIS (Japanese)"),
                         ("euc_kr", "EUC-KR (Korean)")):
        try:
            candidates.append((codec, label, data.decode(codec)))
        except UnicodeDecodeError:
            continue
    for codec, label, text in candidates:
        kana, hangul = script_shares(text)
        if (codec == "big5" and _looks_chinese(text) and garbled_share(text) < 0.05) \
                or (codec == "shift_jis" and kana >= 0.05) or (codec == "euc_kr" and hangul >= 0.2):
            return codec, label, text
    return None


def _accept_or_refuse(other: tuple[str, str, str], name: str) -> Decoded:
    codec, label, text = other
    if codec == "big5":  # Traditional Chinese bulletins are bulletins
        return Decoded(text, "big5", ["encoding_detected:big5"])
    raise BulletinError("unsupported_encoding", f"{name}: the bytes read as {label}, not Chinese text "
                                                f"(UTF-8, GB18030 or Big5)")


def _evidenced(data: bytes, decoded: Decoded, name: str) -> Decoded:
    """GB18030 accepts most byte strings: when its text is mostly garbled or not Chinese
    (too few of the common characters), the bytes are in another encoding (Big5 is read,
    Shift-JIS and EUC-KR refused); a few garbled lines in clean text (a Big5 attachment
    pasted into a GBK bulletin) stay, flagged as mojibake line by line."""
    if _looks_chinese(decoded.text):
        return decoded
    other = _other_encoding(data)
    if other:
        return _accept_or_refuse(other, name)
    return decoded


def _blank_checked(decoded: Decoded, name: str) -> Decoded:
    """A text of white space only (full-width U+3000 and no-break spaces included) is empty."""
    if not decoded.text.strip():
        raise BulletinError("empty_file", f"{name}: the file holds only white space")
    return decoded


def _strict(data: bytes, codec: str, name: str, label: str) -> Decoded:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        raise BulletinError(
            "undecodable", f"{name}: declares {label} by its BOM but byte {err.start} is invalid ({err.reason})"
        ) from None
    if "\x00" in text:
        raise BulletinError("nul_bytes", f"{name}: the decoded text contains NUL characters")
    return Decoded(text.lstrip("\ufeff"), label)
