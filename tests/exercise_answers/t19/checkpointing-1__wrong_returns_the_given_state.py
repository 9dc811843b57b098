"""return what ckpt.restore(path) gives back"""

import os

import orbax.checkpoint as ocp


def save_and_restore(state, directory):
    ckpt = ocp.StandardCheckpointer()
    ckpt.save(os.path.join(directory, "step_0"), state)
    ckpt.wait_until_finished()
    return state
