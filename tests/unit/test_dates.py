import datetime as dt

import pytest

from parsing.structure.dates import any_date, date_line, is_date_line, iso_date, parse_date
from tests.conftest import sample_line


@pytest.mark.parametrize("prefix,no,expected", [
    ("000", 51, dt.date(2012, 6, 14)),   # 二〇一二年六月十四日
    ("000", 340, dt.date(2012, 6, 1)),   # 二〇一二年六月一日
    ("001", 554, dt.date(2016, 6, 21)),  # ２０１６年６月２１日
    ("004", 546, dt.date(2013, 8, 9)),   # 2013 年 8 月 9 日
    ("002", 66, dt.date(2012, 9, 19)),   # (2012年9月19日)
])
def test_signature_date_lines(prefix, no, expected):
    assert date_line(sample_line(prefix, no).norm) == expected


def test_issue_date_in_masthead_line():
    assert parse_date(sample_line("000", 15).norm) == dt.date(2012, 6, 15)


def test_month_without_day_is_not_a_date():
    assert parse_date("2012 年 6 月") is None
    assert date_line("全年新培训各级社会体育指导员2000人") is None


@pytest.mark.parametrize("text,expected", [
    # xinjiang_aksu_2025_statistical_communique.html, line 2: the portal's date in figures
    ("2026-05-28\u3000\u3000出处：阿克苏地区统计局", dt.date(2026, 5, 28)),
    ("发布时间：2019/3/12 10:21", dt.date(2019, 3, 12)),
    ("2019.03.12", dt.date(2019, 3, 12)),
    ("2026-13-01", None),  # no such month
])
def test_dates_written_in_figures(text, expected):
    assert iso_date(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("——2021年3月5日在第十三届全国人民代表大会第四次会议上", dt.date(2021, 3, 5)),  # GWR line 14
    ("（2026年1月28日深圳市第七届人民代表大会第七次会议通过）", dt.date(2026, 1, 28)),
    ("\u3000\u3000二○一二年一月九日", dt.date(2012, 1, 9)),  # jiangxi_xinyu line 11
    ("——2019年2月日在吕梁市第三届人民代表大会", None),  # shanxi_lvliang line 2: the day left blank
    ("2026-05-28\u3000\u3000出处：阿克苏地区统计局", dt.date(2026, 5, 28)),
])
def test_any_date_in_words_or_figures(text, expected):
    assert any_date(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("2019年2月日", True), ("2019年2月", True), ("（2026年1月20日）", True), ("2026-05-28", True),
    ("2026-05-28 出处：阿克苏地区统计局", False), ("全年新培训各级社会体育指导员2000人", False),
])
def test_date_lines_with_or_without_a_day(text, expected):
    assert is_date_line(text) == expected
