"""Tables and table indicators on real lines of the samples."""
import pytest

from parsing.numbers.indicators import parse_value, table_indicators
from parsing.numbers.tables import find_tables
from tests.conftest import sample_lines


def table_at(prefix, first_line):
    return next(t for t in find_tables(sample_lines(prefix)) if t.first_line <= first_line <= t.last_line)


def by_line(indicators, line):
    return [i for i in indicators if i["line"] == line]


def test_tab_table_with_two_header_rows_and_footnote_marks():
    t = table_at("000", 68)  # 专栏1: 指标 | 2005年 | 2010年 (规划目标 | 实际情况 | 增长率)
    assert t.caption == "专栏1 社会保障“十一五”规划主要指标实现情况"
    assert t.header_paths == ["指标", "2005年", "2010年 / 规划目标", "2010年 / 实际情况", "2010年 / 增长率"]
    row = by_line(table_indicators(t, 2012), 70)  # 城镇基本医疗保险参保人数（万人）	13783	30000	43263（2）	213.9%
    assert [(i["kind"], i["period"], i["value"], i["unit"]) for i in row] == [
        ("baseline", "2005", 13783.0, "万人"), ("target", "2010", 30000.0, "万人"),
        ("actual", "2010", 43263.0, "万人"), ("change", "2006-2010", 213.9, "%")]
    assert row[2]["value_text"] == "43263（2）" and row[0]["name"] == "城镇基本医疗保险参保人数"
    # line 71: 新农合覆盖率 23.5% >80% 95%（3） —
    row = by_line(table_indicators(t, 2012), 71)
    assert [(i["value"], i["comparator"], i["unit"]) for i in row] == [(23.5, None, "%"), (80.0, ">", "%"),
                                                                       (95.0, None, "%")]
    # line 69: （万人）（1） — the unit in brackets, the footnote mark dropped; dashes are not items
    row = by_line(table_indicators(t, 2012), 69)
    assert [(i["name"], i["unit"], i["value"]) for i in row] == [("新农保参保人数", "万人", 10277.0)]


def test_bare_years_before_the_document_are_baselines():
    t = table_at("000", 114)  # 专栏 2: 2010 年 | 2015 年 | 增加, in a 2012 document
    row = by_line(table_indicators(t, 2012), 114)
    assert [(i["kind"], i["period"]) for i in row] == [("baseline", "2010"), ("target", "2015"),
                                                       ("change", "2011-2015")]
    assert row[0]["unit"] == "亿人"


def test_pipe_table_rows_that_lost_merged_cells():
    t = table_at("003", 39)
    ind = table_indicators(t, 2022)
    # line 39 lost its 类别 cell: "孤儿和事实无人抚养儿童保障覆盖率 | —— | 应保尽保 | 约束性 | |"
    (row,) = by_line(ind, 39)
    assert row["name"] == "孤儿和事实无人抚养儿童保障覆盖率" and row["value"] is None
    assert row["value_text"] == "应保尽保" and row["nature"] == "约束性" and row["kind"] == "target"
    # line 61 keeps its cells: "每百户居民拥有社区综合服务设施面积(平方米) | —— | ≥30 | 预期性 |"
    (row,) = by_line(ind, 61)
    assert (row["unit"], row["value"], row["comparator"], row["nature"]) == ("平方米", 30.0, ">=", "预期性")
    assert len(ind) == 42


def test_section_rows_units_column_and_trailing_empty_cells():
    t = table_at("004", 257)
    assert t.caption == "“宽带中国”发展目标与发展时间表"
    ind = table_indicators(t, 2013)
    assert by_line(ind, 256) == [] and by_line(ind, 262) == []  # "1. 宽带用户规模" section rows
    assert [i["name"] for i in by_line(ind, 258)][0] == "光纤到户（FTTH）用户"  # 其中： dropped, written as in the source
    # line 280 ends with an empty cell: values stay in their own columns
    assert [(i["period"], i["value"], i["unit"]) for i in by_line(ind, 280)] == [("2013", 7800.0, "太字节"),
                                                                                ("2015", 15000.0, "太字节")]
    assert [(i["value"], i["comparator"]) for i in by_line(ind, 271)] == [(100.0, ">"), (1000.0, ">")]
    assert all(i["kind"] == "target" for i in ind)


@pytest.mark.parametrize("text,expected", [
    ("≥30", (30.0, ">=", False)), (">80%", (80.0, ">", True)), ("大于1000", (1000.0, ">", False)),
    ("20（80%用户）", (20.0, None, False)), ("应保尽保", (None, None, False)), ("213.9%", (213.9, None, True)),
])
def test_cell_values(text, expected):
    assert parse_value(text) == expected


def test_tables_without_indicators_are_kept_as_cells(parsed):
    cells = parsed["000"].tables["table_cells"]
    assert any(c["text"].startswith("实现新农保制度全覆盖") for c in cells)  # 专栏 3, a list of actions
    assert not any(i["table_title"] and i["table_title"].startswith("专栏 3") for i in parsed["000"].tables["indicators"])
