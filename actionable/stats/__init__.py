"""Statistics: pure functions of arrays and settings; no file IO, no config layout, no published values.

The paper's symbols keep their names: s (SD of arm means), sigma (SD of an arm's conditional
mean), rho (correlation of arms' conditional means), sigma_eps (prediction error), m (arms), n.
"""

__all__ = ["coverage", "descriptives", "diagnostics", "evaluation", "features", "forests", "learners", "model",
           "moments", "our_model", "params", "policy_search", "policy_tree", "prediction_error", "rbridge", "seeds",
           "sensitivity", "simulate", "sweeps"]
