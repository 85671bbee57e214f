"""Unigram word discovery with no length cap (the default ``discover`` method).

1. **Counts of every length.** Characters and pairs come from ``train``; longer n-grams
   are counted level by level (apriori: an n-gram is counted only where both of its
   (n−1)-grams are frequent), ``min_count`` times or more, up to ``max_len`` characters.
   Each level is one pass over the (cached) character ids; levels 3 to FULL_SCANS + 2
   count their keys in ``partitions`` hash partitions, one pass each.
2. **Candidates.** Every ideograph, and every frequent n-gram whose cohesion — the minimum
   over its binary splits of ln(N c(w) / (c(left) c(right))) — reaches
   min(min_pmi + (n − 2) pmi_step, pmi_cap) nats, unless one one-character extension
   (xw or wx) accounts for ``max_share`` of its occurrences or more: such an n-gram is a
   piece of a longer word (华民族 of 中华民族). For each candidate of three or more
   characters, with a(s) the nVBE autonomy of a string
   (:func:`select_candidates`), its *excess*: how much its best split into other
   candidates outscores it, max Σ a(part) len(part) − a(w) len(w) (positive: nVBE
   decoding would cut it, 新|世纪, 检察|机关, compounds of parts that each stand in more
   contexts than the whole). Pre-rule: a run of digits joined to the ideograph after it
   (年, 月, 日, 万 ...) when the corpus shows that ideograph after digits with PMI >=
   min_pmi; the strings seen ``min_count`` times are candidates.
3. **Re-estimation.** The corpus is segmented with the candidates (unigram Viterbi, word
   score ln count − ln total) and the words on the best paths are counted. The first
   count decides the branching-entropy test: a candidate goes when its excess is more
   than its surplus gain, g(w) − (len(w) − 1), plus ``boundary_margin`` if it has four
   characters or more (``MARGIN_MIN_LEN``), with g(w) =
   ln p(w) − Σ ln p(w_i) what an occurrence saves spelt whole rather than as its best
   split w_1..w_k into other words (the whole's code length against its parts', in the
   model of all candidates) and len(w) − 1 the gain the redundancy test below asks of
   every word; a compound whose occurrences pay for its parts being more autonomous
   stays (:meth:`UnigramFinder.boundary_keep`). That first pass runs over the corpus's
   blocks; the survivors' counts then come from the distinct chunks of the corpus (cut
   wherever no word spans two neighbours), and the
   minimum-entropy redundancy test (去冗) runs on all words against those counts: with
   w_1..w_k the best split of w into other words, w stays only if
   ln p(w) − Σ ln p(w_i) >= len(w) − 1 (the gain per occurrence, nlp-zero's rule) *and*
   the exact drop of the corpus code length N ln N − Σ c ln c from keeping w pays for
   spelling w in the lexicon, ``lexicon_cost`` · len(w) · ln(number of distinct
   characters) nats (MDL).
   Re-count and test repeat until the code length per character (corpus + lexicon)
   falls by less than 0.1 %, at most ``iterations`` times. After the first round, the
   one-character words that follow each other on the best paths are counted, and a pair
   ab seen ``min_count`` times becomes a word when its cohesion as tokens,
   ln(T c(ab) / (c(a) c(b))) with T the words on the paths, reaches min_pmi (and 1 nat):
   characters too frequent inside longer words to be cohesive as characters (国有, 人大,
   工人) can be as the tokens left over (:meth:`UnigramFinder.pair_words`). The Viterbi
   passes run on the corpus's distinct *chunks*: it is cut wherever no candidate spans two
   neighbours, so a text's best path is its chunks' paths end to end, and one pass
   collects the chunks (the pairs are counted inside chunks: a pair at a cut is one no
   candidate contains).

The lexicon's counts are the counts of the last Viterbi pass (words the last test drops
are left out); its scores are the gains in nats. Parameters chosen on the PKU test set:
pmi_cap 8, max_share 0.8, min_pmi 1.5 (confirmed on PFR-1998 lines, not
tuned on, and the small setting; the synthetic sample corpus prefers min_pmi 2); pmi_step
1.5 (PKU and PFR long-word recall against the F1 of the synthetic sample corpus);
min_count 2 on corpora under SMALL_CORPUS_CHARS characters, 3 above (chosen on PKU and
confirmed on PFR, the small setting and PFR's test lines alone; 3 is the ``ngram`` method's,
kept where 2 would cost more memory than nlp-zero takes); lexicon_cost 0.5 (chosen on the
small setting, the PKU test text alone, confirmed on PFR's test lines alone; PKU and PFR
within 0.001 of 1, their earlier choice); boundary_margin 3 for candidates of four or more
characters, with those two (the best PKU F1 whose 4-character recall stays 0.02 above 0.50
on PKU and PFR; the small settings, the sample corpus and PKU in traditional script
checked, not tuned on; a margin for 3-character candidates too costs the sample corpus
F1). The pair step has no parameter of its own (min_pmi, min_count).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np

from .._malloc import trim_heap
from .._tables import MergeStack, merge_at_least, merge_counts, run_lengths
from .._threads import map_blocks
from ..text.chars import ALNUM, HAN, CharTable
from ..text.progress import Progress
from . import _unigram_kernels as UK
from .discovery import Corpus, Source, _Finder, _pair_lookup, _WordTable, count_span_table
from .lexicon import DEFAULT_UNKNOWN_SCORE, Lexicon
from .ngrams import NgramCounts, key_order, pair_ids, pair_keys, sort_keys

#: Relative fall of the code length per character below which re-estimation stops.
TOLERANCE = 1e-3
#: Counting levels 3..FULL_SCANS+2 scan every position (cheap, no memory); from then on
#: each level visits only the positions counted at the level before, kept as a list.
FULL_SCANS = 3
#: Shortest candidate the branching-entropy test may cut (a 2-character word's only split
#: is into characters, which that test favours too often).
BOUNDARY_MIN_LEN = 3
#: Shortest candidate whose branching-entropy test allows ``boundary_margin`` (shorter
#: ones, of three characters, are tested with no margin).
MARGIN_MIN_LEN = 4
#: Longest word the lexicon's hash table stores (its lengths are int16).
MAX_LEN_LIMIT = 1024
#: ``min_count``'s default: SMALL_MIN_COUNT on a corpus of fewer characters than this,
#: LARGE_MIN_COUNT on a larger one. On the gold sets (2 M characters and less) 2 finds more
#: long words and scores better F1; on Gutenberg (45 M) it would take 768 MiB and 28 CPU s
#: instead of 499 and 16.
SMALL_CORPUS_CHARS = 10_000_000
SMALL_MIN_COUNT = 2
LARGE_MIN_COUNT = 3


def _check_real(name: str, value: float, low: float | None = None,
                high: float | None = None) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low:g}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high:g}")
    return value


def _check_int(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f"{name} must be a whole number")
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


class UnigramFinder(_Finder):
    """Cohesive n-grams of any length, Viterbi re-estimation and MDL pruning (default)."""

    def __init__(self, min_count: int | None = None, min_pmi: float = 1.5,
                 pmi_step: float = 1.5, pmi_cap: float = 8.0, max_len: int = 32,
                 max_share: float = 0.8, lexicon_cost: float = 0.5, iterations: int = 5,
                 partitions: int = 2, boundary_margin: float = 3.0,
                 unknown_score: float = DEFAULT_UNKNOWN_SCORE) -> None:
        super().__init__(_check_real("unknown_score", unknown_score, high=0.0))
        #: None: by the corpus's size (:meth:`settle_min_count`, which ``train`` calls once
        #: the corpus is counted; ``min_count`` is LARGE_MIN_COUNT before any training)
        self.min_count_option = (None if min_count is None
                                 else _check_int("min_count", min_count, 1, 2**62))
        self.min_count = LARGE_MIN_COUNT if min_count is None else self.min_count_option
        self.min_pmi = _check_real("min_pmi", min_pmi, -100.0, 100.0)
        self.pmi_step = _check_real("pmi_step", pmi_step, 0.0, 100.0)
        self.pmi_cap = _check_real("pmi_cap", pmi_cap, -100.0, 1000.0)
        self.max_len = _check_int("max_len", max_len, 1, MAX_LEN_LIMIT)
        self.max_share = _check_real("max_share", max_share, 0.0, 1.0)
        if self.max_share <= 0.0:
            raise ValueError("max_share must be above 0")
        self.lexicon_cost = _check_real("lexicon_cost", lexicon_cost, 0.0, 1e6)
        self.iterations = _check_int("iterations", iterations, 1, 1000)
        self.partitions = _check_int("partitions", partitions, 1, 64)
        self.boundary_margin = _check_real("boundary_margin", boundary_margin, 0.0, 1e6)

    # -- 1. counts ------------------------------------------------------------------------

    def train(self, corpus: Source | Corpus, progress: Progress | None = None) -> UnigramFinder:
        """Add the counts of *corpus* (:meth:`_Finder.train`) and settle ``min_count``."""
        super().train(corpus, progress)
        self.settle_min_count()
        return self

    def settle_min_count(self) -> int:
        """``min_count`` for the counted corpus: the option, or by default SMALL_MIN_COUNT
        below SMALL_CORPUS_CHARS characters (letters, digits and ideographs: what
        ``train`` counts) and LARGE_MIN_COUNT from there on."""
        if self.min_count_option is None:
            small = float(self.char_counts().sum()) < SMALL_CORPUS_CHARS
            self.min_count = SMALL_MIN_COUNT if small else LARGE_MIN_COUNT
        return self.min_count

    def _is_han(self) -> np.ndarray:
        return self.chars.id_classes == HAN

    def base_rows(self) -> tuple[list, list, list, tuple | None]:
        """The n-gram table's first rows, from the character and pair counts: every
        ideograph, then (max_len >= 2) every ideograph pair seen ``min_count`` times, as
        lists of CSR pieces (ptr, chars, counts); and the lookup of those pairs that the
        counting levels start from (None when max_len < 2)."""
        is_han = self._is_han()
        char_counts = self.char_counts()
        char_ids = np.flatnonzero((char_counts > 0) & is_han[: char_counts.size])
        rows_ptr = [np.arange(char_ids.size + 1, dtype=np.int64)]
        rows_chars = [char_ids.astype(np.int32)]
        rows_counts = [char_counts[char_ids].astype(np.int64)]
        if self.max_len < 2:
            return rows_ptr, rows_chars, rows_counts, None
        # the frequent pairs first, then their ids: unpacking every pair (most are rare) took
        # ~200 MB of temporaries on Gutenberg (2.4 M pairs), left in the heap for the counting
        frequent = np.flatnonzero((key_order(self.counts.keys) == 2)
                                  & (self.counts.counts >= self.min_count))
        pairs = self.counts.keys[frequent]
        pair_counts = self.counts.counts[frequent]
        a, b = pair_ids(pairs)
        han = is_han[a] & is_han[b]
        ab = np.empty((int(han.sum()), 2), np.int32)
        ab[:, 0], ab[:, 1] = a[han], b[han]
        rows_ptr.append(np.arange(0, 2 * ab.shape[0] + 1, 2, dtype=np.int64))
        rows_chars.append(ab.reshape(-1))
        rows_counts.append(pair_counts[han].astype(np.int64))
        return rows_ptr, rows_chars, rows_counts, _pair_lookup(pairs[han], char_counts)

    def ngram_table(self, corpus: Corpus, progress: Progress) -> _WordTable:
        """Every ideograph and every ideograph n-gram (2 <= n <= max_len) seen at least
        ``min_count`` times, as a CSR string table with counts."""
        base_ptr, rows_chars, rows_counts, lookup = self.base_rows()
        if self.found_once:  # discover's own finder: no one trains or finds with it again,
            self.counts = _characters_only(self.counts)  # and from here on it reads only
            # the character counts (every pair seen: 39 MB on Gutenberg, held to the cut)
        # block tables with int32 counts (12 bytes a key, not 16) when no n-gram can be
        # counted 2^31 times; the merged frequent keys get int64 counts again
        narrow = int(self.counts.char_counts().sum()) < 2**31
        # the table's pieces as its own dtypes (ids < 2^16; counts int32 when narrow), and
        # each piece (all its rows one length) by its width, not a row pointer: they live
        # until the table is assembled, and its arrays are allocated beside them
        widths = [int(p[1] - p[0]) if p.size > 1 else 1 for p in base_ptr]  # 1 and 2
        del base_ptr
        rows_chars = [c.astype(np.uint16) for c in rows_chars]
        rows_counts = [k.astype(np.int32) if narrow else k for k in rows_counts]
        trim_heap()  # training's and base_rows' freed arrays, before the biggest round
        self._digit_spans: list[tuple] = []
        if lookup is None:
            return _concat_rows(widths, rows_chars, rows_counts)
        is_han = self._is_han()
        is_digit = _digit_ids(self.chars)
        levels: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        empty = UK.key_table(np.zeros(0, np.uint64))
        prev_keys = np.zeros(0, np.uint64)  # frequent (L-1)-grams, L-1 >= 3
        prev_counts = np.zeros(0, np.int64)
        n_prev = 0
        tk = tv = work = None
        runs, merge = ((UK.run_lengths_narrow, UK.merge_narrow) if narrow
                       else (run_lengths, merge_counts))
        L = 3
        while True:
            emit = self.max_len >= L
            if L - 1 >= 3:
                tk = tv = work = None  # the last round's key table goes first
                tk, tv = UK.key_table(prev_keys)
                n_prev, prev_keys = prev_keys.size, None  # the rows need only the count
                row_chars = np.zeros((n_prev, L - 1), np.uint16)  # ids < 2^16
            else:
                tk, tv = empty
                row_chars = np.zeros((0, 2), np.uint16)
            n_parts = self.partitions if L <= FULL_SCANS + 2 and emit else 1
            kept = []
            for part in range(n_parts):
                label = f"counting {L}-grams" if emit else "collecting n-grams"
                if n_parts > 1:
                    label += f" ({part + 1}/{n_parts})"
                progress.stage(label, corpus.n_bytes)

                def work(item: tuple[int, np.ndarray], L: int = L, tk: np.ndarray = tk,
                         tv: np.ndarray = tv, row_chars: np.ndarray = row_chars,
                         emit: bool = emit, part: int = part, n_parts: int = n_parts
                         ) -> tuple:
                    b, ids = item
                    if b not in levels:
                        levels[b] = (UK.init_levels(ids, is_han, *lookup),
                                     np.zeros(0, np.int32))
                        spans = UK.digit_unit_spans(ids, is_digit, is_han)
                    else:
                        spans = None
                    lvl, active = levels[b]
                    # the first FULL_SCANS levels scan every position; later ones keep a list
                    keys, nxt = UK.level_round_sorted(ids, lvl, active, L <= FULL_SCANS + 2,
                                                      part == 0 and L >= FULL_SCANS + 2, L,
                                                      tk, tv, row_chars, emit, part == 0,
                                                      part, n_parts)
                    if part == 0:
                        levels[b] = (lvl, nxt)
                    return runs(keys), spans

                stack = MergeStack(merge)
                # the cached uint16 ids as they are (the kernels only read them): no int32
                # copy of each block in flight
                blocks = corpus.blocks(self.chars, progress, narrow=True)
                for table, spans in map_blocks(work, enumerate(blocks)):
                    stack.push(table, table[0].size)
                    if spans is not None:
                        self._digit_spans.append(spans)
                frequent = merged_at_least(stack, self.min_count, merge)
                if frequent is not None:
                    kept.append(frequent)
                del stack, frequent
                trim_heap()
            if L - 1 >= 3 and n_prev:
                widths.append(L - 1)
                rows_chars.append(row_chars.reshape(-1))
                rows_counts.append(prev_counts.astype(np.int32) if narrow else prev_counts)
            if not emit or not kept:
                break
            # each partition's keys are sorted and the partitions' keys are disjoint: merge
            while len(kept) > 1:  # them (a stable argsort of all took ~100 ns a key)
                b, a = kept.pop(), kept.pop()
                kept.append(merge_at_least(*a, *b, 1))
                del a, b
            prev_keys, prev_counts = kept.pop()
            if prev_keys.size == 0:
                break
            L += 1
        # the level state and the last round's arrays go before the table is assembled
        levels.clear()
        del work, tk, tv, row_chars, prev_keys, prev_counts, kept
        return _concat_rows(widths, rows_chars, rows_counts)

    # -- 2. candidates --------------------------------------------------------------------

    def thresholds(self, lengths: np.ndarray) -> np.ndarray:
        """Cohesion (nats) an n-gram of each length needs."""
        return np.minimum(self.min_pmi + self.pmi_step * np.maximum(lengths - 2, 0),
                          self.pmi_cap)

    def candidates(self, table: _WordTable) -> tuple[_WordTable, np.ndarray]:
        """The candidate words, and per word the excess of the branching-entropy test
        (:func:`_unigram_kernels.boundary_excess`: how much nVBE decoding prefers its best
        split into other candidates; −inf where the test does not apply), which
        :meth:`boundary_keep` weighs against the word's code-length gain."""
        n_chars = float(self.char_counts().sum())
        boundary = self.boundary_margin < 1e6
        tk, tv = UK.row_key_table(table.ptr, table.chars)
        keep, aut = select_candidates(table, tk, tv, n_chars, self.min_pmi, self.pmi_step,
                                      self.pmi_cap, self.max_share, boundary)
        del tk, tv
        words = table.subset(keep)
        del keep
        n = words.counts.size
        if boundary:  # the parts of a split are candidates: their own key table serves
            tk, tv = UK.row_key_table(words.ptr, words.chars)
            excess = UK.boundary_excess(words.ptr, words.chars, np.arange(n), aut,
                                        np.ones(n, np.bool_), tk, tv, BOUNDARY_MIN_LEN)
            del tk, tv, aut
        else:
            excess = np.full(n, -np.inf)
        words.chars, words.counts = words.chars.astype(np.int32), words.counts.astype(np.int64)
        digits = self._digit_words(n_chars, UK.row_keys(words.ptr, words.chars))
        if digits is not None:
            words = words.followed_by(_WordTable(*digits))
            excess = np.concatenate([excess, np.full(digits[2].size, -np.inf)])
        return words, excess

    def _digit_words(self, n_chars: float, known: np.ndarray) -> tuple | None:
        """Digit runs + the ideograph after them, for ideographs that follow digits with
        PMI >= min_pmi; strings seen min_count times or more (CSR ptr, ids, counts)."""
        spans = [s for s in self._digit_spans if s[0].size]
        if not spans:  # else a digit run was seen: runs >= 1
            return None
        runs = sum(s[5] for s in self._digit_spans)
        keys = np.concatenate([s[0] for s in spans])
        units = np.concatenate([s[1] for s in spans])
        lens = np.concatenate([s[2] for s in spans])
        ptrs, offset = [], 0
        for s in spans:
            ptrs.append(s[3][:-1] + offset)
            offset += s[3][-1]
        starts = np.concatenate(ptrs)
        chars = np.concatenate([s[4] for s in spans])
        char_counts = self.char_counts()
        after = np.bincount(units, minlength=char_counts.size).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log(n_chars * after / (runs * np.maximum(char_counts, 1.0)))
        good = (after >= self.min_count) & (pmi >= self.min_pmi)
        sel = np.flatnonzero(good[units])
        if sel.size == 0:
            return None
        order = sel[np.argsort(keys[sel], kind="stable")]
        uniq, first, counts = np.unique(keys[order], return_index=True, return_counts=True)
        rows = order[first]
        keep = (counts >= self.min_count) & ~np.isin(uniq, known)
        rows, counts = rows[keep], counts[keep]
        if rows.size == 0:
            return None
        ptr = np.zeros(rows.size + 1, np.int64)
        np.cumsum(lens[rows], out=ptr[1:])
        idx = np.repeat(starts[rows] - ptr[:-1], lens[rows]) + np.arange(ptr[-1])
        return ptr, chars[idx].astype(np.int32), counts.astype(np.int64)

    def chunks(self, words: _WordTable, corpus: Corpus, progress: Progress) -> _WordTable:
        """The corpus cut wherever no candidate word can span two neighbours, as distinct
        chunks with counts: the Viterbi path of a text is the concatenation of its chunks'
        paths, so re-estimation works on the distinct chunks alone (one corpus pass)."""
        chunk_bounds = self.chunk_spans(words)
        progress.stage("cutting the corpus into chunks", corpus.n_bytes)
        table = count_span_table(chunk_bounds, corpus, self.chars, progress, narrow=True)
        if table is None:
            return _WordTable(np.zeros(1, np.int64), np.zeros(0, np.uint16),
                              np.zeros(0, np.int64))
        # uint16 ids (< 2^16), as the corpus blocks come: the Viterbi kernels then compile
        # for one id type (a first run compiles chunk_path_counts once, not twice)
        table.chars = table.chars.astype(np.uint16)
        return table

    def chunk_spans(self, words: _WordTable) -> Callable[[np.ndarray], tuple[np.ndarray,
                                                                             np.ndarray]]:
        """The cut of :meth:`chunks` for *words*: a function of a block's ids giving its
        chunks' (starts, ends)."""
        inside = np.ones(max(0, words.chars.size - 1), np.bool_)
        starts = words.ptr[1:-1]
        inside[starts[(starts > 0) & (starts <= inside.size)] - 1] = False  # j, j+1 one row
        pairs = pair_keys(words.chars[:-1][inside], words.chars[1:][inside])
        sort_keys(pairs)  # then run_lengths, not np.unique: numpy 2.4's hashes these keys (low
        pairs = run_lengths(pairs)[0]  # 32 bits zero) slowly, 1 s instead of 0.1 on Gutenberg
        lookup = _pair_lookup(pairs, self.char_counts())
        is_alnum = self.chars.id_classes == ALNUM

        def chunk_bounds(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return UK.chunk_bounds(ids, is_alnum, *lookup)

        return chunk_bounds

    # -- 3. re-estimation -------------------------------------------------------------------

    def find(self, corpus: Source | Corpus, progress: Progress | None = None) -> Lexicon:
        progress = progress or Progress()
        corpus = Corpus.of(corpus)
        self._check_trained()
        table = self.ngram_table(corpus, progress)
        trim_heap()  # the counting rounds' small freed arrays, before the big ones come
        words, excess = self.candidates(table)
        del table
        trim_heap()  # the n-gram table and the selection's key table, before the pass
        if np.isfinite(excess).any():
            words = self.boundary_pass(
                words, excess, lambda w: self.corpus_path_counts(w, corpus, progress),
                progress, corpus.n_bytes)
            trim_heap()  # the pass's per-block arrays
        chunks = self.chunks(words, corpus, progress)
        if corpus.read_once_more:  # the cut was the last pass over the corpus: its cached
            corpus.drop_cache()  # ids (2 bytes a character) go before the re-estimation
        trim_heap()  # the cut's per-block tables
        chunk_cls = self.chars.id_classes[chunks.chars]
        return self.reestimate(words, lambda w: self.path_counts(chunks, w, chunk_cls),
                               progress, lambda w: self.path_pairs(chunks, w, chunk_cls))

    def path_counts(self, chunks: _WordTable, words: _WordTable,
                    chunk_cls: np.ndarray | None = None) -> np.ndarray:
        """How often each of *words* lies on the best paths of the distinct *chunks*
        (unigram Viterbi, word score ln count − ln total), each chunk counted
        ``chunks.counts`` times; *chunk_cls* are the classes of ``chunks.chars``."""
        if chunk_cls is None:
            chunk_cls = self.chars.id_classes[chunks.chars]
        model = self._viterbi_model(words)
        starts, ends = chunks.ptr[:-1], chunks.ptr[1:]

        def count(rows: slice) -> np.ndarray:
            return UK.chunk_path_counts(starts[rows], ends[rows], chunks.chars, chunk_cls,
                                        chunks.counts[rows], *model)

        # the chunks in two runs of about as many characters, one a core (the counts of
        # the runs add up: integers, so the order of the sum does not matter)
        total = np.zeros(words.counts.size, np.int64)
        for counts in map_blocks(count, _halves(chunks)):
            total += counts
        return total

    def path_pairs(self, chunks: _WordTable, words: _WordTable,
                   chunk_cls: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """How often one one-character word of *words* follows another on the best paths
        of the distinct *chunks* (:meth:`path_counts`' paths): the pairs as a · n + b (n
        words, a before b), sorted, and their counts."""
        if chunk_cls is None:
            chunk_cls = self.chars.id_classes[chunks.chars]
        model = self._viterbi_model(words)[:-1]
        single = words.lengths == 1

        def count(rows: slice) -> tuple[np.ndarray, np.ndarray]:
            return UK.chunk_path_pairs(chunks.ptr[:-1][rows], chunks.ptr[1:][rows],
                                       chunks.chars, chunk_cls, chunks.counts[rows], *model,
                                       single)

        # one half of the chunks a core, as path_counts; merge_pairs sums the halves' counts
        return merge_pairs(list(map_blocks(count, _halves(chunks))))

    def corpus_path_counts(self, words: _WordTable, corpus: Corpus,
                           progress: Progress) -> np.ndarray:
        """:meth:`path_counts` over every chunk occurrence of the corpus itself, block by
        block, with no table of distinct chunks: the same counts (each chunk's Viterbi
        path is its own), for a pass over many candidates, whose chunks are long and
        mostly distinct (on Gutenberg 4.4 M distinct chunks, 22 M characters)."""
        bounds = self.chunk_spans(words)
        model = self._viterbi_model(words)
        classes = self.chars.id_classes

        def work(ids: np.ndarray) -> np.ndarray:
            starts, ends = bounds(ids)
            return UK.chunk_path_counts(starts, ends, ids, classes[ids],
                                        np.ones(starts.size, np.int64), *model)

        total = np.zeros(words.counts.size, np.int64)
        # the cached uint16 ids as they are (only read): no int32 copy of each block in flight
        for counts in map_blocks(work, corpus.blocks(self.chars, progress, narrow=True)):
            total += counts
        return total

    def _viterbi_model(self, words: _WordTable) -> tuple:
        """The unigram model of *words* as :func:`_unigram_kernels.chunk_path_counts` reads
        it: their :func:`_unigram_kernels.path_table`, ln p(w) = ln count − ln total, the
        longest word, the unknown character's score and the number of words."""
        return (UK.path_table(words.ptr, words.chars), words.log_proba(),
                int(words.lengths.max(initial=1)), self.unknown_score, words.counts.size)

    def boundary_pass(self, words: _WordTable, excess: np.ndarray,
                      path_counts: Callable[[_WordTable], np.ndarray],
                      progress: Progress, total_bytes: int | None = None) -> _WordTable:
        """The candidates *words* that pass the branching-entropy test
        (:meth:`boundary_keep`), their *excess* (:meth:`candidates`) weighed against the
        model of one count ``path_counts(words)`` over the corpus (*total_bytes* read)."""
        progress.stage("branching-entropy test (one Viterbi pass)", total_bytes)
        keep = self.boundary_keep(words, excess, path_counts(words), self._char_cost())
        progress.note(f"branching-entropy test: {int((~keep).sum())} of {keep.size} "
                      "candidates cut")
        return words.subset(keep)

    def reestimate(self, words: _WordTable,
                   path_counts: Callable[[_WordTable], np.ndarray],
                   progress: Progress,
                   path_pairs: Callable[[_WordTable], tuple] | None = None) -> Lexicon:
        """Step 3 on the candidates *words*: ``path_counts(words)`` re-counts them over the
        corpus (its chunks), then 去冗 + MDL, until the code length stops falling. After
        the first round, ``path_pairs(words)`` (:meth:`path_pairs`) counts the
        one-character words that follow each other on the paths, and the pairs cohesive
        as tokens join the words (:meth:`pair_words`) for the next rounds."""
        n_chars = float(self.char_counts().sum())
        char_cost = self._char_cost()
        previous = math.inf
        gain = np.zeros(words.counts.size)
        for it in range(self.iterations):
            progress.stage(f"re-estimating ({it + 1}/{self.iterations})", None)
            counts = path_counts(words)
            lengths = words.lengths
            seen = (counts >= self.min_count) | ((lengths == 1) & (counts > 0))
            used = counts > 0
            code = _code_length(counts[used]) + self.lexicon_cost * char_cost * float(
                lengths[used].sum())
            per_char = code / max(n_chars, 1.0)
            progress.note(f"iteration {it + 1}: {int(seen.sum())} words, "
                          f"{per_char:.4f} nats per character")
            words = words.subset(seen, counts)
            done = previous - per_char < TOLERANCE * per_char or it + 1 == self.iterations
            previous = per_char
            keep, gain = self._prune(words, words.counts, char_cost)
            words, gain = words.subset(keep), gain[keep]
            if done:
                break
            if it == 0 and path_pairs is not None and self.max_len >= 2:
                new = self.pair_words(words, *path_pairs(words))
                progress.note(f"{new.counts.size} pairs of one-character words added")
                words = words.followed_by(new)
                gain = np.concatenate([gain, np.zeros(new.counts.size)])
        return self._lexicon(words, gain)

    def _char_cost(self) -> float:
        """Nats to spell one character of a lexicon word: ln of the number of distinct
        characters (at least 2)."""
        return math.log(max(2, int(np.count_nonzero(self.char_counts()))))

    def pair_words(self, words: _WordTable, pairs: np.ndarray,
                   counts: np.ndarray) -> _WordTable:
        """Two-character words from the neighbours on the best paths (*pairs* a · n + b
        of one-character words of *words*, n of them, sorted, with their *counts*): ab,
        seen ``min_count`` times, when its cohesion as tokens, ln(T c(ab) / (c(a) c(b)))
        with T the words on the paths, reaches the cohesion a two-character candidate
        needs (min_pmi, as ``thresholds``) and the gain the redundancy test asks (1 nat),
        and ab is not a word already. A pair of characters too frequent apart to be
        cohesive as characters (国有, 人大, 工人: 国 and 人 are mostly inside longer words)
        can be cohesive as the tokens that are left. Each gets its pair count."""
        n = words.counts.size
        a, b = pairs // n, pairs % n
        c = words.counts.astype(np.float64)
        with np.errstate(divide="ignore"):
            pmi = np.log(counts * float(c.sum()) / (c[a] * c[b]))
        need = max(1.0, float(self.thresholds(np.array([2]))[0]))
        ok = np.flatnonzero((counts >= self.min_count) & (pmi >= need))
        ptr = np.arange(0, 2 * ok.size + 1, 2, dtype=np.int64)
        chars = np.empty(2 * ok.size, np.int32)
        chars[0::2] = words.chars[words.ptr[a[ok]]]
        chars[1::2] = words.chars[words.ptr[b[ok]]]
        new = ~np.isin(UK.row_keys(ptr, chars), UK.row_keys(words.ptr, words.chars))
        return _WordTable(ptr, chars, counts[ok].astype(np.int64)).subset(new)

    def boundary_keep(self, words: _WordTable, excess: np.ndarray, counts: np.ndarray,
                      char_cost: float) -> np.ndarray:
        """keep[w] of the branching-entropy test, paid in code length: w goes when nVBE
        decoding prefers its best split into other candidates by more (*excess*, nats)
        than ``boundary_margin`` + its surplus gain g(w) − (len(w) − 1), with g(w) =
        ln p(w) − Σ ln p(w_i) the nats an occurrence saves spelt whole rather than as its
        best split w_1..w_k into other words, in the unigram model of *counts* (the
        best-path counts of all the candidates; :func:`prune`), and
        len(w) − 1 the gain the redundancy test asks of every word. A compound whose
        occurrences are cheaper whole by more than its parts are more autonomous stays."""
        _, gain = self._prune(words, counts, char_cost)
        surplus = gain - (words.lengths - 1)
        margin = np.where(words.lengths >= MARGIN_MIN_LEN, self.boundary_margin, 0.0)
        return ~(excess > margin + surplus)

    def _prune(self, words: _WordTable, counts: np.ndarray,
               char_cost: float) -> tuple[np.ndarray, np.ndarray]:
        """:func:`prune` of *words* in the unigram model of *counts*: the
        redundancy test's keep[w] and each word's gain (nats) over its best split."""
        tk, tv = UK.row_key_table(words.ptr, words.chars)
        keep, gain, _ = prune(words, counts.astype(np.float64), tk, tv, self.unknown_score,
                              char_cost, self.lexicon_cost)
        return keep, gain


def prune(words: _WordTable, counts: np.ndarray, tk: np.ndarray, tv: np.ndarray,
          unknown_score: float, char_cost: float,
          lexicon_cost: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The minimum-entropy redundancy test (去冗 + MDL, :func:`_unigram_kernels.prune_rows`)
    of every multi-character word of *words* with count > 0 in the unigram model of
    *counts* (float64, one a word; *tk*, *tv* the words' key table), in two halves on two
    threads: (keep, gain in nats, saved code length in nats)."""
    logp, total, longest = UK.unigram_model(words.ptr, counts)
    n = counts.size
    keep, gain, saved = counts > 0, np.zeros(n), np.zeros(n)

    _in_halves(partial(UK.prune_rows, words.ptr, words.chars, counts, logp, total, longest, tk,
                       tv, unknown_score, char_cost, lexicon_cost, keep, gain, saved), 0, n)
    return keep, gain, saved


def select_candidates(table: _WordTable, tk: np.ndarray, tv: np.ndarray, n_chars: float,
                      min_pmi: float, pmi_step: float, pmi_cap: float, max_share: float,
                      with_autonomy: bool) -> tuple[np.ndarray, np.ndarray]:
    """keep[row] of the n-gram *table* (its key table *tk*, *tv*): one character, or
    cohesion (the minimum over binary splits of ln(N c(w) / (c(left) c(right)))) >=
    min(min_pmi + (n − 2) pmi_step, pmi_cap) and no one-character extension holding
    *max_share* of the n-gram's occurrences or more (it is a piece of a longer word). With
    *with_autonomy*, also the autonomy of every kept row (in row order; empty otherwise),
    the normalised variation of branching entropy (nVBE, Magistry & Sagot 2012) of the
    frequent n-gram table (all substrings of a row are rows):

    h_right(w) = ln c(w) − Σ_x c(wx) ln c(wx) / c(w) over the rows wx (occurrences whose
    extension is not a row — rarer than min_count, or a mark, or the text's end — count as
    all different), h_left likewise; the empty string's entropy is the character
    entropy. a(w) = h_right(w) − h_right(w[:-1]) + h_left(w) − h_left(w[1:]), minus the mean
    of a over the rows of w's length. High a: w is followed and preceded by many different
    strings, more than its shorter parts are (w ends where words end).

    The rows must come shortest first (as :meth:`UnigramFinder.ngram_table` writes them).
    Length by length: the rows one longer are looked up for their w[:-1] and w[1:]
    (:func:`_unigram_kernels.shorter_rows`) and add to those parents
    (:func:`_unigram_kernels.extension_stats`), then the rows of this length get their
    cohesion and autonomy (:func:`_unigram_kernels.cohesion_rows`, reusing the lookups of
    w[:-1] and w[1:] made one length before). The lookups and the cohesion pass run in two
    halves on two threads; only two lengths' sums are held at a time."""
    ptr, chars, counts = table.ptr, table.chars, table.counts
    one = UK.char_rows(ptr, chars)
    starts = UK.length_starts(ptr)
    keep = np.zeros(counts.size, np.bool_)
    kept_aut = []
    left = right = np.zeros(0, np.int32)  # rows of w[:-1] and w[1:] for this length's rows
    hr_shorter = hl_shorter = np.zeros(0)
    shorter_base, h0 = 0, 0.0
    for L in range(1, starts.size - 2):
        base, stop, longer_stop = (int(s) for s in starts[L:L + 3])
        longer_left = np.empty(longer_stop - stop, np.int32)
        longer_right = np.empty(longer_stop - stop, np.int32)

        _in_halves(partial(UK.shorter_rows, ptr, chars, one, tk, tv, stop, longer_left,
                           longer_right), stop, longer_stop)
        share, hr, hl, h0 = UK.extension_stats(ptr, chars, counts, one, base, stop - base,
                                               stop, longer_stop, longer_left, longer_right,
                                               h0, with_autonomy)
        need = min(min_pmi + (L - 2) * pmi_step, pmi_cap)
        aut = np.zeros(stop - base if with_autonomy else 0)

        _in_halves(partial(UK.cohesion_rows, ptr, chars, counts, one, tk, tv, base, left, right,
                           n_chars, need, share, max_share, hr, hl, hr_shorter, hl_shorter,
                           shorter_base, h0, keep, aut), base, stop)
        if with_autonomy:
            kept_aut.append(UK.kept_autonomy(aut, keep[base:stop], counts[base:stop]))
        left, right = longer_left, longer_right
        hr_shorter, hl_shorter, shorter_base = hr, hl, base
        del share, hr, hl, aut  # before the next length's arrays come
    aut = np.concatenate(kept_aut) if with_autonomy and kept_aut else np.zeros(0)
    return keep, aut


def _split(first: int, stop: int, min_rows: int = 1 << 14) -> list[slice]:
    """Rows first..stop in two halves (one when there are fewer than *min_rows*)."""
    if stop - first < min_rows:
        return [slice(first, stop)]
    middle = (first + stop) // 2
    return [slice(first, middle), slice(middle, stop)]


def _in_halves(work: Callable[[int, int], None], first: int, stop: int) -> None:
    """``work(start, stop)`` on the halves of rows first..stop (:func:`_split`), one a
    thread (GIL-free kernels writing to disjoint rows)."""
    for _ in map_blocks(lambda rows: work(rows.start, rows.stop), _split(first, stop)):
        pass


def merge_pairs(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(keys, counts) tables (any order) as one: distinct keys sorted, counts summed."""
    keys = np.concatenate([k for k, _ in parts]) if parts else np.zeros(0, np.int64)
    counts = np.concatenate([c for _, c in parts]) if parts else np.zeros(0, np.int64)
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    if keys.size == 0:
        return keys, counts
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[first], np.add.reduceat(counts, first)


def _halves(chunks: _WordTable) -> list[slice]:
    """The rows of *chunks* in two runs of about as many characters."""
    half = int(np.searchsorted(chunks.ptr[1:], chunks.chars.size // 2))
    return [slice(0, half), slice(half, chunks.counts.size)]


def merged_at_least(stack: MergeStack, min_count: int,
                    merge: Callable = merge_counts) -> tuple | None:
    """The tables of *stack* merged (emptying it) by *merge*, only the keys counted
    *min_count* times or more, with int64 counts; the last merge keeps only those, so the
    full merged table (all the distinct keys, most of them rare) is never built."""
    tables = [table for _, table in stack.stack]
    stack.stack.clear()
    if not tables:
        return None
    while len(tables) > 2:
        b, a = tables.pop(), tables.pop()
        tables.append(merge(*a, *b))
        del a, b
    if len(tables) == 1:
        keys, counts = tables.pop()
        keep = counts >= min_count
        return keys[keep], counts[keep].astype(np.int64, copy=False)
    b, a = tables.pop(), tables.pop()
    return merge_at_least(*a, *b, min_count)


def _characters_only(counts: NgramCounts) -> NgramCounts:
    """*counts* without its pairs: the character rows (and the cached dense counts)."""
    chars = (counts.keys & np.uint64((1 << 48) - 1)) == 0
    return NgramCounts(counts.keys[chars], counts.counts[chars], counts.max_n,
                       counts.char_counts())


def _code_length(counts: np.ndarray) -> float:
    """N ln N − Σ c ln c: nats to spell the corpus with these word counts (unigram ML)."""
    c = counts[counts > 0].astype(np.float64)
    total = float(c.sum())
    return total * math.log(total) - float((c * np.log(c)).sum()) if total > 0 else 0.0


def _digit_ids(chars: CharTable) -> np.ndarray:
    """is_digit[id] for the ids of the ASCII digits (full-width digits fold onto them)."""
    cps = chars.chars
    out = (cps >= 48) & (cps <= 57)
    out[0] = False
    return out


def table_arrays(n_rows: int, n_ids: int, top_count: int) -> _WordTable:
    """Empty arrays for an n-gram table of *n_rows* rows, *n_ids* ids in all and counts up
    to *top_count*: uint16 ids (character ids are below 2^16), int32 row pointers and
    counts where they fit (8 bytes a row and 2 an id less than int64 and int32; the
    kernels read them as exact integers either way, and the candidates taken from the
    table get int32 ids and int64 counts again)."""
    small = np.iinfo(np.int32).max
    return _WordTable(np.empty(n_rows + 1, np.int32 if n_ids <= small else np.int64),
                      np.empty(n_ids, np.uint16),
                      np.empty(n_rows, np.int32 if top_count <= small else np.int64))


def _concat_rows(widths: list[int], chars: list[np.ndarray],
                 counts: list[np.ndarray]) -> _WordTable:
    """Pieces of rows as one CSR table, each piece's rows *widths[i]* ids long (its ids
    *chars[i]* row after row); the lists are emptied as their pieces are copied, so at
    most one piece is held twice."""
    n_rows = sum(k.size for k in counts)
    n_ids = sum(c.size for c in chars)
    top = max((int(k.max()) for k in counts if k.size), default=0)
    out = table_arrays(n_rows, n_ids, top)
    out.ptr[0] = 0
    row = at = 0
    while widths:
        width, c, k = widths.pop(0), chars.pop(0), counts.pop(0)
        n = k.size
        for start in range(0, n, 1 << 18):  # in slices: small temporaries
            stop = min(n, start + (1 << 18))
            out.ptr[row + start + 1:row + stop + 1] = at + width * np.arange(
                start + 1, stop + 1, dtype=np.int64)
        out.chars[at:at + c.size] = c
        out.counts[row:row + n] = k
        row, at = row + n, at + c.size
        del c, k
    return out
