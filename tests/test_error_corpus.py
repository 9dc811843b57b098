"""The error coach and the sharp-bit detector measured on tests/error_corpus.

Each snippet must be named (the error class), located (the offending line), fixed (the coach's
own ``Fix:`` names the fix for this cause) and taught (the concept id); each silent snippet must
get a note of its kind at its line. The corpus is split once, by a hash of each snippet's name,
into a tuning half and a held-out half; the targets hold on both. Run this file as a script to
print the counts.
"""

from __future__ import annotations

import contextlib
import linecache
import sys
from collections import Counter

import pytest
from error_corpus import Case, line_of, load, phrase_in

import jaxscope as js
from jaxscope._cheatsheet import concept
from jaxscope._explain import explain

# some snippets pass iterators to jit on purpose: JAX warns about them as well as failing
pytestmark = pytest.mark.filterwarnings("ignore:Python iterable type:DeprecationWarning")
CASES = load()
ERRORS = [c for c in CASES if c.error]
SILENT = [c for c in CASES if c.kind]


def evaluate(c: Case) -> dict[str, bool | str]:
    """What the tool got right on one snippet (and what it said)."""
    want_lines = line_of(c.fn, c.line)
    ctx = c.context() if c.context else contextlib.nullcontext()
    with ctx:
        if c.via == "call":
            try:
                c.fn(*c.args(), **c.kwargs)
            except Exception as exc:  # noqa: BLE001
                info = explain(exc, c.fn)
                where = info["where"]
                line = int(where.rsplit(":", 1)[1]) if ":" in where else None
                err = dict(info, type=info.get("name") or type(exc).__name__, line=line)
            else:
                return {"ok": False, "said": "no error raised"}
            notes: list = []
        else:
            view = js.trace(
                c.fn,
                *c.args(),
                static_argnums=c.static_argnums,
                static_argnames=c.static_argnames,
                **c.kwargs,
            )
            err, notes = view.data["error"], view.data.get("notes", [])
    if c.kind:
        hit = [n for n in notes if n["kind"] == c.kind and n["line"] in want_lines]
        return {"flagged": bool(hit) and err is None, "said": str(notes or err)}
    if err is None:
        return {"named": False, "located": False, "fixed": False, "said": "no error shown"}
    return {
        "named": err["type"] in c.error.split("|"),
        "located": err["line"] in want_lines,
        "fixed": all(phrase_in(p, err["fix"]) for p in c.fix),
        "concept": err["concept"] == c.concept,
        "said": f"{err['type']} line {err['line']} | fix: {err['fix']} | {err['concept']}",
    }


@pytest.fixture(scope="module")
def results():
    return {c.name: evaluate(c) for c in CASES}


def counts(results: dict, half: str) -> dict[str, tuple[int, int]]:
    errs = [results[c.name] for c in ERRORS if c.half == half]
    out = {
        k: (sum(bool(r.get(k)) for r in errs), len(errs))
        for k in ("named", "located", "fixed", "concept")
    }
    out["named+located"] = (sum(bool(r["named"] and r["located"]) for r in errs), len(errs))
    kinds = {c.kind for c in SILENT}
    flagged = Counter(c.kind for c in SILENT if c.half == half and results[c.name]["flagged"])
    total = Counter(c.kind for c in SILENT if c.half == half)
    out["silent"] = (sum(flagged.values()), sum(total.values()))
    out["kinds"] = (sum(1 for k in kinds if flagged[k] * 2 > total[k]), len(kinds))
    return out


def test_the_corpus_is_big_enough_and_its_expectations_are_real():
    assert len(ERRORS) >= 60 and all(
        Counter(c.kind for c in SILENT)[k] >= 6 for k in {c.kind for c in SILENT}
    )
    for c in CASES:
        assert line_of(c.fn, c.line), f"{c.name}: no line contains {c.line!r}"
        assert concept(c.concept).id == c.concept


# the targets; the held-out half is never tuned on: its floor is what it measured after
# tuning on the other half. Batches 1-3: 75/76 named and located, 67/76 fixes (batch 3, written
# blind by another session, measured 23/23 and 14/23 on its held half; one held case,
# round3.reuse_donated_input, was opened to find why it failed only in the full suite). Batches 4
# and 5 were written blind by other sessions. Batch 4's held half measured 28/28 and 6/28 before
# any change, 9/28 after the general fallbacks (the cheat-sheet row of the function called, JAX's
# own advice) and the rules written for its tune half; batch 5's held half measured 22/22 and
# 4/22, before and after the rules for its tune half. Batches 6 (general mistakes) and 7
# (reproductions of questions on issue trackers) were written blind at the same time; their held
# halves measured 21/22 and 3/22, 26/27 and 2/27 before any change, 9/22 and 6/27 after the
# rules for their tune halves. Batch 8 (core JAX, from the docs' pages) measured 24/24 and 6/24 on
# its held half before any change, and the same after the rules for its tune half. Batches 9
# (model and optimizer libraries, training loops) and 10 (the API with NumPy and PyTorch habits)
# measured 24/24 and 1/24, 29/29 and 7/29 before any change; 3/24 and 8/29 after the rules for
# their tune halves. Batches 11 (small real models with the libraries) and 12 (questions from
# issue trackers) measured 28/30 and 14/30, 29/29 and 15/29 before any rule was written for them.
# Batches 13 (the JAX docs' teaching pages) and 14 (the training libraries' gotchas) measured
# 21/21 and 14/21, 22/22 and 11/22; batches 15 (silent sharp bits in real code) and 16
# (scientific computing) 15/17 and 14/17, 30/30 and 17/30; batch 17 (advanced transformations
# and APIs) 12/12 and 8/12; batch 18 (issue-tracker questions about the libraries) 13/13 and
# 3/13; batch 19 (real models and training loops with the libraries) 10/10 and 3/10; batch 20
# (the JAX docs' teaching pages) 13/13 and 5/13. The floor is the sum of the blind measures:
# 442/449, 203/449.
TARGETS = {"tune": (0.97, 0.90), "held": (442 / 449, 203 / 449)}


@pytest.mark.parametrize("half", ["tune", "held"])
def test_targets_on_each_half(results, half):
    got = counts(results, half)
    named, n = got["named+located"]
    fixed, _ = got["fixed"]
    kinds, nkinds = got["kinds"]
    at_least_named, at_least_fixed = TARGETS[half]
    assert named >= at_least_named * n - 1e-9, got
    assert fixed >= at_least_fixed * n - 1e-9, got
    assert kinds >= nkinds - 1, got  # at least 6 of the 7 silent kinds flagged


if __name__ == "__main__":
    res = {c.name: evaluate(c) for c in CASES}
    for half in ("tune", "held"):
        print(half, counts(res, half))
    if "-v" in sys.argv:
        for c in CASES:
            r = res[c.name]
            bad = [
                k
                for k in ("named", "located", "fixed", "concept", "flagged")
                if k in r and not r[k]
            ]
            if bad and (c.half == "tune" or "--all" in sys.argv):
                print(
                    f"- {c.half} {c.name}: {bad}  expected {c.error or c.kind} {c.fix}"
                    f" {c.concept}\n    {r['said'][:400]}"
                )
    linecache.clearcache()
