"""Attribution: flags, the pronoun rule across sentences, the PolNeAR reader, and the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from hedge.attribution import TAGS, AttributionModel, flags_for
from hedge.errors import DataFormatError
from hedge.linear import LinearScorer
from hedge.polnear import annotation_files, parse_ann, read_polnear
from hedge.records import SentenceRecord


def record(text: str = "x", *, hedged: bool = False, attribution: str = "none", assertion: bool = True) -> SentenceRecord:
    rec = SentenceRecord("doc", 0, 0, len(text), text, 0.9 if hedged else 0.1, hedged)
    rec.attribution, rec.assertion = attribution, assertion
    return rec


@pytest.mark.parametrize("hedged, attribution, assertion, expected", [
    (False, "none", True, ["unattributed"]),
    (False, "vague", True, ["vague-source"]),
    (False, "named", True, []),
    (True, "none", True, ["unattributed", "hedged-unsourced"]),
    (True, "vague", True, ["vague-source", "hedged-unsourced"]),
    (True, "named", True, []),
    # Not an assertion (a question, a headline with no claim): never flagged.
    (True, "none", False, []),
    (False, "vague", False, []),
])
def test_flags_follow_from_the_labels(hedged, attribution, assertion, expected):
    assert flags_for(record(hedged=hedged, attribution=attribution, assertion=assertion)) == expected


def rule_model() -> AttributionModel:
    """A hand-weighted model whose decisions are known: every sentence with 'said' is attributed,
    capitalised words and pronouns before 'said' are the source, and two capitals make a name."""
    sentence = LinearScorer({"u=said": 20.0}, -10.0)
    source = {
        "O": LinearScorer({}, 0.0),
        "B": LinearScorer({"da|sh=1|CAP": 5.0, "da|sh=2|CAP": 5.0, "da|sh=1|first-CAP": 5.0,
                           "da|sh=2|first-CAP": 5.0}, -3.0),
        "I": LinearScorer({"pt=B": 4.0, "pt|sh=CAP": 4.0, "da=1": 1.0}, -6.0),
    }
    kind = LinearScorer({"caps=1": 5.0, "caps=2": 5.0, "caps=3": 5.0}, -2.0)
    assertion = LinearScorer({"question-mark": -20.0}, 5.0)
    model = AttributionModel(sentence, source, kind, assertion)
    model.thresholds["source_bias"] = 0.0
    return model


def annotate(texts: list[str]) -> list[SentenceRecord]:
    recs = [SentenceRecord("doc", i, 0, len(t), t, 0.1, False) for i, t in enumerate(texts)]
    rule_model().annotate(recs)
    return recs


def test_rule_model_tags_a_named_source():
    [rec] = annotate(["Anna Kowalski said the bridge is safe."])
    assert (rec.attribution, rec.source.text) == ("named", "Anna Kowalski")


@pytest.mark.parametrize("texts, expected_last", [
    # The pronoun takes the kind of the nearest earlier named source in the document...
    (["Anna Kowalski said the bridge is safe.", "She said repairs start soon."], "named"),
    (["Anna Kowalski said the bridge is safe.", "The river rose.", "He said repairs start soon."], "named"),
    # ...and is vague when no named source came before it.
    (["He said repairs start soon."], "vague"),
    (["The river rose.", "She said repairs start soon."], "vague"),
])
def test_pronoun_source_takes_the_kind_of_the_nearest_earlier_named_source(texts, expected_last):
    recs = annotate(texts)
    assert recs[-1].source is not None and recs[-1].source.text in ("He", "She")
    assert recs[-1].attribution == expected_last


def test_pronoun_rule_does_not_cross_documents():
    first = annotate(["Anna Kowalski said the bridge is safe."])
    second = annotate(["She said repairs start soon."])
    assert first[0].attribution == "named" and second[0].attribution == "vague"


def test_questions_are_not_assertions_and_not_flagged():
    [rec] = annotate(["Will the bridge reopen?"])
    assert rec.assertion is False and rec.flags == []


def test_attribution_model_json_round_trip_keeps_decisions():
    model = rule_model()
    again = AttributionModel.from_json(model.to_json())
    texts = ["Anna Kowalski said the bridge is safe.", "He said so.", "The river rose."]
    a = [SentenceRecord("d", i, 0, len(t), t, 0.1, False) for i, t in enumerate(texts)]
    b = [SentenceRecord("d", i, 0, len(t), t, 0.1, False) for i, t in enumerate(texts)]
    model.annotate(a)
    again.annotate(b)
    assert a == b


def test_attribution_thresholds_are_checked_on_load():
    data = rule_model().to_json()
    data["thresholds"]["sentence"] = 7.0
    with pytest.raises(ValueError, match="thresholds"):
        AttributionModel.from_json(data)


# -- the PolNeAR (brat standoff) reader --------------------------------------------------------
BRAT_TEXT = ("Mayor Anna Kowalski said the bridge will reopen in June. The river rose overnight.\n\n"
             "Officials warned that the water could rise again, according to the coast guard.")


def write_brat(root: Path, ann_by_annotator: dict[str, str], name: str = "story") -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / f"{name}.txt").write_text(BRAT_TEXT, encoding="utf-8")
    for annotator, ann in ann_by_annotator.items():
        (root / "attributions" / f"{name}_{annotator}.ann").write_text(ann, encoding="utf-8")
    return root


def span(text: str, sub: str, start: int = 0) -> tuple[int, int]:
    i = text.index(sub, start)
    return i, i + len(sub)


def t_line(n: int, kind: str, sub: str) -> str:
    s, e = span(BRAT_TEXT, sub)
    return f"T{n}\t{kind} {s} {e}\t{sub}"


def good_ann() -> str:
    s1, e1 = span(BRAT_TEXT, "Officials")
    s2, e2 = span(BRAT_TEXT, "the coast guard")
    return "\n".join([
        t_line(1, "Source", "Mayor Anna Kowalski"),
        t_line(2, "Cue", "said"),
        t_line(3, "Attribution", "said"),
        t_line(4, "Content", "the bridge will reopen in June"),
        "E1\tAttribution:T3 Content:T4 Cue:T2 Source:T1",
        # A discontinuous source, its text holding a line break (brat writes it on two lines).
        f"T5\tSource {s1} {e1};{s2} {e2}\tOfficials",
        "the coast guard",
        t_line(6, "Attribution", "warned"),
    ]) + "\n"


def test_polnear_reader_maps_spans_into_sentences(tmp_path):
    root = write_brat(tmp_path / "corpus", {"aaaa": good_ann()})
    examples = list(read_polnear(root))
    assert [ex.text for ex in examples] == [
        "Mayor Anna Kowalski said the bridge will reopen in June.",
        "The river rose overnight.",
        "Officials warned that the water could rise again, according to the coast guard.",
    ]
    first, second, third = examples
    assert first.hedged is None
    assert first.extra["attributed"] and not second.extra["attributed"] and third.extra["attributed"]
    assert [first.text[s:e] for s, e in first.extra["sources"]] == ["Mayor Anna Kowalski"]
    assert second.extra["sources"] == []
    assert [third.text[s:e] for s, e in third.extra["sources"]] == ["Officials", "the coast guard"]
    # Offsets of the sentence in the article are kept.
    assert BRAT_TEXT[third.extra["doc_start"]:].startswith("Officials warned")


def test_polnear_reader_takes_one_annotator_per_article(tmp_path):
    other = t_line(1, "Attribution", "rose") + "\n"
    root = write_brat(tmp_path / "corpus", {"bbbb": other, "aaaa": good_ann()})
    assert annotation_files(root)["story"].name == "story_aaaa.ann"
    examples = list(read_polnear(root))
    assert not examples[1].extra["attributed"]  # bbbb's annotation of "rose" is not read


@pytest.mark.parametrize("line, problem", [
    ("T1\tSource 5 x\tAnna", "not integers"),
    ("T1\tSource 5 9999\tAnna", "inside the text"),
    ("T1\tSource\tAnna", "not start-end pairs"),
])
def test_polnear_reader_reports_malformed_lines(tmp_path, line, problem):
    path = tmp_path / "x.ann"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=problem) as err:
        parse_ann(path, len(BRAT_TEXT))
    assert str(err.value).startswith(f"{path}:1:")


def test_rule_model_has_a_scorer_per_tag():
    assert set(rule_model().source) == set(TAGS)


def test_training_on_attribution_without_kinds_inherits_them_from_the_default_model(tmp_path):
    from hedge.readers import Example, read_examples
    from hedge.train import TrainConfig, train

    root = write_brat(tmp_path / "corpus", {"aaaa": good_ann()})
    hedge_data = [Example("It may rain tomorrow.", True, [(3, 6)], doc="h1"),
                  Example("The storm might pass.", True, [(10, 15)], doc="h2"),
                  Example("It rained on May 5.", False, [], doc="n1"),
                  Example("The river rose.", False, [], doc="n2")]
    model = train(hedge_data + read_examples([root]), TrainConfig(folds=2, min_feature_count=1,
                                                                  attribution_min_count=1))
    from hedge.model import load_model

    shipped = load_model().attribution
    assert model.attribution.kind == shipped.kind and model.attribution.assertion == shipped.assertion
    assert model.attribution.sentence != shipped.sentence  # trained on this data
