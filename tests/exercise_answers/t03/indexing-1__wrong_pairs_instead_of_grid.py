"""x[rows, cols] pairs the two index arrays element by element (it picks x[rows[k], cols[k]]), so
it needs equal lengths and gives a 1-D result. For every row-column combination, make the row
index a column: x[rows[:, None], cols] (or x[jnp.ix_(rows, cols)]).
"""


def submatrix(x, rows, cols):
    return x[rows, cols]
