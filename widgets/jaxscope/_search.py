"""Search the cheat sheet the way a learner asks: ``js.cheatsheet.search("split a key")``.

A small, pure-Python ranking model over the 141 concepts. Each concept is indexed once (on first
use) from everything the project knows about it: its cheat-sheet row (title, id and APIs weigh
most, then the bullets and the example), the prose and code of its notebook section (exercise
prompts included), the words other frameworks and everyday speech use for it and the error
messages that lead to it (``_search_vocab``). A query word matches an index word exactly, by
prefix, or within a small edit distance (typos such as ``vmpa``); phrases ("same random numbers",
"torch.no_grad") point at their concept directly. A pasted traceback is cut down to its error
class and message, and the concept the error coach (``_explain``) names for it ranks first.

Every hit says why it matched: the query words found and the sentence of the concept's material
that holds most of them.
"""

from __future__ import annotations

import bisect
import builtins
import json
import math
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ._cheatsheet import N_TABLES, Concept, concepts, notebooks_dir
from ._search_vocab import ERRORS, VOCABULARY

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


@cache
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
    for w in _WORD_RE.findall(text.lower()):
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
time my | time it | benchmark | measure time | how fast | how long it takes | slow
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


def _joined_lines(text: str) -> list[str]:
    """The entries of a one-entry-a-line table, an indented line continuing the one above."""
    joined: list[str] = []
    for line in text.strip().splitlines():
        if line[:1].isspace() and joined:
            joined[-1] += " " + line.strip()
        elif line.strip():
            joined.append(line.strip())
    return joined


def _parse_phrases(text: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    entries = []
    for line in _joined_lines(text):
        left, _, right = line.partition("=>")
        entries.append((tuple(p.strip() for p in left.split("|")), tuple(right.split())))
    return tuple(entries)


def _parse_vocabulary(text: str) -> dict[str, tuple[str, ...]]:
    """``concept-id: phrase | phrase`` lines as {concept id: phrases}."""
    out: dict[str, tuple[str, ...]] = {}
    for line in _joined_lines(text):
        cid, _, rest = line.partition(": ")
        out[cid.strip()] = tuple(p.strip() for p in rest.split(" | ") if p.strip())
    return out


PHRASES = _parse_phrases(PHRASE_MAP)
VOCAB = _parse_vocabulary(VOCABULARY)
ERROR_PHRASES = _parse_vocabulary(ERRORS)
_BOOST_FRACTION = 1.0  # an ``@id`` boost: this share of the best lexical score (or 1.0)
_EXTRA_WEIGHT = 0.6  # words a phrase adds weigh less than the learner's own words
_VOCAB_BOOST = 0.45  # a vocabulary phrase of n words: n times this share of the best score
_COACH_BOOST = 0.25  # the error coach's concept for a pasted error: this share above the best
_MAX_TERMS = 48  # a query longer than this many words is cut (pasted logs)

# Field weights: where a word is found says how much it tells about the concept.
FIELD_WEIGHTS = {
    "title": 3.0,
    "id": 3.0,
    "apis": 2.5,
    "vocab": 1.6,
    "errors": 1.6,
    "description": 1.0,
    "example": 0.5,
    "table": 0.4,
    "prose": 0.35,
    "code": 0.2,
}
# Fields whose words typos and prefixes may reach; notebook words match only as written.
CORE_FIELDS = frozenset(FIELD_WEIGHTS) - {"prose", "code"}
# How each source is named in "why it matched".
SOURCE_NAMES = {
    "title": "title",
    "apis": "API",
    "description": "cheat sheet",
    "vocab": "also called",
    "errors": "error message",
    "prose": "notebook",
}


@dataclass(frozen=True)
class SearchHit:
    """One search result: the concept, its table number, its relevance score (higher first) and
    why it matched (``why``: the sentence of the concept's material holding most of the query's
    words; ``matched``: those words)."""

    concept: Concept
    table: int
    score: float
    why: str = ""
    matched: tuple[str, ...] = field(default=())

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


# --- what the project knows about each concept ---------------------------------------------------
_ANCHOR_RE = re.compile(r'<a id="([a-z0-9-]+)"></a>')
# Markdown that is not prose: tags, code ticks, emphasis stars (not x**2), heading and quote
# marks, table bars; a link keeps its text (group 1).
_MARKUP_RE = re.compile(
    r"<[^>]+>|`+|(?<![\w)\]*])\*{1,2}(?=[^\s*])|(?<=[^\s*])\*{1,2}(?![\w(\[*])|^[#>\s]+|\|"
    r"|\[([^\]]*)\]\([^)]*\)",
    re.M,
)
_SENTENCE_RE = re.compile(r"(?<=[.!?:;])\s+|\n+")


def notebook_sections(folder: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """Each concept's notebook section as ``{"prose": [...], "code": [...]}`` cell sources.

    A section runs from the ``## ... <a id="concept-id"></a>`` heading to the next ``##`` heading;
    outputs are never read. Missing notebooks give no sections.
    """
    folder = folder or notebooks_dir()
    sections: dict[str, dict[str, list[str]]] = {}
    for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else ():
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        current: dict[str, list[str]] | None = None
        for cell in cells:
            source = "".join(cell.get("source", ""))
            if cell.get("cell_type") == "markdown":
                heading = re.search(r"^## .*", source, re.M)
                if heading:
                    m = _ANCHOR_RE.search(heading.group(0))
                    current = (
                        sections.setdefault(m.group(1), {"prose": [], "code": []}) if m else None
                    )
                if current is not None:
                    current["prose"].append(source)
            elif cell.get("cell_type") == "code" and current is not None:
                current["code"].append(source)
    return sections


def _plain(markdown: str) -> str:
    return _MARKUP_RE.sub(lambda m: m.group(1) or ("" if m.group(0)[:1] in "`*" else " "), markdown)


def _sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in _SENTENCE_RE.split(text) if len(s.strip()) > 3]


def concept_fields(
    c: Concept, table_title: str, section: dict[str, list[str]] | None = None
) -> dict[str, str]:
    """The indexed text of one concept, by field."""
    section = section or {"prose": [], "code": []}
    return {
        "title": c.title,
        "id": c.id.replace("-", " "),
        "apis": " ".join(c.apis) + " " + " ".join(a.rsplit(".", 1)[-1] for a in c.apis),
        "vocab": " | ".join(VOCAB.get(c.id, ())),
        "errors": " | ".join(ERROR_PHRASES.get(c.id, ())),
        "description": " ".join(c.description),
        "example": c.example,
        "table": table_title,
        "prose": _plain("\n".join(section["prose"])),
        "code": "\n".join(section["code"]),
    }


def _why_sentences(fields: dict[str, str], c: Concept) -> list[tuple[str, str]]:
    """(source, sentence) pairs that "why it matched" may quote, best sources first."""
    out = [("title", c.title)] + [("apis", a) for a in c.apis]
    out += [("description", b) for b in c.description]
    out += [("vocab", p) for p in VOCAB.get(c.id, ())]
    out += [("errors", p) for p in ERROR_PHRASES.get(c.id, ())]
    out += [("prose", s) for s in _sentences(fields["prose"]) if not s.startswith("✎")]
    return out


# --- the index -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Index:
    concepts: tuple[Concept, ...]
    postings: dict[str, dict[int, float]]  # term -> concept index -> summed field weight
    idf: dict[str, float]
    titles: tuple[tuple[str, ...], ...]  # each concept's title + id terms, in order
    title_terms: tuple[tuple[str, ...], ...]  # each concept's title terms alone
    vocab: tuple[str, ...]  # sorted terms of the core fields (typos and prefixes reach these)
    grams: dict[str, tuple[str, ...]]  # bigram -> core terms holding it
    position: dict[str, int]  # concept id -> index
    phrases: dict[str, tuple[tuple[tuple[str, ...], int, str], ...]]  # first stem -> phrases
    sentences: tuple[tuple[tuple[str, str, frozenset[str]], ...], ...]  # per concept, for "why"
    sentence_terms: tuple[dict[str, tuple[int, ...]], ...]  # per concept: term -> its sentences
    memo: dict[str, tuple[tuple[str, float], ...]]  # query term -> its expansion, filled lazily


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text) if w not in STOPWORDS)


def build_index(
    items: list[Concept],
    table_titles: dict[int, str],
    sections: dict[str, dict[str, list[str]]] | None = None,
) -> _Index:
    """The search index of ``items`` (pure: the same inputs give the same index)."""
    sections = sections or {}
    postings: dict[str, dict[int, float]] = {}
    core: set[str] = set()
    titles, sentences, sentence_terms = [], [], []
    phrases: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
    for i, c in enumerate(items):
        fields = concept_fields(c, table_titles.get(c.table, ""), sections.get(c.id))
        for name, text in fields.items():
            for t in terms(text):
                row = postings.setdefault(t, {})
                row[i] = row.get(i, 0.0) + FIELD_WEIGHTS[name]
                if name in CORE_FIELDS:
                    core.add(t)
        titles.append(tuple(terms(c.title + " " + c.id.replace("-", " "))))
        for p in VOCAB.get(c.id, ()) + ERROR_PHRASES.get(c.id, ()):
            key = _stems(p)
            if len(key) >= 2 or (len(key) == 1 and len(key[0]) >= 8):
                phrases.setdefault(key[0], []).append((key, i, p))
        quoted = tuple((src, s, frozenset(terms(s))) for src, s in _why_sentences(fields, c))
        sentences.append(quoted)
        where: dict[str, list[int]] = {}
        for k, (_, _, ts) in enumerate(quoted):
            for t in ts:
                where.setdefault(t, []).append(k)
        sentence_terms.append({t: tuple(ks) for t, ks in where.items()})
    n = len(items)
    idf = {t: math.log(1.0 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
    vocab = tuple(sorted(core))
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
        phrases={k: tuple(v) for k, v in phrases.items()},
        sentences=tuple(sentences),
        sentence_terms=tuple(sentence_terms),
        memo={},
    )


@cache
def _default_index() -> _Index:
    from ._cheatsheet import tables

    return build_index(concepts(), {t.n: t.title for t in tables()}, notebook_sections())


def _expand(index: _Index, term: str) -> tuple[tuple[str, float], ...]:
    """Index terms that ``term`` may mean, each with a match quality in (0, 1]."""
    if term not in index.memo:
        index.memo[term] = _expand_uncached(index, term)
    return index.memo[term]


def _expand_uncached(index: _Index, term: str) -> tuple[tuple[str, float], ...]:
    found: dict[str, float] = {}
    if term in index.postings:
        found[term] = 1.0
    vocab = index.vocab
    if len(term) >= 3:
        start = bisect.bisect_right(vocab, term)
        for t in vocab[start : start + 200]:
            if not t.startswith(term):
                break
            found[t] = max(found.get(t, 0.0), 0.75 * len(term) / len(t) + 0.1)
        for k in range(max(3, math.ceil(0.6 * len(term))), len(term)):
            head = term[:k]
            j = bisect.bisect_left(vocab, head)
            if j < len(vocab) and vocab[j] == head:
                found[head] = max(found.get(head, 0.0), 0.5)
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


# --- pasted errors -------------------------------------------------------------------------------
_ERROR_LINE_RE = re.compile(
    r"^\s*(?:[A-Za-z_][\w]*\.)*([A-Z]\w*(?:Error|Exception|Warning|Exhausted))\b"
    r"(?::\s*(.*)|\s+Traceback \(most recent call last\)|\s*$)"
)
_TRACEBACK_NOISE_RE = re.compile(
    r"^\s*(?:Traceback \(most recent call last\)|File \"|Cell In\[|-+>?\s*\d*|\d+\s|\[\.\.\. "
    r"|The above exception|During handling|See https?:|For simplicity|-{5,}|\^+\s*$)"
)


@dataclass(frozen=True)
class PastedError:
    """The error class and message found in a pasted traceback or error line."""

    name: str
    message: str


def parse_error(text: str) -> PastedError | None:
    """The error class and message of a pasted traceback or ``SomeError: message`` line.

    The last ``Name: message`` line wins (a chained traceback ends with the error that was
    raised), its message continuing on the following lines up to a traceback frame or a
    blank line; a notebook header such as ``TracerBoolConversionError  Traceback (most recent
    call last)`` counts when no message line follows. ``None`` when the text holds no error.
    """
    lines = text.splitlines()
    found: PastedError | None = None
    for n, line in enumerate(lines):
        m = _ERROR_LINE_RE.match(line)
        if not m or (m.group(2) is None and found is not None and found.message):
            continue
        message = [m.group(2) or ""]
        for more in lines[n + 1 :] if m.group(2) is not None else ():
            if not more.strip() or _TRACEBACK_NOISE_RE.match(more) or _ERROR_LINE_RE.match(more):
                break
            message.append(more.strip())
        found = PastedError(m.group(1), " ".join(" ".join(message).split()))
    return found


_NAMED_ERROR_RE = re.compile(r"\b([A-Z][A-Za-z]*(?:Error|Exception))\b")


def named_error(text: str) -> PastedError | None:
    """An error class a question names in passing ("TracerBoolConversionError after vmap"),
    with the question's other words as its message; ``None`` when it names none."""
    m = _NAMED_ERROR_RE.search(text)
    if m is None:
        return None
    rest = " ".join((text[: m.start()] + " " + text[m.end() :]).split())
    if "vmap" in words(rest) and "Tracer" not in rest:
        rest += " (a BatchTracer)"  # what JAX calls the tracer of a vmapped value
    return PastedError(m.group(1), rest)


def _exception_for(err: PastedError) -> BaseException | None:
    """An exception of the pasted error's class (``jax.errors`` or builtins) with its message."""
    import jax

    cls = getattr(jax.errors, err.name, None) or getattr(builtins, err.name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        return None
    exc = cls.__new__(cls)
    BaseException.__init__(exc, err.message)
    return exc


@lru_cache(maxsize=256)
def coach_concept(name: str, message: str) -> str:
    """The concept the error coach (``_explain.explain``) names for this error, or ``""``."""
    from ._explain import explain

    exc = _exception_for(PastedError(name, message))
    return explain(exc).get("concept", "") if exc is not None else ""


# --- queries -------------------------------------------------------------------------------------
@cache
def _phrase_table() -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Each phrase map entry's phrases as stem sequences (all its words, and only its
    non-stopwords), filed under their first stem: {stem: ((sequence, entry number), ...)}."""
    table: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for n, (phrases, _) in enumerate(PHRASES):
        for p in phrases:
            ws = words(p)
            keys = [tuple(stem(w) for w in ws)]
            content = tuple(stem(w) for w in ws if w not in STOPWORDS)
            if len(content) >= 2 and len(content) < len(ws):
                keys.append(content)
            for key in keys:
                table.setdefault(key[0], []).append((key, n))
    return {k: tuple(v) for k, v in table.items()}


def _phrase_entries(*seqs: tuple[str, ...]) -> list[int]:
    """The phrase map entries (by number, in order) whose phrases stand in one of ``seqs``."""
    table = _phrase_table()
    found = {
        n
        for seq in seqs
        for pos, t in enumerate(seq)
        for key, n in table.get(t, ())
        if seq[pos : pos + len(key)] == key
    }
    return sorted(found)


# A transform said twice ("vmap inside vmap", "grad of grad") asks about nesting.
_NESTING = frozenset({"vmap", "grad", "jit", "jacfwd", "jacrev", "pmap", "jvp"})


def interpret(query: str) -> tuple[list[str], list[str], list[str]]:
    """The query's own terms, the extra terms its phrases add, and the concept ids they boost.

    A phrase matches where its words appear next to each other in the query, either as written
    or with small words ("a", "my", "the") left out on both sides.
    """
    own = terms(query)[:_MAX_TERMS]
    ws = words(query)
    full = tuple(stem(w) for w in ws)
    content = tuple(stem(w) for w in ws if w not in STOPWORDS)
    extra: dict[str, None] = {}
    boosts: dict[str, None] = {}
    meanings = [PHRASES[n][1] for n in _phrase_entries(full, content)]
    if any(content.count(t) > 1 for t in _NESTING):
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


def vocabulary_matches(index: _Index, query: str) -> dict[int, tuple[int, str]]:
    """Concepts whose vocabulary or error phrases the query says, word for word: {concept index:
    (length of the longest such phrase, the phrase)}."""
    seq = _stems(query)
    found: dict[int, tuple[int, str]] = {}
    for pos, t in enumerate(seq):
        for key, i, phrase in index.phrases.get(t, ()):
            if seq[pos : pos + len(key)] == key and len(key) > found.get(i, (0, ""))[0]:
                found[i] = (len(key), phrase)
    return found


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


@dataclass
class _Scored:
    """Scores and the evidence behind them, for one query."""

    ranked: list[tuple[int, float]]
    matched: dict[int, dict[str, str]]  # concept index -> {query term: index term it matched}
    phrases: dict[int, str]  # concept index -> the vocabulary or error phrase it matched
    coach: str  # the error coach's concept for a pasted error, or ""
    error: PastedError | None
    text: str  # what was ranked: the query, or the error class and message pasted in it


def _score(index: _Index, query: str, table: int | None = None) -> _Scored:
    error = parse_error(query) or named_error(query)
    text = f"{error.name} {error.message}" if error else query
    coach = coach_concept(error.name, error.message) if error else ""
    own, extra, boosts = interpret(text)
    scores: dict[int, float] = {}
    covered: dict[int, float] = {}
    matched: dict[int, dict[str, str]] = {}
    weak = {stem(w) for w in WEAK}
    weighted = [(t, 0.35 if t in weak else 1.0, True) for t in own]
    weighted += [(t, _EXTRA_WEIGHT, False) for t in extra]
    total_own = sum(w for _, w, _ in weighted[: len(own)]) or 1.0
    for t, w, is_own in weighted:
        best: dict[int, tuple[float, str]] = {}
        for term, quality in _expand(index, t):
            base = quality * index.idf[term] * w
            for i, fw in index.postings[term].items():
                v = base * min(fw, 6.0)
                if v > best.get(i, (0.0, ""))[0]:
                    best[i] = (v, term)
        for i, (v, term) in best.items():
            scores[i] = scores.get(i, 0.0) + v
            if is_own:
                covered[i] = covered.get(i, 0.0) + w
                matched.setdefault(i, {})[t] = term
    # coverage: concepts that match more of the learner's own words rank higher
    for i in scores:
        scores[i] *= 0.6 + 0.4 * covered.get(i, 0.0) / total_own
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
    top = max(max(scores.values(), default=0.0), 1.0)
    phrases = vocabulary_matches(index, text)
    for i, (n, _) in phrases.items():
        scores[i] = scores.get(i, 0.0) + top * _VOCAB_BOOST * min(n, 4)
    for rank, cid in enumerate(boosts):
        i = index.position.get(cid)
        if i is not None:
            scores[i] = scores.get(i, 0.0) + top * _BOOST_FRACTION * (1.0 - 0.05 * min(rank, 4))
    if coach in index.position:  # first, whatever else the message says
        scores[index.position[coach]] = max(scores.values(), default=0.0) + top * _COACH_BOOST
    ranked = [
        (i, s)
        for i, s in scores.items()
        if s > 0 and (table is None or index.concepts[i].table == table)
    ]
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return _Scored(ranked, matched, {i: p for i, (_, p) in phrases.items()}, coach, error, text)


def score_all(index: _Index, query: str, table: int | None = None) -> list[tuple[int, float]]:
    """(concept index, score) for every concept that matches ``query``, best first."""
    return _score(index, query, table).ranked


def why_matched(index: _Index, scored: _Scored, i: int) -> tuple[str, tuple[str, ...]]:
    """Why concept ``i`` matched: a short sentence quoting its material, and the query's words
    (as the learner wrote them) that matched it."""
    c = index.concepts[i]
    words_matched = scored.matched.get(i, {})
    found = frozenset(words_matched.values())
    reasons = []
    if scored.coach == c.id and scored.error is not None:
        reasons.append(f"the error coach explains {scored.error.name} with this concept")
    phrase = scored.phrases.get(i)
    if phrase:
        reasons.append(f'you said "{phrase}"')
    best, best_score = None, 0.0
    where = index.sentence_terms[i]
    for k in sorted({k for t in found for k in where.get(t, ())}):
        src, sentence, ts = index.sentences[i][k]
        s = sum(index.idf.get(t, 0.0) for t in ts & found)
        if s > best_score + 1e-9 and sentence != phrase:
            best, best_score = (src, sentence), s
    if best is not None and len(reasons) < 2:
        src, sentence = best
        if len(sentence) > 160:
            sentence = sentence[:157].rstrip() + "..."
        reasons.append(f"{SOURCE_NAMES.get(src, src)}: {sentence}")
    said = tuple(dict.fromkeys(w for w in words(scored.text) if stem(w) in words_matched))
    if not reasons and said:
        reasons.append("words: " + ", ".join(said))
    return "; ".join(reasons), said


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

    Tolerates typos, everyday phrasing ("split a key", "why does it recompile"), other
    frameworks' words ("torch.no_grad") and pasted tracebacks; ``table=n`` keeps only table
    ``n``'s concepts. Each hit says why it matched.
    """
    _check_query(query)
    table = _check_table(table)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be a positive int, got {limit!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    index = _default_index()
    scored = _score(index, query, table)
    hits = []
    for i, s in scored.ranked[:limit]:
        why, matched = why_matched(index, scored, i)
        c = index.concepts[i]
        hits.append(SearchHit(c, c.table, round(s, 4), why, matched))
    return hits
