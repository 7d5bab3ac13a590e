"""Read legacy word-processor files (.doc, .wps, .rtf, other OLE documents) through LibreOffice.

There is no maintained pure-Python reader for Word 97–2003 binary files (OLE compound
documents), Kingsoft WPS files or RTF that keeps tables, so these are converted to DOCX
by LibreOffice (MPL-2.0, run as a separate program, nothing linked) and the DOCX is read
by `read_docx`, with the same line and table rules.

`convert_with_libreoffice(data, name, suffix)` runs
`soffice -env:UserInstallation=file:///tmp/… --headless --convert-to docx --outdir TMP`
in a fresh temporary directory, with a user profile of its own (so conversions can run
side by side and never touch, or wait for, a desktop user's profile) and a timeout
(default 180 s; the whole process group is killed when it runs out). The input is
written under an ASCII name with the suffix LibreOffice should see: OLE bytes (a .doc,
or a Kingsoft .wps, which is a Word-compatible OLE file) as `.doc`, so that .wps is not
sent to the Microsoft Works filter; bytes starting with `{\\rtf` as `.rtf`; anything else
with the suffix given.

Errors: no `soffice`/`libreoffice` on PATH → `BulletinError("needs_libreoffice")`;
soffice failing, timing out or writing no DOCX → `BulletinError("conversion_failed")`
with soffice's stderr (and stdout) in the message. Debian needs
`libreoffice-writer-nogui`: with only Calc installed every text conversion fails with
"source file could not be loaded".
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from parsing.errors import BulletinError
from parsing.reading.base import ReadText
from parsing.reading.docx import READER as DOCX_READER
from parsing.reading.docx import read_docx

__all__ = ["convert_with_libreoffice", "read_office", "soffice_path", "libreoffice_version", "OFFICE_FORMATS"]

OFFICE_FORMATS = ("doc", "wps", "rtf")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TIMEOUT = 180.0


def soffice_path() -> str | None:
    """The LibreOffice binary on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.lru_cache(maxsize=1)
def libreoffice_version() -> str:
    """"7.4.7.2" from `soffice --version`, or "?" when it cannot be told."""
    exe = soffice_path()
    if exe is None:
        return "?"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    m = re.search(r"LibreOffice\s+(\d+(?:\.\d+)+)", out)
    return m.group(1) if m else "?"


def _input_suffix(data: bytes, suffix: str) -> str:
    if data.startswith(_OLE):
        return ".doc"
    if data.lstrip()[:5] == b"{\\rtf":
        return ".rtf"
    suffix = suffix if suffix.startswith(".") else "." + suffix
    return suffix.lower() if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ".bin"


def _tail(text: bytes, limit: int = 2000) -> str:
    s = text.decode("utf-8", "replace").strip()
    return s if len(s) <= limit else "…" + s[-limit:]


def convert_with_libreoffice(data: bytes, name: str, suffix: str, timeout: float = _TIMEOUT) -> bytes:
    """The bytes of a DOCX that LibreOffice makes of `data` (a .doc, .wps, .rtf … file)."""
    if not data.strip():
        raise BulletinError("empty_file", f"{name}: the file is empty")
    exe = soffice_path()
    if exe is None:
        raise BulletinError(
            "needs_libreoffice",
            f"{name}: reading {suffix} files needs LibreOffice (soffice), which is not installed "
            "(Debian: apt-get install libreoffice-writer-nogui)",
        )
    with tempfile.TemporaryDirectory(prefix="gongbao-soffice-") as tmp:
        root = Path(tmp)
        src = root / f"input{_input_suffix(data, suffix)}"
        src.write_bytes(data)
        outdir = root / "out"
        outdir.mkdir()
        profile = (root / "profile").as_uri()
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--norestore",
               "--nolockcheck", "--nodefault", "--nologo", "--convert-to", "docx", "--outdir", str(outdir), str(src)]
        env = dict(os.environ, HOME=str(root))
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # soffice forks soffice.bin into the same group
            except ProcessLookupError:
                pass
            stdout, stderr = proc.communicate()
            raise BulletinError(
                "conversion_failed",
                f"{name}: LibreOffice did not finish converting to DOCX within {timeout:g} s; stderr: {_tail(stderr) or '(empty)'}",
            ) from None
        made = outdir / "input.docx"
        if proc.returncode != 0 or not made.is_file() or made.stat().st_size == 0:
            raise BulletinError(
                "conversion_failed",
                f"{name}: LibreOffice could not convert the file to DOCX (exit {proc.returncode}); "
                f"stderr: {_tail(stderr) or '(empty)'}; stdout: {_tail(stdout) or '(empty)'}",
            )
        return made.read_bytes()


def read_office(data: bytes, name: str, fmt: str, timeout: float = _TIMEOUT) -> ReadText:
    """Lines of a .doc/.wps/.rtf file: converted to DOCX by LibreOffice, then read by `read_docx`."""
    if fmt not in OFFICE_FORMATS:
        raise ValueError(f"read_office reads {', '.join(OFFICE_FORMATS)}, not {fmt!r}")
    converted = convert_with_libreoffice(data, name, "." + fmt, timeout=timeout)
    try:
        read = read_docx(converted, name)
    except BulletinError as err:
        raise BulletinError("conversion_failed", f"{name}: LibreOffice's DOCX cannot be read: {err.message}") from err
    read.format = fmt
    read.reader = f"LibreOffice {libreoffice_version()} + {DOCX_READER}"
    read.flags = [*read.flags, "converted_by_libreoffice"]
    return read
