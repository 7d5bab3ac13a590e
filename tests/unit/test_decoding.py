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


# Hostile and unlucky encodings (../shared/research/reliability-2026-12, F06-F08).

def test_a_traditional_bulletin_in_big5_is_read_as_big5():
    got = decode_bytes(sample_text("002").encode("big5", "replace"), "big5.txt")
    assert got.encoding == "big5" and "encoding_detected:big5" in got.flags
    assert got.text.startswith("第一篇:重慶市人民政府辦公廳轉發")


def test_korean_bytes_are_refused_with_their_encoding_named():
    with pytest.raises(BulletinError) as err:
        decode_bytes("대한민국 정부 공보 제10호\n국무회의 결과를 알려드립니다.\n".encode("euc_kr") * 30, "kr.txt")
    assert err.value.kind == "unsupported_encoding" and "EUC-KR" in err.value.message


def test_a_big5_attachment_in_a_gbk_bulletin_is_flagged_line_by_line():
    """The GBK part decodes as GB18030 cleanly; the Big5 part's lines are garbled and flagged,
    so the rows read from them carry the mojibake flag."""
    from parsing.text.mojibake import mojibake_lines

    gbk = sample_text("000").encode("gbk", "replace")
    big5 = sample_text("002").encode("big5", "replace")
    got = decode_bytes(gbk + "\n附件：\n".encode("gbk") + big5, "mixed.txt")
    lines = split_lines(got.text)
    first_big5 = len(sample_text("000").split("\n")) + 2
    flagged = set(mojibake_lines(lines))
    big5_lines = [ln.no for ln in lines[first_big5 - 1:] if ln.text]
    assert got.encoding == "gb18030"
    assert len(flagged & set(big5_lines)) >= 0.9 * len(big5_lines)
    assert not flagged & set(range(1, first_big5 - 1)) - set(mojibake_lines(split_lines(sample_text("000"))))


def test_the_undecodable_message_gives_the_offset_of_the_bad_byte():
    data = bytearray(SAMPLES["000"].read_bytes())
    i = 50000
    while data[i] < 0x80:
        i += 1
    data[i] = 0xFF
    with pytest.raises(BulletinError) as err:
        decode_bytes(bytes(data), "bad.txt")
    offset = int(err.value.message.split("offset ")[1].split()[0])
    assert err.value.kind == "undecodable" and i - 3 <= offset <= i


def test_full_width_spaces_only_is_an_empty_file():
    with pytest.raises(BulletinError) as err:
        decode_bytes("\u3000\u3000\n \n\u00a0".encode(), "blank.txt")
    assert err.value.kind == "empty_file"


def test_japanese_bytes_are_refused_with_their_encoding_named():
    with pytest.raises(BulletinError) as err:
        decode_bytes("日本国政府の公報です。閣議の結果をお知らせします。予算は十億円です。\n".encode("shift_jis") * 30,
                     "jp.txt")
    assert err.value.kind == "unsupported_encoding" and "Shift-JIS" in err.value.message
