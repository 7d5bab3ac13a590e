"""A run's few files found by name in a raw folder (find_raw) are the files a listing of the
folder (list_raw) gives for the same ids; where a name does not give its id back, or a file is
gone, find_raw answers None and the caller lists."""
import pytest

from gongbao.store.raw import FIND_BY_NAME, find_raw, list_raw
from parsing.ids import bulletin_id

NAMES = ["000_a.txt", "report.pdf", "page.html", "both", "both.txt", "空白.txt", ".hidden.txt", "a b.docx"]


@pytest.fixture
def folder(tmp_path):
    for name in NAMES:
        (tmp_path / name).write_bytes(name.encode())
    (tmp_path / "sub.txt").mkdir()  # a folder named like a bulletin: no file
    return tmp_path


@pytest.mark.parametrize("keys, expected", [
    (["000_a"], {"000_a": "000_a.txt"}),
    (["report.pdf", "page.html"], {"report.pdf": "report.pdf", "page.html": "page.html"}),
    (["both"], {"both": "both.txt"}),  # two names give the id: the one the listing keeps
    ([bulletin_id("空白.txt")], None),  # a slugged name: not found by name
    ([bulletin_id("a b.docx")], None),
    (["000_a", "gone"], None),  # one file gone: the listing says which
    (["sub"], None),  # a folder, not a file
    ([".hidden"], None),  # hidden files are not bulletins
    ([], {}),
])
def test_found_by_name_as_the_listing_has_them(folder, keys, expected):
    found = find_raw(folder, keys)
    if expected is None:
        assert found is None
        return
    assert {k: p.name for k, p in found.items()} == expected
    listed = list_raw(folder)
    assert found == {k: listed[k] for k in keys}


def test_many_keys_are_listed_not_looked_up(folder):
    assert find_raw(folder, ["000_a"] * (FIND_BY_NAME + 1)) is None
