"""Names of issuing bodies (发文机关): recognise them and split joint names apart."""
from __future__ import annotations

from parsing.vocab import CJK

import re
from dataclasses import dataclass

from parsing.text.lines import fold_width, to_simplified

# Endings that make a phrase the name of a body rather than a sentence.
_SUFFIX = (
    "国务院|人民政府|政府|办公厅|办公室|委员会|管委会|办事处|党委|市委|省委|县委|区委|州委|"
    "常委会|人大|政协|法院|检察院|厅|局|部|委|院|署|会|中心|小组|组|处|所|行|办|公司|集团|总局|银行|调查队|总队|支队"
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


# ---------------------------------------------------------------- who presents a report

# The post of the person who delivers a report (局长, 市长, 总理 …), longest first.
_POSTS = ("主任委员", "委员长", "检察长", "秘书长", "总理", "省长", "市长", "县长", "区长", "州长", "旗长", "盟长",
          "主席", "主任", "局长", "厅长", "部长", "院长", "署长", "行长", "书记", "专员", "理事长")
_POST = rf"(?:代理|代|常务|党组书记、)?副?(?:{'|'.join(_POSTS)})"
_PERSON = rf"[{CJK}·]{{2,5}}"
_SPEAKER = re.compile(rf"^(?P<org>[{CJK}（）()]{{0,40}}?)(?P<post>{_POST})\s*(?P<name>{_PERSON})?$")
_NAME_ONLY = re.compile(rf"^{_PERSON}$")
# A place name at the start of a body's name or in a title: 石家庄市, 阿克苏地区, 内蒙古自治区, 全国.
PLACE = rf"(?:全国|[{CJK}]{{2,12}}?(?:自治区|自治州|自治县|特别行政区|地区|省|市|州|盟|县|旗|区))"
_PLACE_AT_START = re.compile(rf"^{PLACE}")
_HEADS_GOVERNMENT = ("总理", "省长", "市长", "县长", "区长", "州长", "旗长", "盟长", "专员")


@dataclass(frozen=True)
class Speaker:
    org: str  # the body the speaker heads, as printed (may be bare: 市财政局, or empty)
    post: str
    name: str | None


def speaker(text: str, next_text: str | None = None) -> Speaker | None:
    """The speaker's line under a report's title (`石家庄市财政局局长 王东华`, `国务院总理` + `李克强`).

    `next_text` is the following line, read as the name when this line ends at the post."""
    t = re.sub(r"\s+", " ", text.strip())
    if len(t) > 50 or not t:
        return None
    m = _SPEAKER.match(t.replace(" ", "")) if " " not in t else _SPEAKER.match(t)
    if not m:
        return None
    org, post, name = m["org"].strip(), m["post"], m["name"]
    if name is None:
        nxt = (next_text or "").strip()
        if not _NAME_ONLY.match(nxt):
            return None
        name = nxt
    if org and not (is_org(org) or _PLACE_AT_START.match(org) or org in ("国务院",)):
        return None
    if not org and not name:
        return None
    return Speaker(org, post.replace("党组书记、", ""), name)


def place_in(text: str) -> str | None:
    """The place a title or a meeting line names first (关于石家庄市2018年… → 石家庄市; 全国人民代表大会 → 全国)."""
    norm = re.sub(r"\s+", "", to_simplified(fold_width(text)))
    if "全国人民代表大会" in norm or "全国人大" in norm or re.match(r"^(?:(?:19|20)\d\d年)?(?:中华人民共和国|全国)", norm):
        return "全国"
    m = re.search(rf"(?:关于|在|^)(?:(?:19|20)\d\d年度?)?(?:第[{CJK}0-9]{{1,5}}届)?(?P<p>{PLACE})(?=[{CJK}0-9（(])", norm)
    if not m:
        return None
    place = m["p"]
    return None if place.startswith(("第", "关于", "本")) else place


def _with_place(org: str, place: str | None) -> str:
    """市财政局 → 石家庄市财政局 when the name leaves out its place."""
    if place and place != "全国" and org[:1] in "省市县区州盟旗" and not org.startswith(("市委", "省委")):
        return place + org[1:] if place.endswith(org[0]) else place + org
    return org


def presenter_issuer(sp: Speaker, place: str | None) -> str | None:
    """The body that presents a report: the one its speaker heads (财政局局长 → 财政局;
    市长 → the people's government; 总理 → 国务院)."""
    org = sp.org
    post = sp.post.lstrip("代理常务副")
    if post == "总理" and org in ("", "国务院", "中华人民共和国国务院"):
        return "国务院"
    if post in _HEADS_GOVERNMENT and (not org or _PLACE_AT_START.fullmatch(org)):
        base = org or place
        if not base:
            return None
        return "国务院" if base == "全国" else base + "人民政府"
    if not org:
        return None
    return _with_place(org, place)


def genre_issuer(kind: str, place: str | None) -> str | None:
    """The body that issues a report or communiqué of this kind when no speaker is printed
    (GUIDELINES-PUBLISHED-FORMS: 政府工作报告 → 人民政府, budget → 财政局, plan → 发展和改革委员会,
    communiqué → 统计局); provinces have a 财政厅; the national ones are 国务院, 财政部 …"""
    if not place:
        return None
    national = {"government": "国务院", "budget": "财政部", "plan": "国家发展和改革委员会", "statistics": "国家统计局"}
    if place == "全国":
        return national.get(kind)
    provincial = place.endswith(("省", "自治区"))
    local = {"government": "人民政府", "budget": "财政厅" if provincial else "财政局",
             "plan": "发展和改革委员会", "statistics": "统计局"}
    return place + local[kind] if kind in local else None
