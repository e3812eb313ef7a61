"""The HTML report: one self-contained page, checked as written and as a real browser renders it."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hedge.cli import app

STORY = """# Bridge may stay shut

Officials said the bridge **may** reopen soon. Mayor Anna Kowalski said the bridge will reopen.

Visit <script>alert("boom")</script> & read "quotes" <b>here</b>.

```
code that may be skipped
```

- The tower may fall tonight.
- The bridge closed in 1990.
"""
PLAIN = "The minister reportedly resigned.\n\nProfessor Alan Reed said the tests were clean.\n"


class Elements(HTMLParser):
    """Every element's tag, attributes and text (the text of its direct and nested children)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        texts: list[str] = []
        self.found.append((tag, dict((k, v or "") for k, v in attrs), texts))
        if tag not in ("meta", "br", "hr", "img", "link", "input"):
            self._open.append(texts)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for texts in self._open:
            texts.append(data)

    def having(self, tag: str, cls: str) -> list[str]:
        """The texts of the ``tag`` elements with class ``cls``."""
        return [" ".join("".join(t).split()) for name, attrs, t in self.found
                if name == tag and cls in attrs.get("class", "").split()]


def elements(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


@pytest.fixture()
def report(runner, news_model_dir, tmp_path) -> Path:
    (tmp_path / "story.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "plain.txt").write_text(PLAIN, encoding="utf-8")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["score", str(tmp_path / "story.md"), str(tmp_path / "plain.txt"), "--model",
                                 str(news_model_dir), "--no-config", "--format", "html", "-o", str(out), "--explain"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    return out


def check_highlights(found: Elements) -> None:
    """What the report must show for STORY and PLAIN with the news model."""
    cues = found.having("mark", "cue")
    assert cues.count("may") >= 3 and "reportedly" in cues
    assert "code" not in " ".join(cues)
    sources = found.having("span", "src")
    assert sources[0] == "source"  # the legend's
    assert {"Officials", "Mayor Anna Kowalski", "Professor Alan Reed"} <= set(sources[1:])
    flags = found.having("span", "flag")
    assert {"vague-source", "hedged-unsourced", "unattributed"} <= set(flags)
    hedged = found.having("span", "hedged")
    assert "Officials said the bridge may reopen soon." in hedged  # Markdown marks not shown
    assert "The tower may fall tonight." in hedged
    assert "Mayor Anna Kowalski said the bridge will reopen." not in hedged
    flagged = found.having("span", "flagged")
    assert "The bridge closed in 1990." in flagged
    summaries = [t for t in found.having("div", "summary")]
    assert len(summaries) == 2 and all("sentences" in s and "hedged" in s for s in summaries)
    assert found.having("section", "legend") and "an assertion credited to no source at all" in found.having(
        "section", "legend")[0]
    assert len(found.having("table", "overview")) == 1


def test_report_page_is_self_contained_and_escaped(report):
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    found = elements(page)
    check_highlights(found)
    tags = {name for name, _, _ in found.found}
    assert not tags & {"script", "link", "img", "iframe", "object"}  # nothing to run, nothing to fetch
    for _, attrs, _ in found.found:
        for key in ("src", "href"):
            assert not attrs.get(key) or attrs[key].startswith("#")
    assert "default-src 'none'" in page
    assert "&lt;script&gt;alert(&quot;boom&quot;)&lt;/script&gt;" not in page  # skipped as markup, not shown
    assert 'alert("boom")' not in page and "alert(&quot;boom&quot;)" not in page
    # Markup in the text is escaped: "&" and quotes from the document come out as entities.
    assert "&amp; read &quot;quotes&quot; here.<" in page  # and "</b>." leaves no gap before the stop
    # Tooltips say where the sentence is and why it scored as it did.
    tips = [attrs.get("title", "") for name, attrs, _ in found.found if name == "span" and "s" in attrs.get("class", "").split()]
    assert any("line 3, column 1" in t and "sentence score" in t for t in tips)


def test_report_paragraphs_follow_the_document(report):
    found = elements(report.read_text(encoding="utf-8"))
    paragraphs = [t for name, attrs, t in found.found if name == "p" and not attrs]
    texts = [" ".join("".join(t).split()) for t in paragraphs]
    assert any(t.startswith("Officials said") and "Mayor Anna Kowalski said" in t for t in texts)  # one paragraph
    assert any(t.startswith("The tower may fall tonight.") for t in texts)  # a list item starts a new one
    assert any(t.startswith("Professor Alan Reed") for t in texts)  # after a blank line


def _browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=120)


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGB(A) rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i:i + 3]) for r in rows for i in range(0, stride, bpp)]


def test_report_in_a_headless_browser(report, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    url = report.resolve().as_uri()
    dom = _chromium(browser, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert re.search(r"<h1>hedge report</h1>", dom.stdout)
    check_highlights(elements(dom.stdout))  # the highlights are in the page as the browser built it

    shot = tmp_path / "shot.png"
    run = _chromium(browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,900", url)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    width, height, pixels = png_pixels(shot)
    assert (width, height) == (1200, 900)
    colours = {}
    for px in pixels:
        colours[px] = colours.get(px, 0) + 1
    assert colours.get(bytes((0xff, 0xd4, 0x3b)), 0) > 500  # cue yellow, painted
    assert colours.get(bytes((0xc9, 0x2a, 0x2a)), 0) > 200  # flag red
    assert colours.get(bytes((0xd0, 0xeb, 0xff)), 0) > 200  # source blue
