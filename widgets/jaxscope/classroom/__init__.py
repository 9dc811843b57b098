"""A class on one JupyterHub: the teacher dashboard (a hub service) and its model.

``python -m jaxscope.classroom.dashboard`` is the service (started by the hub, see
``classroom/jupyterhub_config.py``); :mod:`jaxscope.classroom._board` turns the learners'
progress records into the dashboard's tables and CSV.
"""
