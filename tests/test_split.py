"""Golden cases and invariants for the rule-based sentence splitter and tokenizer (hedge.text)."""

from __future__ import annotations

import pytest

from hedge.text import Span, split_sentences, token_strings, tokenize


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


GOLDEN: list[tuple[str, list[str]]] = [
    # Plain text and the empty cases.
    ("The bridge will stay shut. Repairs may cost more.",
     ["The bridge will stay shut.", "Repairs may cost more."]),
    ("", []),
    ("   \n\t  ", []),
    ("No full stop at the end", ["No full stop at the end"]),
    ("Is it safe? Nobody knows! Officials declined to comment.",
     ["Is it safe?", "Nobody knows!", "Officials declined to comment."]),
    # Titles, initials and other abbreviations.
    ("Gov. Jerry Brown signed the bill. It takes effect in May.",
     ["Gov. Jerry Brown signed the bill.", "It takes effect in May."]),
    ("Dr. Lena Ortiz advises the council. She was not available.",
     ["Dr. Lena Ortiz advises the council.", "She was not available."]),
    ("Mr. and Mrs. Smith arrived on Jan. 5 with Prof. Jones.",
     ["Mr. and Mrs. Smith arrived on Jan. 5 with Prof. Jones."]),
    ("The report was written by J. R. Smith and colleagues. It was published later.",
     ["The report was written by J. R. Smith and colleagues.", "It was published later."]),
    ("President George W. Bush spoke. Then he left.",
     ["President George W. Bush spoke.", "Then he left."]),
    ("The tour visits St. Louis and Mt. Vernon.", ["The tour visits St. Louis and Mt. Vernon."]),
    ("Officials in the U.S. said the plan was sound.", ["Officials in the U.S. said the plan was sound."]),
    ("He lives in the U.S. The next day he flew home.",
     ["He lives in the U.S.", "The next day he flew home."]),
    ("The U.S. Supreme Court ruled on Monday.", ["The U.S. Supreme Court ruled on Monday."]),
    ("She moved to Washington, D.C. The job started in June.",
     ["She moved to Washington, D.C.", "The job started in June."]),
    ("The meeting is at 5 p.m. Monday.", ["The meeting is at 5 p.m. Monday."]),
    ("Polls close at 8 p.m. Results are expected by midnight.",
     ["Polls close at 8 p.m.", "Results are expected by midnight."]),
    ("He bought apples, pears, etc. The shop closed early.",
     ["He bought apples, pears, etc.", "The shop closed early."]),
    ("The talks were held at No. 10 Downing Street.", ["The talks were held at No. 10 Downing Street."]),
    ("The answer was no. The vote failed.", ["The answer was no.", "The vote failed."]),
    ("Shares of Apple Inc. rose 3%. Rivals fell.", ["Shares of Apple Inc. rose 3%.", "Rivals fell."]),
    ("Some fruits, e.g. apples, keep well. Others, i.e. berries, do not.",
     ["Some fruits, e.g. apples, keep well.", "Others, i.e. berries, do not."]),
    ("The case is Roe v. Wade. It was decided in 1973.",
     ["The case is Roe v. Wade.", "It was decided in 1973."]),
    # Scientific text.
    ("Smith et al. reported this in 2005. Later work (Fig. 2) agreed.",
     ["Smith et al. reported this in 2005.", "Later work (Fig. 2) agreed."]),
    ("Cells were grown for approx. 2 h and ca. 30 min. E. coli was used as a control.",
     ["Cells were grown for approx. 2 h and ca. 30 min.", "E. coli was used as a control."]),
    ("Cells were treated with cyclosporin A. The effect was lost.",
     ["Cells were treated with cyclosporin A.", "The effect was lost."]),
    ("Binding was blocked by actinomycin D. Activation of the gene was also reduced.",
     ["Binding was blocked by actinomycin D.", "Activation of the gene was also reduced."]),
    ("Levels peaked at 6 h. Similar effects were seen in mice.",
     ["Levels peaked at 6 h.", "Similar effects were seen in mice."]),
    ("The protein was detected. p53 levels rose sharply. mRNA levels did not.",
     ["The protein was detected.", "p53 levels rose sharply.", "mRNA levels did not."]),
    ("This was shown before [12]. It holds in vivo.", ["This was shown before [12].", "It holds in vivo."]),
    ("This was shown before.[3] It holds in vivo.", ["This was shown before.[3]", "It holds in vivo."]),
    ("The results are summarised below. (a) The first group grew. (b) The second did not.",
     ["The results are summarised below.", "(a) The first group grew.", "(b) The second did not."]),
    ("Two effects were found. 1. Growth slowed. 2. Cells died.",
     ["Two effects were found.", "1. Growth slowed.", "2. Cells died."]),
    # Numbers, money, URLs and e-mail addresses.
    ("Inflation rose to 3.5% in May. Prices fell in June.",
     ["Inflation rose to 3.5% in May.", "Prices fell in June."]),
    ("The deal is worth $4.2 billion. It closes in 2025.",
     ["The deal is worth $4.2 billion.", "It closes in 2025."]),
    ("Profit fell. $3 million was lost on the sale.", ["Profit fell.", "$3 million was lost on the sale."]),
    ("The season ended. 2024 was a bad year.", ["The season ended.", "2024 was a bad year."]),
    ("Visit example.com for details. Write to press@example.org. We reply quickly.",
     ["Visit example.com for details.", "Write to press@example.org.", "We reply quickly."]),
    ("See https://www.example.com/news/2024.html today. It is free.",
     ["See https://www.example.com/news/2024.html today.", "It is free."]),
    # Quotes, ellipses, brackets and dashes.
    ('"It may rain," he said.', ['"It may rain," he said.']),
    ('"Really?" She laughed.', ['"Really?"', "She laughed."]),
    ('"Really?" she asked.', ['"Really?" she asked.']),
    ('He said, "We will win." Then he left.', ['He said, "We will win."', "Then he left."]),
    ("“It is over,” she said. “We lost.” Nobody answered.",
     ["“It is over,” she said.", "“We lost.”", "Nobody answered."]),
    ("‘Stop!’ he shouted. They ran.", ["‘Stop!’ he shouted.", "They ran."]),
    ("Wait... what happened?", ["Wait... what happened?"]),
    ("He paused... Then he left.", ["He paused...", "Then he left."]),
    ("He paused… Then he left.", ["He paused…", "Then he left."]),
    ("The plan (approved last year.) failed. (Nobody was surprised.) Work stopped.",
     ["The plan (approved last year.) failed.", "(Nobody was surprised.)", "Work stopped."]),
    ("The vote — the first in years — passed. Critics — and there were many — objected.",
     ["The vote — the first in years — passed.", "Critics — and there were many — objected."]),
    ("Is it over? — No, it is not.", ["Is it over? — No, it is not."]),
    # Headlines, lines and white space.
    ("Harbor bridge to stay shut\n\nThe bridge will stay closed. Repairs continue.",
     ["Harbor bridge to stay shut", "The bridge will stay closed.", "Repairs continue."]),
    ("BREAKING\n\n\nMarkets fell sharply", ["BREAKING", "Markets fell sharply"]),
    ("Headline one\r\n\r\nBody text here. More text.\r\n",
     ["Headline one", "Body text here.", "More text."]),
    ("First sentence.\tSecond sentence.", ["First sentence.", "Second sentence."]),
    ("A line that wraps\nonto the next line. Then another.",
     ["A line that wraps\nonto the next line.", "Then another."]),
    ("Key points:\n- Prices rose\n- Wages fell\n* Rents doubled",
     ["Key points:", "- Prices rose", "- Wages fell", "* Rents doubled"]),
    ("Steps:\n1. Open the box\n2. Remove the lid", ["Steps:", "1. Open the box", "2. Remove the lid"]),
    ("• First point\n• Second point", ["• First point", "• Second point"]),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN, ids=[t[:40] or "empty" for t, _ in GOLDEN])
def test_golden(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


INVARIANT_TEXTS = [text for text, _ in GOLDEN] + [
    "  Leading and trailing space.  ",
    "...",
    "?!",
    ". . .",
    "a.b.c. d.e.f. G.H.I.",
    "U.S.",
    "Dr.",
    "1.\n\n2.\n\n3.",
    '"',
    "\n\n\n",
    "Ends with a quote.\" ",
    "x" * 50 + ". " + "Y" * 50 + "!",
    "Mixed\r\nline\rendings. Here.\u2028Next\u00a0one.",
]


@pytest.mark.parametrize("text", INVARIANT_TEXTS)
def test_spans_are_ordered_trimmed_and_cover_the_text(text: str) -> None:
    spans = split_sentences(text)
    assert all(isinstance(span, Span) for span in spans)
    previous_end = 0
    for start, end in spans:
        assert 0 <= previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        previous_end = end
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_offsets_point_into_the_original_text() -> None:
    text = "  “Quoted,” he said.\r\n\r\nDr. Smith—the mayor—left at 5 p.m. Monday.  It rained… "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "“Quoted,” he said.", "Dr. Smith—the mayor—left at 5 p.m. Monday.", "It rained…"]
    assert spans[0] == Span(2, 20)


def test_blank_line_always_ends_a_sentence() -> None:
    # Even after an abbreviation or in the middle of a clause.
    assert sentences("Talks with Dr.\n\nSmith ended") == ["Talks with Dr.", "Smith ended"]
    assert sentences("the council could not\n \t\nagree") == ["the council could not", "agree"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello, world!", ["Hello", ",", "world", "!"]),
    ("It's a state-of-the-art U.S. plan.", ["It's", "a", "state-of-the-art", "U.S", ".", "plan", "."]),
    ("Costs rose 3.5% to $4.2 billion.", ["Costs", "rose", "3.5", "%", "to", "$", "4.2", "billion", "."]),
    ("AT&T and “Ben’s” café", ["AT&T", "and", "“", "Ben’s", "”", "café"]),
    ("", []),
])
def test_token_strings(text: str, expected: list[str]) -> None:
    assert token_strings(text) == expected


def test_tokenize_spans_match_token_strings() -> None:
    text = "  The U.S. economy grew 2.1% (est.) — officials said.\n"
    spans = tokenize(text)
    assert [text[s:e] for s, e in spans] == token_strings(text)
    assert all(isinstance(span, Span) and 0 <= span.start < span.end <= len(text) for span in spans)
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)
    assert all(not text[s:e].isspace() for s, e in spans)


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is in the test extras
    given = None

if given is not None:
    _PIECES = st.sampled_from([
        "a", "The", "U.S.", "Dr.", "J.", "e.g.", "p.m.", "No.", "3.5", "$4", "1.", "(a)", "(", ")", "[1]",
        ".", "...", "…", "?", "!", '"', "“", "”", "'", "’", "—", "-", "•", "mRNA", "p53", "E. coli",
        " ", "  ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "x",
    ])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(_PIECES, max_size=40).map("".join))
    def test_invariants_on_generated_text(text: str) -> None:
        test_spans_are_ordered_trimmed_and_cover_the_text(text)
