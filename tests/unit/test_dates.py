import datetime as dt

import pytest

from parsing.structure.dates import date_line, parse_date
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
