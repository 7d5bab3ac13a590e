import codecs

import pytest

from parsing.reading.text import decode_bytes
from parsing.errors import BulletinError
from parsing.text.lines import split_lines
from tests.conftest import SAMPLES

LINE_000_43 = "国发〔2012〕17号"


def sample_text(prefix="000"):
    return SAMPLES[prefix].read_bytes().decode("utf-8")


@pytest.mark.parametrize("codec,bom,label", [
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ("gb18030", b"", "gb18030"),
])
def test_encodings_keep_text_and_line_numbers(codec, bom, label):
    text = sample_text()
    got = decode_bytes(bom + text.encode(codec), "x.txt")
    assert got.encoding == label
    assert split_lines(got.text)[42].norm == LINE_000_43


def test_crlf_keeps_line_numbers():
    text = sample_text().replace("\n", "\r\n")
    lines = split_lines(decode_bytes(text.encode("utf-8")).text)
    assert lines[42].raw == LINE_000_43 and lines[42].no == 43


def test_truncated_last_character_is_flagged_not_refused():
    data = sample_text().encode("utf-8") + "号".encode("utf-8")[:2]
    got = decode_bytes(data, "cut.txt")
    assert got.flags == ["truncated_last_char"]
    assert got.text == sample_text()


@pytest.mark.parametrize("data,kind", [
    (b"", "empty_file"),
    (b"  \n\n", "empty_file"),
    (b"%PDF-1.7\n...", "binary_file"),
    (b"\x89PNG\r\n\x1a\n", "binary_file"),
    ("国务院".encode("utf-8") + b"\x00\x00abc", "nul_bytes"),
    (b"\xff\xfe\xfd\x80\x81 plain", "undecodable"),
])
def test_bad_input_names_file_and_reason(data, kind):
    with pytest.raises(BulletinError) as err:
        decode_bytes(data, "bad input.txt")
    assert err.value.kind == kind
    assert "bad input.txt" in str(err.value)


def test_fullwidth_digits_are_folded_for_parsing_but_kept_raw():
    line = split_lines(sample_text("001"))[5]
    assert line.raw == "国办发〔２０１６〕４７号"
    assert line.norm == "国办发〔2016〕47号"


def test_traditional_is_simplified_for_parsing_only():
    line = split_lines(sample_text("002"))[8]
    assert line.raw == "渝委辦發[2008]17號"
    assert line.norm == "渝委办发[2008]17号"
