import pytest

from parsing.structure.doc_numbers import find_doc_numbers, standalone_doc_number
from tests.conftest import sample_line


@pytest.mark.parametrize("prefix,no,expected", [
    ("001", 6, "国办发〔2016〕47号"),      # full-width digits in a PDF text
    ("002", 9, "渝委办发〔2008〕17号"),    # [2008]17號, Traditional
    ("000", 22, "国发〔2012〕17号"),       # spaced: 〔2012〕17 号 (table of contents)
    ("000", 43, "国发〔2012〕17号"),
    ("003", 3, "绵府发〔2022〕5号"),
])
def test_standalone_doc_numbers(prefix, no, expected):
    dn = standalone_doc_number(sample_line(prefix, no).norm)
    assert dn is not None and dn.canonical == expected


def test_mojibake_brackets_inside_a_stamp_line():
    line = sample_line("002", 3)
    assert "?2006?7號" in line.raw
    assert [d.canonical for d in find_doc_numbers(line.norm)] == ["渝委办发〔2006〕7号"]
    assert standalone_doc_number(line.norm) is None  # not alone on its line


def test_toc_page_number_after_doc_number():
    dn = standalone_doc_number(sample_line("000", 36).norm)  # 绵府办函〔2012〕131 号 24
    assert dn.canonical == "绵府办函〔2012〕131号" and dn.page == 24


def test_footnote_marks_are_not_doc_numbers():
    line = sample_line("003", 279)
    assert line.raw.startswith("〔4〕母婴安全五项制度")
    assert find_doc_numbers(line.norm) == []


def test_inline_reference_in_body():
    found = find_doc_numbers(sample_line("001", 26).norm)
    assert [d.canonical for d in found] == ["国发〔2015〕50号"]
