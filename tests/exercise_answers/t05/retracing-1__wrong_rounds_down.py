"""`n // 8 * 8` rounds down and cuts values off; round up: `-(-n // 8) * 8` (or `math.ceil(n / 8) *
8`).
"""


def pad_to_bucket(x):
    return x[: x.shape[0] // 8 * 8]
