"""The fast scoring path behind :meth:`hedge.model.HedgeModel.score_texts`.

It gives the numbers of the plain path (:meth:`~hedge.model.HedgeModel.reference_score_text`) bit for
bit (the tests compare them on thousands of real sentences), by doing less work, not different work:

* Most sentences hold no candidate word. That is found without the tokenizer: none of the text's ASCII
  word runs (``bytes.translate`` + ``split``, at C speed) is in the *probe*, which holds an ASCII word
  run of every candidate.
* In ASCII text a candidate is found by searching for the probe words, and only a few characters on
  each side of it are tokenized, for its two neighbours: the rest of the sentence is never tokenized.
* A cue logit is a sum of one weight per feature template. Each template's weight is memoised on the
  words it names, so feature strings are built only the first time those words are seen; the weights
  are summed in the order of :func:`hedge.features.cue_features`, so the float sum is the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from hedge.features import BOS, EOS, cue_families, cue_features, inside_quotes, sentence_features, shape, word_class
from hedge.linear import HashedScorer, LinearScorer, sigmoid
from hedge.model import SentenceScore, merge_adjacent
from hedge.text import TOKEN, WORD_BYTES, Span

_findall, _finditer = TOKEN.findall, TOKEN.finditer
_JOINERS = "'-.&"  # the ASCII characters that join two word characters into one token ("it's", "e-mail")
_SPACE = 32  # what WORD_BYTES makes of every byte that is not an ASCII word character
_WINDOW = 24  # characters tokenized on each side of a candidate (widened when that holds too few tokens)
# Sentences with candidates scored with feature strings before the weight tables (tens of
# milliseconds to build) are: a short text never pays for them.
_PLAIN_SENTENCES = 2000


# The cue model's feature templates (hedge.features.cue_features), and whose words they name besides
# the context's: "" none, "w" the candidate's, "fam" its cue family's.
_TEMPLATES = {
    "w": "w", "fam": "fam", "sh": "", "w|sh": "w", "p1": "", "n1": "", "p2": "", "n2": "", "p1|w": "w",
    "w|n1": "w", "w|n1|n2": "w", "p2|p1|w": "w", "pc1": "", "nc1": "", "w|pc1": "w", "w|nc1": "w",
    "w|pc1|nc1": "w", "w|nc1|nc2": "w", "w|pc2|pc1": "w", "fam|pc1": "fam", "fam|nc1": "fam",
    "fam|pc1|nc1": "fam",
}
_ZEROS2, _ZEROS3 = (0.0, 0.0), (0.0, 0.0, 0.0)
_MEMO_SIZE = 100_000  # tokens whose form, class or shape are remembered


class CueWeights:
    """The cue model's logit of a candidate without building its feature strings.

    ``logit(tokens, lows, i, quoted)`` equals ``cue.decision(cue_features(tokens, lows, i))``. The
    weights are split once by the words their features name, into tables per candidate word; the
    templates over the same context words share one look-up (a tuple of weights). They are summed in
    the order of the features, as :meth:`LinearScorer.decision` does, so the float sum is the same.

    A feature's words are joined by "|", so a "|" token makes its name ambiguous: such features are
    left out, and a text holding "|" must be scored with the feature strings. ``usable`` is False
    when the model has templates this code does not know, or is hashed (then always use the feature
    strings).
    """

    def __init__(self, cue: LinearScorer | HashedScorer, candidates: frozenset[str]) -> None:
        self.bias = cue.bias
        if not isinstance(cue, LinearScorer):  # a hashed cue model has no feature names to split
            self.usable = False
            return
        self.quoted = cue.weights.get("quoted", 0.0)
        families = cue_families()
        fams = {w: families.get(w, "none") for w in candidates}
        self.usable = all(x and "|" not in x for x in [*candidates, *fams.values()])
        # template -> owner (candidate word, cue family or "") -> context words (a string or a tuple) -> weight
        raw: dict[str, dict[str, dict]] = {t: {} for t in _TEMPLATES}
        for name, weight in cue.weights.items():
            template, _, value = name.partition("=")
            owner = _TEMPLATES.get(template)
            if owner is None:
                self.usable = self.usable and name == "quoted"
                continue
            parts = value.split("|")
            if len(parts) != template.count("|") + 1 or not all(parts):
                continue  # a "|" token among the words
            mine = "" if not owner else parts.pop(len(parts) - 1 if template.endswith("|w") else 0)
            key = parts[0] if len(parts) == 1 else tuple(parts) if parts else ""
            raw[template].setdefault(mine, {})[key] = weight
        self.glob = tuple(raw[t].get("", {}) for t in ("p1", "n1", "p2", "n2"))

        def table(w: str, *templates: str) -> dict:
            """Context words -> the weights of ``templates`` (in order) for candidate ``w``."""
            parts = [raw[t].get(w if _TEMPLATES[t] == "w" else fams[w] if _TEMPLATES[t] else "", {})
                     for t in templates]
            if len(parts) == 1:
                return parts[0]
            return {k: tuple(part.get(k, 0.0) for part in parts) for k in set().union(*parts)}

        self.words = {
            w: (raw["w"].get(w, {}).get("", 0.0), raw["fam"].get(fams[w], {}).get("", 0.0),
                table(w, "sh", "w|sh"), table(w, "p1|w"), table(w, "w|n1"), table(w, "w|n1|n2"),
                table(w, "p2|p1|w"), table(w, "pc1", "w|pc1", "fam|pc1"), table(w, "nc1", "w|nc1", "fam|nc1"),
                table(w, "w|pc1|nc1", "fam|pc1|nc1"), table(w, "w|nc1|nc2"), table(w, "w|pc2|pc1"))
            for w in candidates
        }
        self._shapes: dict[str, str] = {}
        self._known: dict[str, tuple[str, str]] = {}

    def logit(self, word: str, token: str, before: list[str], after: list[str], quoted: bool) -> float:
        """The logit of candidate ``token`` (lower-cased: ``word``) with up to two ``before`` and
        ``after`` it (all there are when fewer), inside a quotation or not."""
        (w_w, w_fam, t_sh, t_p1, t_n1, t_n1n2, t_p2p1, t_pc1, t_nc1, t_pc1nc1, t_nc1nc2,
         t_pc2pc1) = self.words[word]
        known = self._known
        if before:
            p1, pc1 = known.get(before[-1]) or self._learn(before[-1])
            sh = self._shapes.get(token) or self._shape(token)
            if len(before) > 1:
                p2, pc2 = known.get(before[-2]) or self._learn(before[-2])
            else:
                p2 = pc2 = BOS
        else:
            p1 = p2 = pc1 = pc2 = BOS
            sh = "first"
        if after:
            n1, nc1 = known.get(after[0]) or self._learn(after[0])
            if len(after) > 1:
                n2, nc2 = known.get(after[1]) or self._learn(after[1])
            else:
                n2 = nc2 = EOS
        else:
            n1 = n2 = nc1 = nc2 = EOS
        g_p1, g_n1, g_p2, g_n2 = self.glob
        a_sh, a_wsh = t_sh.get(sh, _ZEROS2)
        a_pc1, a_wpc1, a_fpc1 = t_pc1.get(pc1, _ZEROS3)
        a_nc1, a_wnc1, a_fnc1 = t_nc1.get(nc1, _ZEROS3)
        a_wpc1nc1, a_fpc1nc1 = t_pc1nc1.get((pc1, nc1), _ZEROS2)
        values = [
            w_w, w_fam, a_sh, a_wsh, g_p1.get(p1, 0.0), g_n1.get(n1, 0.0), g_p2.get(p2, 0.0), g_n2.get(n2, 0.0),
            t_p1.get(p1, 0.0), t_n1.get(n1, 0.0), t_n1n2.get((n1, n2), 0.0), t_p2p1.get((p2, p1), 0.0),
            a_pc1, a_nc1, a_wpc1, a_wnc1, a_wpc1nc1, t_nc1nc2.get((nc1, nc2), 0.0), t_pc2pc1.get((pc2, pc1), 0.0),
            a_fpc1, a_fnc1, a_fpc1nc1,
        ]
        if quoted:
            values.append(self.quoted)
        return self.bias + sum(values)

    def _learn(self, token: str) -> tuple[str, str]:
        """A context token's lower-cased form and word class, memoised (bounded)."""
        if len(self._known) >= _MEMO_SIZE:
            self._known.clear()
        found = self._known[token] = (token.lower(), word_class(token, token.lower()))
        return found

    def _shape(self, token: str) -> str:
        if len(self._shapes) >= _MEMO_SIZE:
            self._shapes.clear()
        sh = self._shapes[token] = shape(token)
        return sh


class FastScorer:
    """Scores sentences' texts with a model's candidates, cue model and sentence model."""

    def __init__(self, candidates: frozenset[str], cue: LinearScorer, sentence: LinearScorer) -> None:
        self.candidates, self.cue, self.sentence = candidates, cue, sentence
        self.base = sigmoid(sentence.decision_dense(sentence_features([])))
        probe: set[bytes] | None = set()
        # "Simple" candidates are one ASCII word run each: then ASCII text can be searched for them.
        self.simple = True
        for cand in candidates:
            runs = cand.encode("utf-8", "surrogatepass").translate(WORD_BYTES).split()
            if not runs:
                probe = None  # a candidate without ASCII word characters: no pre-filter at all
                break
            probe.add(runs[0])
            self.simple = self.simple and runs == [cand.encode("utf-8")]
        self.probe = None if probe is None else frozenset(probe)
        get = sentence.weights.get
        self._sentence_weights = (get("max", 0.0), get("second", 0.0), get("n_pos", 0.0))
        # Building the weight tables takes tens of milliseconds: worth it only beyond a short text.
        self.weights: CueWeights | None = None
        self.windowed = False
        self._until_tables = _PLAIN_SENTENCES

    def score_texts(self, texts: Iterable[str], threshold: float) -> list[SentenceScore]:
        """One :class:`~hedge.model.SentenceScore` per text, in order."""
        probe, table, base = self.probe, WORD_BYTES, self.base
        base_hedged = base >= threshold
        window, tokens = self._score_window, self._score_tokens
        out: list[SentenceScore] = []
        append = out.append
        for text in texts:
            if probe is not None:
                if text.isascii():
                    data = text.encode().translate(table)
                    words = data.split()
                else:
                    data = None
                    words = text.lower().encode("utf-8", "surrogatepass").translate(table).split()
                if probe.isdisjoint(words):
                    append(SentenceScore(base, base_hedged, []) if words or text.strip()
                           else SentenceScore(0.0, False, []))
                    continue
            if self.weights is None:
                self._until_tables -= 1
                if self._until_tables < 0:
                    self.weights = CueWeights(self.cue, self.candidates)
                    self.windowed = self.simple and probe is not None and self.weights.usable
            if self.windowed and data is not None and "|" not in text:
                append(window(text, data, probe.intersection(words), threshold))
            else:
                append(tokens(text, threshold))
        return out

    def _prob(self, logits: list[float]) -> float:
        """The sentence model over the candidates' logits (as ``decision_dense(sentence_features(...))``)."""
        ranked = sorted(logits, reverse=True)
        top = ranked[0]
        second = ranked[1] if len(ranked) > 1 else min(top, -5.0)
        w_max, w_second, w_pos = self._sentence_weights
        # The same products, summed in the same order, as LinearScorer.decision_dense.
        return sigmoid(self.sentence.bias + sum((w_max * top, w_second * second,
                                                 w_pos * float(len([x for x in ranked if x > 0.0])))))

    def _score_tokens(self, text: str, threshold: float) -> SentenceScore:
        """Any text: tokenize it all."""
        if not text.strip():
            return SentenceScore(0.0, False, [])
        toks = _findall(text)
        lows = [t.lower() for t in toks]
        cset = self.candidates
        cands = [i for i, w in enumerate(lows) if w in cset]
        if not cands:
            return SentenceScore(self.base, self.base >= threshold, [])
        if self.weights is not None and self.weights.usable and "|" not in text:
            logit = self.weights.logit
            logits = [logit(lows[i], toks[i], toks[max(0, i - 2):i], toks[i + 1:i + 3], inside_quotes(toks, i))
                      for i in cands]
        else:
            decision = self.cue.decision
            logits = [decision(cue_features(toks, lows, i)) for i in cands]
        prob = self._prob(logits)
        if not prob >= threshold:
            return SentenceScore(prob, False, [])
        return SentenceScore(prob, True, merge_adjacent(text, _token_spans(text, [cands[k] for k in _chosen(logits)])))

    def _score_window(self, text: str, data: bytes, present: Iterable[bytes], threshold: float) -> SentenceScore:
        """ASCII text without "|" (``data`` its WORD_BYTES translation) holding the probe words ``present``."""
        n = len(text)
        found = []
        for word in present:
            cand = word.decode()
            pos = data.find(word)
            while pos >= 0:
                end = pos + len(word)
                # A whole word run, and a token by itself: not glued to a neighbour by a joiner.
                if ((pos == 0 or data[pos - 1] == _SPACE) and (end == n or data[end] == _SPACE)
                        and not (pos > 1 and text[pos - 1] in _JOINERS and data[pos - 2] != _SPACE)
                        and not (end + 1 < n and text[end] in _JOINERS and data[end + 1] != _SPACE)):
                    found.append((pos, end, cand))
                pos = data.find(word, end)
        if not found:  # the probe words were parts of longer tokens ("may-be")
            return SentenceScore(self.base, self.base >= threshold, [])
        found.sort()
        logit = self.weights.logit
        logits = []
        for start, end, word in found:
            # Two tokens on each side. A space is always a token boundary, so the windows start and
            # end at one; widened to the whole side when they hold fewer than two tokens.
            left = text.rfind(" ", 0, max(start - _WINDOW, 0)) + 1
            before = _findall(text, left, start)
            if len(before) < 2 and left:
                before = _findall(text, 0, start)
            right = text.find(" ", end + _WINDOW)
            if right < 0:
                right = n
            after = _findall(text, end, right)
            if len(after) < 2 and right < n:
                after = _findall(text, end, n)
            # In ASCII text the only quote mark of inside_quotes is '"', always a token by itself.
            logits.append(logit(word, text[start:end], before[-2:], after[:2], text.count('"', 0, start) % 2 == 1))
        prob = self._prob(logits)
        if not prob >= threshold:
            return SentenceScore(prob, False, [])
        return SentenceScore(prob, True, merge_adjacent(text, [Span(*found[k][:2]) for k in _chosen(logits)]))


def _chosen(logits: list[float]) -> list[int]:
    """Which candidates are the cues of a hedged sentence: the positive ones, else the strongest."""
    chosen = [k for k, x in enumerate(logits) if x > 0.0]
    return chosen or [logits.index(max(logits))]


def _token_spans(text: str, indices: list[int]) -> list[Span]:
    """The spans of tokens ``indices`` (ascending) of ``text``, without building the others'."""
    found = _finditer(text)
    spans, pos = [], 0
    for i in indices:
        m = next(islice(found, i - pos, None))
        spans.append(Span(m.start(), m.end()))
        pos = i + 1
    return spans
