"""``make screenshots`` (``python -m tests.screenshots``): the tool serves the shipped data itself, finds the
pages from the service and writes PNGs of the requested width."""
from __future__ import annotations

import struct

import pytest

from tests.screenshots import main

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_screenshots_of_two_pages_at_one_width(live_store, tmp_path, capsys):
    from tests.fixtures.live import chromium_available

    if not chromium_available():
        pytest.skip("Debian's chromium/chromedriver fehlen / not installed")
    out = tmp_path / "shots"
    assert main(["--store", str(live_store), "--out", str(out), "--only", "home,konzept", "--width", "390"]) == 0
    expected = [out / "home-390.png", out / "konzept-390.png"]
    assert sorted(out.iterdir()) == expected
    assert capsys.readouterr().out.split() == [str(p) for p in expected]
    sizes = [png_size(p.read_bytes()) for p in expected]
    assert all(width == 390 and height >= 400 for width, height in sizes), sizes
    assert expected[0].read_bytes() != expected[1].read_bytes()  # two pages, not one twice
