"""save, wait_until_finished, then restore from the same path."""

import os

import orbax.checkpoint as ocp


def save_and_restore(state, directory):
    path = os.path.join(directory, "step_0")
    ckpt = ocp.StandardCheckpointer()
    ckpt.save(path, state["params"])
    ckpt.wait_until_finished()
    return ckpt.restore(path)
