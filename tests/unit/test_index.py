"""The full-text index: a query is cut by the same function as the bodies it searches."""
import pytest

from parsing.index.search_terms import query_terms, term_counts
from parsing.text.lines import fold_width, to_simplified
from tests.conftest import sample_line


@pytest.mark.parametrize("prefix,line", [("000", 5), ("003", 40), ("004", 120), ("002", 20)])
def test_query_terms_are_the_body_terms_of_the_same_text(prefix, line):
    text = sample_line(prefix, line).raw
    body = term_counts(to_simplified(fold_width(text)))
    assert query_terms(text) == list(body)
    assert body, f"sample {prefix} line {line} has no terms"


def test_a_traditional_query_finds_simplified_terms():
    assert query_terms("健康醫療大數據") == query_terms("健康医疗大数据")
