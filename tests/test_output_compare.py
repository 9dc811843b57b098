"""Numbers compared as numbers: what another CPU changes agrees, a real change does not."""

import numpy as np
import pytest

from jaxscope._output_compare import ULPS, ComparedText, outputs_agree


def ulps_away(value: float, n: int, dtype=np.float32) -> str:
    """``value`` moved ``n`` units in the last place of ``dtype``, printed as NumPy prints it."""
    x = dtype(value)
    step = np.inf if n > 0 else -np.inf
    for _ in range(abs(n)):
        x = np.nextafter(x, dtype(step))
    return repr(float(x)) if dtype is np.float64 else str(x)


SAME = [
    # one float32 ulp: the dot product and SVD values of the issue
    ("0.44444445", "0.44444448"),
    ("1.2679491", "1.2679492"),
    (str(np.float32(0.7)), ulps_away(0.7, 3)),
    (str(np.float32(-123.456)), ulps_away(-123.456, -5)),
    # inside arrays, with NumPy's padding shifting when a -0. becomes 0.
    ("[0.84147096 0.9092974 ]", "[0.84147096 0.90929747]"),
    ("[-0.  1.]", "[ 0.  1.]"),
    (
        "Array([[1.       , 0.5      ],\n       [0.3333333, 0.25     ]], dtype=float32)",
        "Array([[1.        , 0.5       ],\n       [0.33333334, 0.25      ]], dtype=float32)",
    ),
    # a rounding residual is small beside the largest number of its array
    ("[1.0000000e+00 2.3841858e-07]", "[1.0000000e+00 0.0000000e+00]"),
    # scientific notation
    ("loss 1.2345678e-05", "loss 1.2345679e-05"),
    ("6.1035156e+04", "6.103516e+04"),
    # nan and inf
    ("[nan inf -inf]", "[nan inf -inf]"),
    # a printed rounding flip in the last of 5+ digits
    ("accuracy 0.98765", "accuracy 0.98766"),
    # numbers inside HTML
    ('<td class="jxs-num">0.44444445</td>', '<td class="jxs-num">0.44444448</td>'),
    ('<rect width="12.500001" x="3"/>', '<rect width="12.5" x="3"/>'),
    # float64 values as Python prints them, differing in a float32's last bit
    ("0.4444444477558136", "0.44444447755813599"),
    # runs of spaces count as one
    ("a  =  1.5", "a = 1.5"),
    # NumPy wraps a row where its numbers grew longer
    ("[0.5 0.25 0.125\n 0.0625]", "[0.50000006 0.25\n 0.125 0.0625]"),
]

DIFFERENT = [
    # a different digit in the 4th significant place
    ("0.44444445", "0.44454445"),
    ("1.2679491", "1.2689491"),
    ("0.4444", "0.4445"),
    ("[0.84147096 0.9092974 ]", "[0.84147096 0.9102974 ]"),
    ('<td class="jxs-num">0.44444445</td>', '<td class="jxs-num">0.44434445</td>'),
    # beyond the allowed ulps
    (str(np.float32(0.7)), ulps_away(0.7, 4 * ULPS)),
    # another shape, dtype, word or sign
    ("f32[3,4]", "f32[3,5]"),
    ("Array([1., 2.], dtype=float32)", "Array([1., 2.], dtype=float64)"),
    ("Array([1., 2.], dtype=float32)", "Array([1., 2.], dtype=float16)"),
    ("loss 0.5", "lost 0.5"),
    ("0.25", "-0.25"),
    ("[ 0.25  1.  ]", "[-0.25  1.  ]"),
    # integers compare exactly
    ("count 1000000", "count 1000001"),
    ("7", "7."),
    # nan and inf are not numbers close to anything
    ("nan", "0."),
    ("inf", "-inf"),
    ("inf", "3.4028235e+38"),
    # more or fewer numbers, text that moved
    ("[1. 2.]", "[1. 2. 3.]"),
    ("a 1.5 b", "a 1.5b"),
    ("line 1\nline 2", "line 1 line 2"),
    ("[1.]\n[2.]", "[1.] [2.]"),
    # a small number alone has no larger neighbour to be small beside
    ("2.3841858e-07", "0."),
    # versions and names are text, not numbers
    ("jax 0.10.2", "jax 0.10.3"),
]


@pytest.mark.parametrize(("ref", "test"), SAME)
def test_what_another_cpu_changes_agrees(ref, test):
    assert outputs_agree(ref, test)
    assert outputs_agree(test, ref)


@pytest.mark.parametrize(("ref", "test"), DIFFERENT)
def test_a_real_change_disagrees(ref, test):
    assert not outputs_agree(ref, test)
    assert not outputs_agree(test, ref)


def test_float64_outputs_get_float64_tolerance():
    ref = "Array([0.1], dtype=float64)"
    assert outputs_agree(ref, f"Array([{ulps_away(0.1, 3, np.float64)}], dtype=float64)")
    assert not outputs_agree(ref, "Array([0.10000001], dtype=float64)")
    # the same change is within tolerance for float32
    assert outputs_agree("Array([0.1], dtype=float32)", "Array([0.10000001], dtype=float32)")


def test_bfloat16_outputs_get_bfloat16_tolerance():
    assert outputs_agree("Array([1.5], dtype=bfloat16)", "Array([1.5078], dtype=bfloat16)")
    assert not outputs_agree("Array([1.5], dtype=float32)", "Array([1.5078], dtype=float32)")


def test_compared_text_is_what_nbval_compares_with():
    """nbval compares sanitised outputs with ``!=``; a ComparedText answers with outputs_agree."""
    ref, test = ComparedText("0.44444445"), ComparedText("0.44444448")
    assert not (ref != test)
    assert ref == "0.44444448" and "0.44444448" == ref
    assert ref != ComparedText("0.4445")
    assert ref != 0.44444445  # not a string: never equal
    assert hash(ref) == hash("0.44444445")
    assert isinstance(ref, str) and ref.upper() == "0.44444445"
