"""Orbax needs an absolute path: save under `directory`, e.g. `os.path.join(directory,
'step_0')`.
"""

import orbax.checkpoint as ocp


def save_and_restore(state, directory):
    ckpt = ocp.StandardCheckpointer()
    ckpt.save("step_0", state)
    ckpt.wait_until_finished()
    return ckpt.restore("step_0")
