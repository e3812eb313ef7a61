"""Readers for labelled data: JSON Lines, CSV/TSV, fastText, Szeged and BioScope XML.

Every fixture file is written inline into ``tmp_path``; the XML ones follow the layout of the real
corpora (see /work/shared/corpora/README.md). Corpus-backed checks are marked ``corpora``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hedge.errors import DataFormatError
from hedge.readers import detect_format, read_examples, read_file


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def cue_texts(example) -> list[str]:
    return [example.text[s:e] for s, e in example.cues]


SZEGED = """<?xml version="1.0" encoding="UTF-8" standalone="no"?><!DOCTYPE Annotation PUBLIC "-//Uncertainty//DTD  SCOPE ANNOTATION 1.0//EN" "Uncertainty.dtd">
<Annotation created="6/9/2011" creator="test"><DocumentSet><Document type="Wikipedia_text_weasel"><DocID type="WIKIPEDIA_ARTICLE_ID">Rain_1</DocID><DocumentPart type="Title"><Sentence id="S1.1">Rain <ccue type="speculation_modal_probable_">may</ccue> fall</Sentence></DocumentPart><DocumentPart type="Text"><Sentence id="S1.2">It <ccue type="speculation_modal_probable_">may</ccue> rain.</Sentence><Sentence id="S1.3">The bridge opened in 1990.</Sentence><Sentence id="S1.4"> Some <ccue type="speculation_hypo_doxastic _">believe</ccue> it <ccue type="speculation_modal_probable_">could possibly</ccue> work. </Sentence></DocumentPart></Document><Document type="Wikipedia_text_weasel"><DocID type="WIKIPEDIA_ARTICLE_ID">Vote_2</DocID><DocumentPart type="Title"><Sentence id="S1.1">Vote</Sentence></DocumentPart><DocumentPart type="Text"><Sentence id="S1.2">The vote took place on May 5.</Sentence><Sentence id="S1.3"><ccue type="speculation_hypo_condition _">If</ccue> it passes, taxes <ccue type="speculation_modal_probable_">might</ccue> rise.</Sentence></DocumentPart></Document></DocumentSet></Annotation>
"""

BIOSCOPE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE Annotation PUBLIC "-//BIOSCOPE//DTD  SCOPE ANNOTATION 1.0//EN" "BioScope.dtd">
<Annotation created="23/6/2008"  creator="XMLconverter">
	<DocumentSet>
		<Document type="Biological_abstract">
			<DocID type="PMID">91079577</DocID>
				<DocumentPart type="Title">
					<sentence id="S1.1">Induction of NF-KB by HIV type 1 infection.</sentence>
				</DocumentPart>
				<DocumentPart type="AbstractText">
					<sentence id="S1.2">PMA treatment, and <xcope id="X1.2.1"><cue type="negation" ref="X1.2.1">not</cue> retinoic acid treatment</xcope> acts.</sentence>
					<sentence id="S1.3">These results <xcope id="X1.3.2"><cue type="speculation" ref="X1.3.2">indicate that</cue> HIV-1 <xcope id="X1.3.1"><cue type="speculation" ref="X1.3.1">could</cue> mimic <xcope id="X1.3.3"><cue type="negation" ref="X1.3.3">no</cue> stimuli</xcope></xcope></xcope>.</sentence>
				</DocumentPart>
		</Document>
		<Document type="Biological_abstract">
			<DocID type="PMID">91094881</DocID>
				<DocumentPart type="AbstractText">
					<sentence id="S2.1">The gene is <xcope id="X2.1.1"><cue type="speculation" ref="X2.1.1">possibly</cue> expressed in B cells</xcope>.</sentence>
				</DocumentPart>
		</Document>
	</DocumentSet>
</Annotation>
"""


# -- JSON Lines --------------------------------------------------------------------------------
def test_jsonl_reads_text_label_and_cue_offsets(tmp_path):
    path = write(tmp_path / "d.jsonl", "\n".join([
        json.dumps({"text": "It may rain.", "hedged": True, "cues": [{"start": 3, "end": 6, "text": "may"}]}),
        "",  # blank lines are skipped
        json.dumps({"text": "Officials reportedly left.", "hedged": True, "cues": [[10, 20]]}),
        json.dumps({"text": "The bridge opened in 1990.", "hedged": False}),
        json.dumps({"text": "It is certain.", "label": "certain", "doc": "article-7"}),
    ]) + "\n")
    got = read_file(path)
    assert [(ex.text, ex.hedged) for ex in got] == [
        ("It may rain.", True), ("Officials reportedly left.", True),
        ("The bridge opened in 1990.", False), ("It is certain.", False),
    ]
    assert got[0].cues == [(3, 6)]
    assert cue_texts(got[1]) == ["reportedly"]
    assert got[2].cues is None  # no cue annotation at all, not "no cues"
    assert got[3].doc == "article-7"
    assert got[0].origin == f"{path}:1" and got[1].origin == f"{path}:3"


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False),
    ("hedged", True), ("HEDGED", True), ("uncertain", True), ("yes", True), ("1", True),
    ("certain", False), ("not_hedged", False), ("no", False), ("0", False), (" false ", False),
])
def test_jsonl_label_values(tmp_path, value, expected):
    path = write(tmp_path / "d.jsonl", json.dumps({"text": "Some text.", "hedged": value}) + "\n")
    assert read_file(path)[0].hedged is expected


def test_jsonl_label_follows_cues_when_no_label_given(tmp_path):
    path = write(tmp_path / "d.jsonl", "\n".join([
        json.dumps({"text": "It may rain.", "cues": [[3, 6]]}),
        json.dumps({"text": "It rained.", "cues": []}),
    ]) + "\n")
    assert [ex.hedged for ex in read_file(path)] == [True, False]


def test_jsonl_keeps_split_and_filters_by_it(tmp_path):
    path = write(tmp_path / "d.jsonl", "\n".join(
        json.dumps({"text": f"Sentence {i}.", "hedged": False, "split": s})
        for i, s in enumerate(["train", "dev", "train"])) + "\n")
    assert [ex.text for ex in read_examples([path], split="train")] == ["Sentence 0.", "Sentence 2."]
    assert [ex.text for ex in read_examples([path], split="dev")] == ["Sentence 1."]


def test_jsonl_with_utf8_bom(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"text": "It may rain.", "hedged": True}).encode() + b"\n")
    assert [ex.text for ex in read_file(path)] == ["It may rain."]


def test_jsonl_row_containing_line_separator_character(tmp_path):
    rows = [{"text": "It may\u2028rain.", "hedged": True}, {"text": "Fine\x85.", "hedged": False}]
    path = write(tmp_path / "d.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    got = read_file(path)
    assert [ex.text for ex in got] == ["It may\u2028rain.", "Fine\x85."]


# Each malformed row kind: (file name, content, line of the fault, words the message must hold).
JSONL_BAD = [
    pytest.param('{"text": "ok", "hedged": true}\n{"text": "broken", \n', 2, "not JSON", id="bad-json"),
    pytest.param('["a list", true]\n', 1, "JSON object", id="not-an-object"),
    pytest.param('{"text": "ok", "hedged": false}\n\n{"hedged": true}\n', 3, "text", id="missing-text"),
    pytest.param('{"text": 42, "hedged": true}\n', 1, "text", id="text-not-a-string"),
    pytest.param('{"text": "It may rain."}\n', 1, "hedged", id="missing-label"),
    pytest.param('{"text": "It may rain.", "hedged": "perhaps"}\n', 1, "perhaps", id="bad-label"),
    pytest.param('{"text": "It may rain.", "hedged": 2}\n', 1, "label", id="bad-label-number"),
    pytest.param('{"text": "It may rain.", "hedged": true, "cues": [[3, 40]]}\n', 1, "not inside the text",
                 id="cue-outside-text"),
    pytest.param('{"text": "It may rain.", "hedged": true, "cues": [[-1, 2]]}\n', 1, "not inside the text",
                 id="cue-negative"),
    pytest.param('{"text": "It may rain.", "hedged": true, "cues": [[6, 3]]}\n', 1, "not inside the text",
                 id="cue-reversed"),
    pytest.param('{"text": "It may rain.", "hedged": true, "cues": [{"start": 3, "end": 6, "text": "rain"}]}\n',
                 1, "does not match", id="cue-text-mismatch"),
    pytest.param('{"text": "It may rain.", "hedged": true, "cues": [3]}\n', 1, "cue", id="cue-not-a-span"),
    pytest.param('{"text": "It may rain.", "hedged": true, "cues": "may"}\n', 1, "cues", id="cues-not-a-list"),
    pytest.param('{"text": "It may rain.", "hedged": false, "cues": [[3, 6]]}\n', 1, "cues",
                 id="label-contradicts-cues"),
    pytest.param('{"text": "It may rain.", "hedged": true, "attribution": "someone"}\n', 1, "attribution",
                 id="bad-attribution"),
    pytest.param('{"text": "ok", "hedged": true}\n{"text": "It may rain.", "hedged": true, "source": [0, 99]}\n',
                 2, "source", id="source-outside-text"),
]


@pytest.mark.parametrize("content, line, words", JSONL_BAD)
def test_jsonl_malformed_row_names_file_and_line(tmp_path, content, line, words):
    path = write(tmp_path / "bad.jsonl", content)
    with pytest.raises(DataFormatError) as err:
        read_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message
    assert "\n" not in message
    assert err.value.line == line


# -- CSV / TSV ---------------------------------------------------------------------------------
def test_csv_with_header_quotes_and_multiline_field(tmp_path):
    path = write(tmp_path / "d.csv", (
        "text,hedged,doc\n"
        '"It may rain, they say.",1,a\n'
        '"A quoted ""word"" here.",0,b\n'
        '"Two\nlines.",hedged,c\n'
        "The bridge opened in 1990.,false,d\n"
    ))
    got = read_file(path)
    assert [(ex.text, ex.hedged, ex.doc) for ex in got] == [
        ("It may rain, they say.", True, "a"), ('A quoted "word" here.', False, "b"),
        ("Two\nlines.", True, "c"), ("The bridge opened in 1990.", False, "d"),
    ]
    assert all(ex.cues is None for ex in got)


def test_tsv_header_names_are_case_insensitive_and_label_column_accepted(tmp_path):
    path = write(tmp_path / "d.tsv", "Text\tLabel\nIt may rain, perhaps.\thedged\nIt rained.\tcertain\n")
    got = read_file(path)
    assert [(ex.text, ex.hedged) for ex in got] == [("It may rain, perhaps.", True), ("It rained.", False)]
    assert got[1].origin == f"{path}:3"


CSV_BAD = [
    pytest.param("d.csv", "sentence,hedged\nIt may rain.,1\n", 1, "text", id="csv-no-text-column"),
    pytest.param("d.csv", "text,score\nIt may rain.,1\n", 1, "hedged", id="csv-no-label-column"),
    pytest.param("d.csv", "It may rain.,1\nIt rained.,0\n", 1, "header", id="csv-no-header"),
    pytest.param("d.csv", "text,hedged\nIt may rain.,1\nIt rained.\n", 3, "columns", id="csv-missing-column"),
    pytest.param("d.csv", "text,hedged\nIt rained.,0,extra\n", 2, "columns", id="csv-extra-column"),
    pytest.param("d.csv", "text,hedged\nIt may rain.,1\nIt rained.,sometimes\n", 3, "sometimes",
                 id="csv-bad-label"),
    pytest.param("d.tsv", "text\thedged\nIt may rain.\t1\nIt rained.\n", 3, "columns", id="tsv-missing-column"),
    pytest.param("d.tsv", "text,hedged\nIt may rain.,1\n", 1, "text", id="tsv-with-commas"),
]


@pytest.mark.parametrize("name, content, line, words", CSV_BAD)
def test_delimited_malformed_row_names_file_and_line(tmp_path, name, content, line, words):
    path = write(tmp_path / name, content)
    with pytest.raises(DataFormatError) as err:
        read_file(path)
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert words in str(err.value)


def test_csv_error_line_counts_physical_lines_of_a_multiline_field(tmp_path):
    path = write(tmp_path / "d.csv", 'text,hedged\n"Two\nlines.",1\nbad,maybe\n')
    with pytest.raises(DataFormatError) as err:
        read_file(path)
    assert str(err.value).startswith(f"{path}:4: ")


# -- fastText ------------------------------------------------------------------------------------
def test_fasttext_lines(tmp_path):
    path = write(tmp_path / "d.txt", "__label__hedged It may rain.\n\n__label__0   The bridge opened in 1990.  \n"
                                     "__label__1 Officials reportedly left.\n")
    got = read_file(path)
    assert [(ex.text, ex.hedged) for ex in got] == [
        ("It may rain.", True), ("The bridge opened in 1990.", False), ("Officials reportedly left.", True)]
    assert got[1].origin == f"{path}:3"


FASTTEXT_BAD = [
    pytest.param("__label__1 It may rain.\nIt rained without a label.\n", 2, "__label__", id="no-label"),
    pytest.param("__label__1 __label__0 Both labels.\n", 1, "found 2", id="two-labels"),
    pytest.param("__label__1 It may rain.\n__label__0\n", 2, "no text", id="label-only"),
    pytest.param("__label__sometimes It may rain.\n", 1, "sometimes", id="bad-label"),
]


@pytest.mark.parametrize("content, line, words", FASTTEXT_BAD)
def test_fasttext_malformed_line_names_file_and_line(tmp_path, content, line, words):
    path = write(tmp_path / "d.txt", content)
    with pytest.raises(DataFormatError) as err:
        read_file(path, "fasttext")
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert words in str(err.value)


# -- Szeged and BioScope XML -------------------------------------------------------------------------
def test_szeged_sentences_cues_and_titles_skipped(tmp_path):
    got = read_file(write(tmp_path / "wiki.xml", SZEGED))
    assert [(ex.text, ex.hedged, cue_texts(ex), ex.doc) for ex in got] == [
        ("It may rain.", True, ["may"], "Rain_1"),
        ("The bridge opened in 1990.", False, [], "Rain_1"),
        ("Some believe it could possibly work.", True, ["believe", "could possibly"], "Rain_1"),
        ("The vote took place on May 5.", False, [], "Vote_2"),
        ("If it passes, taxes might rise.", True, ["If", "might"], "Vote_2"),
    ]
    # Golden offsets; the third sentence had white space around it in the XML.
    assert got[0].cues == [(3, 6)]
    assert got[2].cues == [(5, 12), (16, 30)]
    assert got[4].cues == [(0, 2), (20, 25)]
    assert got[0].origin.endswith(":Rain_1:S1.2")


def test_bioscope_speculation_cues_only(tmp_path):
    got = read_file(write(tmp_path / "abstracts.xml", BIOSCOPE))
    assert [(ex.text, ex.hedged, cue_texts(ex), ex.doc) for ex in got] == [
        ("Induction of NF-KB by HIV type 1 infection.", False, [], "91079577"),
        ("PMA treatment, and not retinoic acid treatment acts.", False, [], "91079577"),  # negation only
        ("These results indicate that HIV-1 could mimic no stimuli.", True, ["indicate that", "could"],
         "91079577"),
        ("The gene is possibly expressed in B cells.", True, ["possibly"], "91094881"),
    ]
    assert got[2].cues == [(14, 27), (34, 39)]


def test_malformed_xml_reports_file_and_line(tmp_path):
    path = write(tmp_path / "wiki.xml", "<Annotation><Document>\n<Sentence id='S1'>open\n</Annotation>\n")
    with pytest.raises(DataFormatError) as err:
        read_file(path, "szeged")
    assert re.match(rf"{re.escape(str(path))}:\d+: malformed XML", str(err.value)), str(err.value)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Annotation><DocumentSet><Document><DocID>d</DocID><DocumentPart type="Text">
<{tag} id="S1">It may be &lol9;.</{tag}>
</DocumentPart></Document></DocumentSet></Annotation>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Annotation [<!ENTITY secret SYSTEM "file://{target}">]>
<Annotation><DocumentSet><Document><DocID>d</DocID><DocumentPart type="Text">
<{tag} id="S1">Leak: &secret;</{tag}>
</DocumentPart></Document></DocumentSet></Annotation>
"""


@pytest.mark.parametrize("fmt, tag", [("szeged", "Sentence"), ("bioscope", "sentence")])
def test_billion_laughs_refused_without_expansion(tmp_path, fmt, tag):
    path = write(tmp_path / "bomb.xml", BILLION_LAUGHS.replace("{tag}", tag))
    with pytest.raises(DataFormatError) as err:
        read_file(path, fmt)
    assert str(err.value).startswith(f"{path}")
    assert "unsafe XML" in str(err.value)
    assert "lol" not in str(err.value)


@pytest.mark.parametrize("fmt, tag", [("szeged", "Sentence"), ("bioscope", "sentence")])
def test_external_entity_refused_and_not_read(tmp_path, fmt, tag):
    secret = write(tmp_path / "secret.txt", "TOP-SECRET-TOKEN")
    path = write(tmp_path / "xxe.xml", EXTERNAL_ENTITY.replace("{tag}", tag).replace("{target}", str(secret)))
    with pytest.raises(DataFormatError) as err:
        read_file(path, fmt)
    assert "unsafe XML" in str(err.value)
    assert "TOP-SECRET-TOKEN" not in str(err.value)


# -- format detection ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, content, expected", [
    ("d.jsonl", '{"text": "a", "hedged": true}\n', "jsonl"),
    ("d.ndjson", '{"text": "a", "hedged": true}\n', "jsonl"),
    ("d.JSONL", '{"text": "a", "hedged": true}\n', "jsonl"),
    ("d.csv", "text,hedged\na,1\n", "csv"),
    ("d.tsv", "text\thedged\na\t1\n", "tsv"),
    # by content: .txt and unknown extensions
    ("d.txt", "__label__1 It may rain.\n", "fasttext"),
    ("d.ft", "  __label__1 It may rain.\n", "fasttext"),
    ("d.txt", '{"text": "a", "hedged": true}\n', "jsonl"),
    ("d.data", '{"text": "a", "hedged": true}\n', "jsonl"),
    ("wiki.xml", SZEGED, "szeged"),
    ("abstracts.xml", BIOSCOPE, "bioscope"),
    ("wiki_no_extension", SZEGED, "szeged"),
    ("bio.dat", BIOSCOPE, "bioscope"),
])
def test_detect_format(tmp_path, name, content, expected):
    assert detect_format(write(tmp_path / name, content)) == expected


@pytest.mark.parametrize("name, content", [
    ("d.data", "text,hedged\na,1\n"),          # CSV without a .csv extension
    ("d.txt", "Just some prose.\n"),
    ("other.xml", "<?xml version='1.0'?><html><p>hi</p></html>"),
])
def test_detect_format_refuses_to_guess(tmp_path, name, content):
    path = write(tmp_path / name, content)
    with pytest.raises(DataFormatError) as err:
        detect_format(path)
    assert str(err.value).startswith(f"{path}:1: ")


def test_detect_format_sees_through_utf8_bom(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(b"\xef\xbb\xbf__label__1 It may rain.\n__label__0 It rained.\n")
    assert detect_format(path) == "fasttext"


def test_forced_format_overrides_detection(tmp_path):
    # A CSV file with an unhelpful extension: detection refuses, forcing reads it.
    path = write(tmp_path / "d.data", "text,hedged\nIt may rain.,1\nIt rained.,0\n")
    assert [(ex.text, ex.hedged) for ex in read_examples([path], fmt="csv")] == [
        ("It may rain.", True), ("It rained.", False)]
    # A .txt file that looks like fastText can be forced to TSV.
    tsv = write(tmp_path / "d.txt", "text\thedged\nIt may rain.\t1\n")
    assert [ex.text for ex in read_file(tsv, "tsv")] == ["It may rain."]


def test_unknown_forced_format(tmp_path):
    path = write(tmp_path / "d.jsonl", '{"text": "a", "hedged": true}\n')
    with pytest.raises(DataFormatError, match="unknown format 'yaml'"):
        read_file(path, "yaml")


def test_directory_of_data_files_is_read_in_sorted_order(tmp_path):
    write(tmp_path / "b.jsonl", '{"text": "From b.", "hedged": false}\n')
    write(tmp_path / "a.csv", "text,hedged\nFrom a.,1\n")
    write(tmp_path / "notes.md", "not data\n")
    assert [ex.text for ex in read_examples([tmp_path])] == ["From a.", "From b."]


def test_missing_data_file(tmp_path):
    with pytest.raises(DataFormatError, match="no such file"):
        read_examples([tmp_path / "nope.jsonl"])


def test_invalid_utf8_in_data_names_the_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"text": "ok", "hedged": true}\n{"text": "caf\xe9", "hedged": false}\n')
    with pytest.raises(DataFormatError) as err:
        read_file(path)
    assert str(err.value).startswith(f"{path}:2: ")


# -- the shared corpora ---------------------------------------------------------------------------------
@pytest.mark.corpora
@pytest.mark.parametrize("rel, fmt, min_sentences, share", [
    ("szeged-uncertainty/wiki_train.xml", "szeged", 10_000, (0.10, 0.25)),
    ("bioscope/abstracts.xml", "bioscope", 10_000, (0.10, 0.25)),
    ("bioscope/full_papers.xml", "bioscope", 2_000, (0.10, 0.30)),
])
def test_real_corpus_reads_with_sane_cues(corpora, rel, fmt, min_sentences, share):
    path = corpora / rel
    assert detect_format(path) == fmt
    got = read_file(path)
    assert len(got) >= min_sentences
    hedged = sum(ex.hedged for ex in got) / len(got)
    assert share[0] <= hedged <= share[1]
    for ex in got:
        assert ex.text == ex.text.strip() and ex.text
        assert ex.hedged == bool(ex.cues)
        for s, e in ex.cues:
            assert 0 <= s < e <= len(ex.text)
            assert ex.text[s:e] == ex.text[s:e].strip()


@pytest.mark.corpora
def test_szeged_corpus_skips_titles(corpora):
    got = read_file(corpora / "szeged-uncertainty/wiki_train.xml")
    # The first document's title "Tim Witherspoon" is not a sentence; its first body sentence is.
    texts = [ex.text for ex in got[:5]]
    assert "Tim Witherspoon" not in texts
    assert texts[0].startswith("On May 20, 1983, Witherspoon")
    assert got[0].doc == "Tim Witherspoon_2358"
