"""The workshop hub: JupyterHub with one JupyterLab and one private Docker engine per learner.

``stagelab hub start`` runs JupyterHub on this host (settings: :mod:`.settings`); the spawner
(:mod:`.spawner`) starts each learner's engine and JupyterLab through
:mod:`stagelab.engine.workshop`; :mod:`.auth` logs learners in from the instructor's token list;
:mod:`.grading` grades every learner's working copy in their own engine.
"""
