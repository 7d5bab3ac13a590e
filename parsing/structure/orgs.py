"""Names of issuing bodies (发文机关): recognise them and split joint names apart."""
from __future__ import annotations

from parsing.vocab import CJK

import re

from parsing.text.lines import fold_width, to_simplified

# Endings that make a phrase the name of a body rather than a sentence.
_SUFFIX = (
    "国务院|人民政府|政府|办公厅|办公室|委员会|管委会|办事处|党委|市委|省委|县委|区委|州委|"
    "常委会|人大|政协|法院|检察院|厅|局|部|委|院|署|会|中心|小组|组|处|所|行|办|公司|集团|总局|银行"
)
ORG = re.compile(rf"^[{CJK}（）()]{{2,30}}?(?:{_SUFFIX})$")
_NOT_ORG = re.compile(r"关于|通知|意见|印发|转发|规划|计划|方案|我们|以下|要求")
# A joint name written without separators splits before a new body's name starts.
_JOINT_SPLIT = re.compile(
    r"(?<=[厅室府委局部院会])(?=中共|国务院|[" + CJK + r"]{2,4}?(?:省|市|县|自治区|自治州|区)(?!委员会))"
)


def is_org(text: str) -> bool:
    text = text.strip()
    return bool(ORG.match(text)) and not _NOT_ORG.search(text)


def split_orgs(text: str) -> list[str]:
    """Split a line of one or more body names ("国务院 中央军委", "中共X市委X市人民政府")."""
    parts = [p for p in re.split(r"[\s、,，]+", text.strip()) if p]
    if not parts or not all(is_org(p) for p in parts):
        return []
    out: list[str] = []
    for part in parts:
        pieces = [p for p in _JOINT_SPLIT.split(part) if p]
        out.extend(pieces if all(is_org(p) for p in pieces) else [part])
    return out


def as_written(norm: str, raw: str, names: list[str]) -> list[str]:
    """The names found in `norm` cut from `raw` (same length), so Traditional stays Traditional."""
    out, pos = [], 0
    for name in names:
        at = norm.find(name, pos)
        if at < 0 or len(norm) != len(raw):
            return names
        out.append(raw[at: at + len(name)])
        pos = at + len(name)
    return out


def orgs_in_line(norm: str, raw: str) -> list[str]:
    return as_written(norm, raw, split_orgs(norm))


def issuers_from_title(title: str) -> list[str]:
    """The bodies named before 关于 (or 转发/印发/批转) in a title, as a fallback signature."""
    norm = to_simplified(fold_width(title))
    m = re.match(r"^(.{2,60}?)(?:关于|转发|印发|批转)", norm)
    return as_written(norm, title, split_orgs(m[1])) if m else []
