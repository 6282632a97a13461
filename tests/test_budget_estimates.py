"""The traffic file: each mistake gives the file, the line and the reason; a BOM is read as UTF-8."""

from __future__ import annotations

import pytest

from politecrawl.budget.estimates import load_estimates
from politecrawl.config import ConfigError

BAD = [
    ("dup.csv", b"site,requests_per_day\nshop-a.com,100\nwww.shop-a.com,200\n", "line 3",
     "'www.shop-a.com' is given twice (as site shop-a.com; first at line 2)"),
    ("utf8.csv", b"site,requests_per_day\nshop-a.com,100\nb\xe9.com,5\n", "line 3", "not UTF-8 text (byte 0xe9)"),
    ("name.csv", b"site,requests_per_day\nnot a site!,100\n", "line 2", "is not a host name"),
    ("range.csv", b"site,requests_per_day\nshop-a.com,1e13\n", "line 2", "out of range: at most 1e+12"),
    ("bytes.csv", b"site,requests_per_day,bytes_per_day\nshop-a.com,5,1e30\n", "line 2", "bytes_per_day ('1e30') is out of range"),
    ("nan.csv", b"site,requests_per_day\nshop-a.com,nan\n", "line 2", "must be a positive number"),
    ("bool.json", b'{\n "shop-a.com": 5,\n "b.com": true\n}', "line 3", "requests_per_day (True) is not a number"),
    ("dup.json", b'{"shop-a.com": 1,\n "shop-a.com": 2}', "line 2", "'shop-a.com' is given twice"),
    ("dup2.json", b'[{"site": "shop-a.com", "requests_per_day": 1},\n {"site": "www.shop-a.com", "requests_per_day": 2}]',
     "line 2", "given twice"),
    ("name.json", b'[\n{"site": "-bad-.com", "requests_per_day": 1}]', "line 2", "is not a host name"),
    ("utf8.json", b'{"shop-a.com": 1,\n"\xff": 2}', "line 2", "not UTF-8 text"),
]


@pytest.mark.parametrize(("name", "content", "line", "reason"), BAD, ids=[b[0] for b in BAD])
def test_each_mistake_names_the_file_line_and_reason(tmp_path, name, content, line, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_estimates(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}, {line}: "), message
    assert reason in message, message


@pytest.mark.parametrize("name", ["traffic.csv", "traffic.json"])
def test_a_utf8_bom_is_read_as_the_start_of_the_file(tmp_path, name):
    path = tmp_path / name
    body = b"site,requests_per_day\nshop-a.com,100\n" if name.endswith(".csv") else b'{"shop-a.com": 100}'
    path.write_bytes(b"\xef\xbb\xbf" + body)
    assert load_estimates(str(path))["shop-a.com"].requests_per_day == 100


def test_settings_mappings_are_checked_the_same_way():
    with pytest.raises(ConfigError, match="is not a number"):
        load_estimates({"shop-a.com": True})
    with pytest.raises(ConfigError, match="given twice"):
        load_estimates({"shop-a.com": 1, "www.shop-a.com": 2})
    assert load_estimates({"xn--bcher-kva.de": 3, "127.0.0.1": 4, "bücher.example": 5})
