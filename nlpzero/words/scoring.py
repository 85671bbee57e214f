"""SIGHAN-style segmentation scores: word precision, recall, F1, OOV and IV recall.

A predicted word is correct when a gold word covers exactly the same characters (span
matching, which equals the bakeoff ``score`` script's alignment when both sides hold the
same text). Whitespace separates words; every other character must agree line by line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ..errors import InputError
from ..text.io import read_lines


@dataclass(frozen=True)
class Scores:
    """Counts and rates of one comparison; rates are fractions in [0, 1]."""

    gold_words: int
    pred_words: int
    correct: int
    oov_words: int | None = None
    oov_correct: int | None = None

    @property
    def precision(self) -> float:
        return self.correct / self.pred_words if self.pred_words else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold_words if self.gold_words else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def oov_rate(self) -> float | None:
        return None if self.oov_words is None else self.oov_words / max(1, self.gold_words)

    @property
    def oov_recall(self) -> float | None:
        if self.oov_words is None or self.oov_correct is None:
            return None
        return self.oov_correct / self.oov_words if self.oov_words else 0.0

    @property
    def iv_recall(self) -> float | None:
        if self.oov_words is None or self.oov_correct is None:
            return None
        iv = self.gold_words - self.oov_words
        return (self.correct - self.oov_correct) / iv if iv else 0.0

    def as_rows(self) -> list[tuple[str, float | int]]:
        rows: list[tuple[str, float | int]] = [
            ("precision", self.precision),
            ("recall", self.recall),
            ("f1", self.f1),
        ]
        if self.oov_words is not None:
            rows += [("oov_rate", self.oov_rate), ("oov_recall", self.oov_recall),
                     ("iv_recall", self.iv_recall)]  # type: ignore[list-item]
        rows += [(k, v) for k, v in asdict(self).items() if v is not None]
        return rows


def _spans(words: list[str]) -> list[tuple[int, int, str]]:
    spans, pos = [], 0
    for w in words:
        spans.append((pos, pos + len(w), w))
        pos += len(w)
    return spans


def score_lines(
    gold: Iterable[str],
    pred: Iterable[str],
    training_words: set[str] | None = None,
) -> Scores:
    """Score predicted lines against gold lines (words separated by whitespace)."""
    n_gold = n_pred = correct = oov = oov_ok = 0
    gold_it, pred_it = iter(gold), iter(pred)
    lineno = 0
    while True:
        g, p = next(gold_it, None), next(pred_it, None)
        if g is None and p is None:
            break
        lineno += 1
        if g is None or p is None:
            side = "prediction" if g is None else "gold"
            raise InputError(f"line {lineno}: the {side} has more lines than the other side")
        gw, pw = g.split(), p.split()
        if "".join(gw) != "".join(pw):
            a, b = "".join(gw), "".join(pw)
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            raise InputError(
                f"line {lineno}: gold and prediction texts differ at character {at + 1} "
                f"({a[at:at + 8]!r} vs {b[at:at + 8]!r})"
            )
        gs = _spans(gw)
        pred_spans = {(s, e) for s, e, _ in _spans(pw)}
        n_gold += len(gs)
        n_pred += len(pw)
        for s, e, w in gs:
            hit = (s, e) in pred_spans
            correct += hit
            if training_words is not None and w not in training_words:
                oov += 1
                oov_ok += hit
    if training_words is None:
        return Scores(n_gold, n_pred, correct)
    return Scores(n_gold, n_pred, correct, oov, oov_ok)


def score(
    gold: str | os.PathLike[str],
    pred: str | os.PathLike[str] | None,
    training_words: str | os.PathLike[str] | None = None,
) -> Scores:
    """Score the segmentation in file *pred* against file *gold* (SIGHAN bakeoff style)."""
    words = None
    if training_words is not None:
        words = {w for line in read_lines(training_words) for w in line.split()[:1]}
    return score_lines(read_lines(gold), read_lines(pred), words)
