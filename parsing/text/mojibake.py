"""Find lines damaged by a wrong decoding upstream (mojibake), to flag rather than trust."""
from __future__ import annotations

from parsing.vocab import CJK

import re

from parsing.text.lines import Line

# A half-width "?" touching a CJK character is a lost character in Chinese text (the
# full-width ？ is the real question mark); U+FFFD and 锟斤拷 are decoder replacement marks.
_LOST = re.compile(r"[" + CJK + r"]\?|\?[" + CJK + r"]|\ufffd|锟斤拷|烫烫|屯屯")
# UTF-8 bytes read as GBK give runs of these rarely used characters.
_GBK_OF_UTF8 = re.compile(r"[鍙鏈缁浠涓鐨銆锛瀹璁绠璇鎴鍥闂]{3,}")


def mojibake_lines(lines: list[Line]) -> list[int]:
    return [ln.no for ln in lines if _LOST.search(ln.norm) or _GBK_OF_UTF8.search(ln.norm)]
