"""Training briefly's story model (``python -m benchmarks train-cleaner``).

Labelled pages (clean-data's layout: ``pages/<corpus>--<id>/`` with ``gold.txt``,
``meta.json`` and ``dumps/<kind>.txt``) → each dump unit labelled by aligning it to the gold
text (:mod:`.labels`) → a logistic regression and a two-state HMM fitted (:mod:`.fit`),
validated with folds grouped by site (:mod:`.validate`) → the weights and a report
(:mod:`.report`).
"""
