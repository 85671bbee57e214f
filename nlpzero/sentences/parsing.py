"""Sentence structure from templates (结构解析), after Su Jianlin's 最小熵原理（三）.

A parse covers a sentence with templates that nest but never cross: each [X] of a template
spans one or more words, which are parsed in turn. The score of a tree is
Σ ln p(t) over the templates t it uses (p(t) = count / total of the template table) plus
``null_score`` (default −20) for every word beyond the first of a span that no template
matches (such a span stays flat). The best tree is found by a DP over spans, each span
solved once (see :mod:`nlpzero.sentences._parsing_kernels`); ties go to the first
candidate in a fixed order (literal block ending / starting earliest).

Fixes over nlp-zero 0.1.6's ``XTrie`` + ``Parser``: a template matches a span exactly
(literal words where it has words, one or more words where it has [X]); the original also
let extra words slip in after any literal, so ``谢谢`` matched ``谢谢 你 吗``. Spans are
memoised (the original re-parsed identical spans, exponential on long sentences).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from . import _parsing_kernels as K
from .templates import Templates, format_template, is_word_token

#: Sentences longer than this are refused: the DP needs O(n^2) memory (about 80 MB at
#: 1000 words) and O(n^3) time.
DEFAULT_MAX_WORDS = 1000


@dataclass
class Tree:
    """One node: the template used (None for an uncovered span, whose words stay flat),
    the words it spans, and the subtrees of its placeholders, left to right."""

    template: tuple[str | None, ...] | None
    words: list[str]
    children: list[Tree] = field(default_factory=list)
    score: float = 0.0

    def plot(self, prefix: str = "+---> ") -> str:
        """nlp-zero's ``SentTree.plot`` layout: the node with its placeholders' contents in
        parentheses, then each literal word and each subtree one level deeper."""
        elements = self.template if self.template is not None else tuple(self.words)
        head, lines, k = "", [], 0
        for w in elements:
            if w is None:
                child = self.children[k]
                k += 1
                head += "(" + "".join(child.words) + ")"
                lines.append(child.plot("|     " + prefix))
            else:
                head += w
                lines.append("|     " + prefix + w)
        return "\n".join([prefix + head, *lines])

    def to_dict(self) -> dict:
        return {
            "template": None if self.template is None else format_template(self.template),
            "words": self.words,
            "children": [c.to_dict() for c in self.children],
        }

    def to_json(self) -> str:
        node = self.to_dict()
        node["score"] = round(self.score, 6)
        return json.dumps(node, ensure_ascii=False)


def words_of(line: str) -> list[str]:
    """The words of a segmented line: whitespace-separated tokens that contain a letter,
    digit or ideograph (punctuation is dropped, as in template learning)."""
    return [w for w in line.split() if is_word_token(w)]


class Parser:
    """Parses segmented sentences with a template table (e.g. from ``find_templates``)."""

    def __init__(self, templates: Templates, null_score: float = -20.0,
                 max_words: int = DEFAULT_MAX_WORDS) -> None:
        if not math.isfinite(null_score):
            raise ValueError("null_score must be a finite number")
        if len(templates) == 0:
            raise ValueError("no templates to parse with")
        self.templates = templates.templates
        self.null_score = null_score
        self.max_words = max_words
        self.index: dict[str, int] = {}
        lit_ids: list[int] = []
        lit_gap: list[bool] = []
        lit_ptr = [0]
        lead, trail = [], []
        for t in self.templates:
            gap = False
            for w in t:
                if w is None:
                    gap = True
                    continue
                lit_ids.append(self.index.setdefault(w, len(self.index)))
                lit_gap.append(gap)
                gap = False
            lit_ptr.append(len(lit_ids))
            lead.append(t[0] is None)
            trail.append(t[-1] is None)
        self.lit_ptr = np.array(lit_ptr, dtype=np.int64)
        self.max_literals = max(1, int(np.diff(self.lit_ptr).max()))
        self.lit_ids = np.array(lit_ids, dtype=np.int32)
        self.lit_gap = np.array(lit_gap, dtype=np.bool_)
        self.lead = np.array(lead, dtype=np.bool_)
        self.trail = np.array(trail, dtype=np.bool_)
        counts = templates.counts.astype(np.float64)
        self.log_p = np.log(counts) - math.log(counts.sum())
        first = self.lit_ids[self.lit_ptr[:-1]]
        self.by_first = np.argsort(first, kind="stable").astype(np.int64)
        self.by_first_ptr = np.searchsorted(first[self.by_first],
                                            np.arange(len(self.index) + 1)).astype(np.int64)

    def parse_words(self, words: Sequence[str]) -> Tree:
        """The best tree over *words* (a list of tokens, already segmented)."""
        words = list(words)
        n = len(words)
        if n == 0:
            return Tree(None, [], [], 0.0)
        if n > self.max_words:
            raise InputError(f"a sentence of {n} words is longer than max_words "
                             f"({self.max_words}); raise --max-words or split it")
        get = self.index.get
        sent = np.array([get(w, -1) for w in words], dtype=np.int32)
        nodes, scores = K.parse_ids(sent, self.lit_ptr, self.lit_ids, self.lit_gap, self.lead,
                                    self.trail, self.by_first_ptr, self.by_first,
                                    self.max_literals, self.log_p, self.null_score)
        trees: list[Tree] = []
        for (s, e, t, parent), score in zip(nodes.tolist(), scores.tolist()):
            tree = Tree(self.templates[t] if t >= 0 else None, words[s:e], [], score)
            trees.append(tree)
            if parent >= 0:
                trees[parent].children.append(tree)
        return trees[0]

    def parse(self, line: str) -> Tree:
        """Parse a segmented line (tokens separated by whitespace; punctuation dropped)."""
        return self.parse_words(words_of(line))
