"""Orbax refuses to save into a folder that already exists (it would mix two checkpoints). Save to
a new path inside it, e.g. `os.path.join(directory, 'step_0')`.
"""

import orbax.checkpoint as ocp


def save_and_restore(state, directory):
    ckpt = ocp.StandardCheckpointer()
    ckpt.save(directory, state)
    ckpt.wait_until_finished()
    return ckpt.restore(directory)
