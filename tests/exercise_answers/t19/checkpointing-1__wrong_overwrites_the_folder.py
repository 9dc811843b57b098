"""Saving to `directory` itself (with force=True) replaces everything the folder held. Save into a
new folder inside it: `os.path.join(directory, 'step_0')`.
"""

import orbax.checkpoint as ocp


def save_and_restore(state, directory):
    ckpt = ocp.StandardCheckpointer()
    ckpt.save(directory, state, force=True)
    ckpt.wait_until_finished()
    return ckpt.restore(directory)
