"""Search the cheat sheet the way a learner asks: ``js.cheatsheet.search("split a key")``.

A small, pure-Python ranking model over the 141 concepts. Each concept is indexed once (on first
use) as stemmed words per field: title, id and APIs weigh most, then the bullets, the example and
the table title. A query word matches an index word exactly, by prefix, or within a small edit
distance (typos such as ``vmpa``); a short hand-written phrase map turns the ways people ask
("recompile", "for loop", "save model") into the cheat sheet's own words and concepts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._cheatsheet import N_TABLES, Concept, concepts

# --- words ---------------------------------------------------------------------------------------
STOPWORDS = frozenset(
    """a an and are as at be by can could do does doing done for from get gets got has have how i
    if in into is it its me my of on or so than that the them then there these thing things this
    those to up use used uses using via want was way we what when where which while why will with
    without you your jax jnp please help""".split()
)
# Words too common in a JAX cheat sheet to tell concepts apart: they count about a third as much.
WEAK = frozenset("function functions code array arrays value values run runs work works".split())
# ``if``, ``in``, ``where``, ``while`` and ``for`` are stopwords for ranking but still take part
# in phrases ("if statement", "for loop", "in place", "nan gradient where").

_WORD_RE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
_IRREGULAR = {
    "leaves": "leaf",
    "indices": "index",
    "indexes": "index",
    "matrices": "matrix",
    "axes": "axis",
    "vertices": "vertex",
    "children": "child",
    "gpus": "gpu",
    "tpus": "tpu",
    "cpus": "cpu",
}


def stem(word: str) -> str:
    """A light, deterministic suffix stripper: ``keys``/``key``, ``jitted``/``jit``,
    ``compiles``/``compilation``/``compile``, ``vectorise``/``vectorize``."""
    w = _IRREGULAR.get(word, word)
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ations", "ation", "ition", "ings", "ing", "ion", "ed", "er"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    if w.endswith("is") and len(w) > 5:
        w = w[:-2] + "iz"
    return w


def words(text: str) -> list[str]:
    """Lower-case words of ``text``; ``static_argnums`` also yields ``static`` and ``argnums``."""
    out: list[str] = []
    for m in _WORD_RE.finditer(text.lower()):
        w = m.group(0)
        out.append(w)
        if "_" in w:
            out.extend(p for p in w.split("_") if p)
    return out


def terms(text: str) -> list[str]:
    """The stemmed, non-stopword words of ``text`` (order kept, repeats dropped)."""
    seen: dict[str, None] = {}
    for w in words(text):
        if w not in STOPWORDS:
            seen.setdefault(stem(w), None)
    return list(seen)


# --- the phrase map ------------------------------------------------------------------------------
# One entry a line (an indented line continues the one above): phrases separated by "|" => what
# they mean. ``@id`` boosts that concept; plain words join the query. A phrase matches where its
# words stand side by side in the query, small words ("a", "my") left out or not: "split my key"
# matches "split key".
PHRASE_MAP = """
split key | new key | more keys | subkey => @split @explicit-prng split
seed | rng | random state => key random prng
make array | create array | new array | build array | array of => @array-creation zeros arange
recompile | retrace | recompiling | compiled again | compiles every
    => @retracing @trace-cache @static-args
nan gradient | nan grad | gradient where | nan where | inf gradient => @nan-safe-where
multi gpu | multiple gpus | several gpus | multi device | 8 devices | many devices |
    multiple devices => @simulated-devices @pmap @named-sharding device
in place | inplace | mutate | modify array | change element | assign element | item assignment
    => @immutable-arrays @at-set at set
for loop | loop over | iterate | range loop => @fori-loop @scan loop
carry | rnn | sequence | running state | recurrence => @scan scan
if statement | if else | branch | conditional | python if => @python-control-flow @cond cond
one of several | pick one | choose one | by index | case statement | branches => @switch switch
print | printing | log value => @debug-print debug print
save model | save param | save weight | save checkpoint | restore | resume | load weight
    => @checkpointing checkpoint orbax
derivative | gradient | differentiate | backprop => grad
loss and gradient | value and gradient | loss and grad | loss too | both loss
    => @value-and-grad value_and_grad
batch | vectorize | vectorise | vectorized | batched => vmap
second derivative | second order | curvature => @higher-order @hessian
timing | time my | benchmark | measure time | how fast | slow
    => @benchmarking @async-dispatch block_until_ready
out of memory | oom | memory usage | save memory | use less memory => @memory @checkpoint memory
float64 | 64 bit | double precision | x64 => @default-dtypes-x64 x64
half precision | bf16 | fp16 | 16 bit => @low-precision bfloat16 float16
learning rate | lr | warmup | decay => @schedules schedule
neural network | layer | layers | module | model class => @flax-nnx flax module
output shape | shape without | infer shape => @eval-shape eval_shape
custom gradient | custom derivative | own gradient | backward pass | own derivative
    => custom_vjp custom_jvp custom
stop gradient | detach | freeze | no gradient | block gradient => @stop-gradient stop_gradient
callback | numpy inside jit | python function inside jit | host function | call numpy |
    scipy inside jit => @pure-callback callback
torch | pytorch | tensorflow | cupy | zero copy => @dlpack dlpack
nested dict | nested structure | nested list | dict of | tree | trees => @pytree-basics pytree tree
every leaf | each leaf | all leaves | map over tree | map tree => @tree-map tree_map
concretization | concrete value | tracerbool | boolean conversion
    => @tracer-errors concretizationtypeerror
pdb | debugger | step through | inspect value => @debug-breakpoint breakpoint
turn off | switch off | without jit | no jit | eager | eagerly | disable => @disable-jit disable_jit
gpu | tpu | cpu | accelerator | which device | device count | how many => @devices device count
to numpy | to host | from device | to device | transfer | copy back
    => @host-device-transfer device_put device_get
kernel | triton | cuda | mosaic => @pallas pallas
serialize | serialise | deploy | save function | stablehlo => @export export serialize
type hint | annotation | annotate | mypy => @typing typing arraylike
matrix multiply | matmul | dot product | tensor contraction => @dot-general dot einsum
cumulative | prefix sum | running sum | cumsum => @associative-scan cumsum
pool | pooling | sliding window | window => @reductions reduce_window
traced index | traced start | dynamic index | variable slice | slice size
    => @dynamic-slicing dynamic_slice
microbatch | accumulate gradient | several batches | bigger batch => @grad-accumulation multisteps
clip | exploding | gradient norm | global norm => @chain-clip clip_by_global_norm
weight decay | adamw | adam | sgd | optimiser | optimizer => @optimizers optax
some parameters | per parameter | subset of parameters | different learning rate | only some |
    exclude bias => @per-param-transforms masked multi_transform
reproducible | deterministic | same seed | same result => @reproducibility fold_in
profile | profiler | trace viewer | tensorboard | perfetto => @profiler profiler
compilation cache | persistent cache | compile cache | compile time | startup
    => @compile-cache cache
global variable | closure | captured | close over => @closed-over-constants @pure-functions constant
boolean mask | mask | masking | boolean index => @masking-where where
per sample | per example | each example | individual gradient => @per-example-gradients
recompute | remat | rematerialization | activation memory | activations
    => @checkpoint checkpoint remat
data loader | dataloader | prefetch | input pipeline | feed data => @data-pipeline device_put
log metric | logging | metric | tensorboard scalar => @metrics-logging metric
trace time | runs once | only once | side effect => @trace-time-side-effects side effect
unroll | python loop compile | slow compile | long compile => @loops-compile-time scan unroll
fused | fusion | hlo | optimized code | compiled code => @fusion-hlo hlo
sum across devices | all reduce | allreduce | reduce across => @collectives psum
multi host | several machines | multiple hosts | cluster | multi node => @multi-process distributed
"""


def _parse_phrases(text: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    joined: list[str] = []
    for line in text.strip().splitlines():
        if line[:1].isspace() and joined:
            joined[-1] += " " + line.strip()
        else:
            joined.append(line.strip())
    entries = []
    for line in joined:
        left, _, right = line.partition("=>")
        entries.append((tuple(p.strip() for p in left.split("|")), tuple(right.split())))
    return tuple(entries)


PHRASES = _parse_phrases(PHRASE_MAP)
_BOOST_FRACTION = 1.0  # an ``@id`` boost: this share of the best lexical score (or 1.0)
_EXTRA_WEIGHT = 0.6  # words a phrase adds weigh less than the learner's own words

# Field weights: where a word is found says how much it tells about the concept.
FIELD_WEIGHTS = {
    "title": 3.0,
    "id": 3.0,
    "apis": 2.5,
    "description": 1.0,
    "example": 0.5,
    "table": 0.4,
}


@dataclass(frozen=True)
class SearchHit:
    """One search result: the concept, its table number and its relevance score (higher first)."""

    concept: Concept
    table: int
    score: float

    @property
    def id(self) -> str:
        return self.concept.id

    @property
    def title(self) -> str:
        return self.concept.title


# --- fuzzy matching ------------------------------------------------------------------------------
def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (a swap of two letters counts 1), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _grams(term: str) -> set[str]:
    padded = f"^{term}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


# --- the index -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Index:
    concepts: tuple[Concept, ...]
    postings: dict[str, dict[int, float]]  # term -> concept index -> summed field weight
    idf: dict[str, float]
    titles: tuple[tuple[str, ...], ...]  # each concept's title + id terms, in order
    title_terms: tuple[tuple[str, ...], ...]  # each concept's title terms alone
    vocab: tuple[str, ...]
    grams: dict[str, tuple[str, ...]]  # bigram -> vocabulary terms holding it
    position: dict[str, int]  # concept id -> index
    memo: dict[str, tuple[tuple[str, float], ...]]  # query term -> its expansion, filled lazily


def _fields(c: Concept, table_title: str) -> dict[str, str]:
    return {
        "title": c.title,
        "id": c.id.replace("-", " "),
        "apis": " ".join(c.apis) + " " + " ".join(a.rsplit(".", 1)[-1] for a in c.apis),
        "description": " ".join(c.description),
        "example": c.example,
        "table": table_title,
    }


def build_index(items: list[Concept], table_titles: dict[int, str]) -> _Index:
    """The search index of ``items`` (pure: the same concepts give the same index)."""
    postings: dict[str, dict[int, float]] = {}
    titles = []
    for i, c in enumerate(items):
        for field, text in _fields(c, table_titles.get(c.table, "")).items():
            for t in terms(text):
                row = postings.setdefault(t, {})
                row[i] = row.get(i, 0.0) + FIELD_WEIGHTS[field]
        titles.append(tuple(terms(c.title + " " + c.id.replace("-", " "))))
    n = len(items)
    idf = {t: math.log(1.0 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
    vocab = tuple(sorted(postings))
    grams: dict[str, list[str]] = {}
    for t in vocab:
        for g in sorted(_grams(t)):
            grams.setdefault(g, []).append(t)
    return _Index(
        concepts=tuple(items),
        postings=postings,
        idf=idf,
        titles=tuple(titles),
        title_terms=tuple(tuple(terms(c.title)) for c in items),
        vocab=vocab,
        grams={g: tuple(ts) for g, ts in grams.items()},
        position={c.id: i for i, c in enumerate(items)},
        memo={},
    )


@cache
def _default_index() -> _Index:
    from ._cheatsheet import tables

    return build_index(concepts(), {t.n: t.title for t in tables()})


def _expand(index: _Index, term: str) -> tuple[tuple[str, float], ...]:
    """Index terms that ``term`` may mean, each with a match quality in (0, 1]."""
    if term not in index.memo:
        index.memo[term] = _expand_uncached(index, term)
    return index.memo[term]


def _expand_uncached(index: _Index, term: str) -> tuple[tuple[str, float], ...]:
    found: dict[str, float] = {}
    if term in index.postings:
        found[term] = 1.0
    if len(term) >= 3:
        for t in index.vocab:
            if t != term and t.startswith(term):
                found[t] = max(found.get(t, 0.0), 0.75 * len(term) / len(t) + 0.1)
            elif len(t) >= 3 and term.startswith(t) and len(t) >= 0.6 * len(term):
                found[t] = max(found.get(t, 0.0), 0.5)
    if len(term) >= 4 and not term.isdigit() and term not in index.postings:
        # only a word the cheat sheet never uses is taken for a typo ("vmpa", not "vmap")
        limit = 1 if len(term) <= 7 else 2
        counts: dict[str, int] = {}
        for g in _grams(term):
            for t in index.grams.get(g, ()):
                counts[t] = counts.get(t, 0) + 1
        need = max(1, len(term) - 1 - 2 * limit)
        for t, shared in counts.items():
            if shared < need or t in found or len(t) < 3:
                continue
            d = edit_distance(term, t, limit)
            if d <= limit:
                found[t] = 0.65 if d == 1 else 0.45
    return tuple(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


# --- queries -------------------------------------------------------------------------------------
@cache
def _phrase_table() -> tuple[tuple[tuple[tuple[str, ...], ...], tuple[str, ...]], ...]:
    """Each phrase as two stem sequences: all its words, and only its non-stopwords."""
    out = []
    for phrases, meaning in PHRASES:
        keys = []
        for p in phrases:
            ws = words(p)
            keys.append(tuple(stem(w) for w in ws))
            content = tuple(stem(w) for w in ws if w not in STOPWORDS)
            if len(content) >= 2 and len(content) < len(ws):
                keys.append(content)
        out.append((tuple(keys), meaning))
    return tuple(out)


def _contains(seq: tuple[str, ...], key: tuple[str, ...]) -> bool:
    n = len(key)
    return any(seq[i : i + n] == key for i in range(len(seq) - n + 1))


def interpret(query: str) -> tuple[list[str], list[str], list[str]]:
    """The query's own terms, the extra terms its phrases add, and the concept ids they boost.

    A phrase matches where its words appear next to each other in the query, either as written
    or with small words ("a", "my", "the") left out on both sides.
    """
    own = terms(query)
    ws = words(query)
    full = tuple(stem(w) for w in ws)
    content = tuple(stem(w) for w in ws if w not in STOPWORDS)
    extra: dict[str, None] = {}
    boosts: dict[str, None] = {}
    meanings = [
        m
        for keys, m in _phrase_table()
        if any(_contains(full, k) or _contains(content, k) for k in keys)
    ]
    if len(content) > len(set(content)):  # a word said twice ("vmap inside vmap"): nesting
        meanings.append(("nested", "higher", "order"))
    for meaning in meanings:
        for m in meaning:
            if m.startswith("@"):
                boosts.setdefault(m[1:], None)
            else:
                for t in terms(m):
                    if t not in own:
                        extra.setdefault(t, None)
    return own, list(extra), list(boosts)


def _check_query(query: Any) -> str:
    if not isinstance(query, str):
        raise TypeError(
            f"query must be a string of words, got {type(query).__name__} {query!r}; "
            'e.g. js.cheatsheet.search("split a key")'
        )
    if not query.strip():
        raise ValueError(
            "query is empty: type a few words about what you want to do, e.g. "
            'js.cheatsheet.search("why does my function recompile")'
        )
    return query


def score_all(index: _Index, query: str, table: int | None = None) -> list[tuple[int, float]]:
    """(concept index, score) for every concept that matches ``query``, best first."""
    own, extra, boosts = interpret(query)
    scores: dict[int, float] = {}
    matched: dict[int, float] = {}
    weak = {stem(w) for w in WEAK}
    weighted = [(t, 0.35 if t in weak else 1.0) for t in own]
    weighted += [(t, _EXTRA_WEIGHT) for t in extra]
    total_own = sum(w for _, w in weighted[: len(own)]) or 1.0
    for t, w in weighted:
        best: dict[int, float] = {}
        for term, quality in _expand(index, t):
            base = quality * index.idf[term] * w
            for i, fw in index.postings[term].items():
                v = base * min(fw, 6.0)
                if v > best.get(i, 0.0):
                    best[i] = v
        for i, v in best.items():
            scores[i] = scores.get(i, 0.0) + v
        if t in own:
            for i in best:
                matched[i] = matched.get(i, 0.0) + w
    # coverage: concepts that match more of the learner's own words rank higher
    for i in scores:
        scores[i] *= 0.6 + 0.4 * matched.get(i, 0.0) / total_own
    # title bonus: the more of a concept's title the query says, the better ("jit" -> jax.jit);
    # more again when two query words stand side by side in the title
    pairs = {(a, b) for a, b in zip(own, own[1:], strict=False)}
    own_set = set(own)
    for i in scores:
        tt = index.titles[i]
        title_terms = set(index.title_terms[i])
        if title_terms:
            scores[i] *= 1.0 + 0.5 * len(own_set & title_terms) / len(title_terms)
        if pairs and any(p in pairs for p in zip(tt, tt[1:], strict=False)):
            scores[i] *= 1.25
    top = max(scores.values(), default=0.0)
    bonus = max(top, 1.0) * _BOOST_FRACTION
    for rank, cid in enumerate(boosts):
        i = index.position.get(cid)
        if i is not None:
            scores[i] = scores.get(i, 0.0) + bonus * (1.0 - 0.05 * min(rank, 4))
    ranked = [
        (i, s)
        for i, s in scores.items()
        if s > 0 and (table is None or index.concepts[i].table == table)
    ]
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ranked


def _check_table(table: Any) -> int | None:
    if table is None:
        return None
    if isinstance(table, bool) or not isinstance(table, int):
        raise TypeError(f"table must be None or a table number (int 1..{N_TABLES}), got {table!r}")
    if not 1 <= table <= N_TABLES:
        raise ValueError(f"table must be a table number from 1 to {N_TABLES}, got {table}")
    return table


def search(query: str, limit: int = 10, table: int | None = None) -> list[SearchHit]:
    """The cheat-sheet concepts that best answer ``query``, best first (at most ``limit``).

    Tolerates typos and everyday phrasing ("split a key", "why does it recompile");
    ``table=n`` keeps only table ``n``'s concepts.
    """
    _check_query(query)
    table = _check_table(table)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be a positive int, got {limit!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    index = _default_index()
    return [
        SearchHit(concept=index.concepts[i], table=index.concepts[i].table, score=round(s, 4))
        for i, s in score_all(index, query, table)[:limit]
    ]
