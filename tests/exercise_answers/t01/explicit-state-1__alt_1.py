def step(state, x):
    new = dict(state)
    new["count"] = state["count"] + 1
    new["total"] = state["total"] + x.sum()
    return new
