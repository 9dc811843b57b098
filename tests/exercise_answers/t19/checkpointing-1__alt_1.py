from pathlib import Path

import orbax.checkpoint as ocp


def save_and_restore(state, directory):
    path = Path(directory) / "ckpt" / "step_0"
    with ocp.StandardCheckpointer() as ckpt:
        ckpt.save(path, state)
        ckpt.wait_until_finished()
        return ckpt.restore(path)
