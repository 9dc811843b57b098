"""save with ocp.StandardCheckpointer().save(path, state) under directory"""

import os

import orbax.checkpoint as ocp


def save_and_restore(state, directory):
    path = os.path.abspath("step_0")
    ckpt = ocp.StandardCheckpointer()
    ckpt.save(path, state)
    ckpt.wait_until_finished()
    return ckpt.restore(path)
