"""Outcome-model personalization policies of Appendix A.2: OLS, S-learner and T-learner XGBoost.

Each learner is fit on the training split and predicts, for every holdout person, the outcome
under every arm (an n_test x m matrix, arms in the dataset's order, control first); the policy
is the argmax over arms (Eq. 15, 17, 19).

OLS (Eq. 13-14) regresses y on all covariates, arm indicators and every arm x covariate
interaction. That fully interacted regression has the same fitted values as a separate least
squares fit of y on the covariates within each arm, which is how it is computed (one small
solve per arm instead of one with m x p columns; a test checks the equivalence).

XGBoost (Chen and Guestrin, 2016) uses ``xgboost.train`` with early stopping on an inner
validation part of the training data, stratified by arm. The API used here is the same in
xgboost 1.7 and 2-3.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import xgboost as xgb

log = logging.getLogger(__name__)


XGB_KEYS = ("eta", "max_depth", "subsample", "colsample_bytree", "min_child_weight", "lambda", "alpha", "gamma",
            "max_bin")


def policy(predictions: np.ndarray) -> np.ndarray:
    """pi(x) = argmax_a of the predicted outcomes (ties: the first arm, i.e. the control)."""
    return np.argmax(predictions, axis=1)


# --------------------------------------------------------------------------- OLS
def _lstsq(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return coef


def fit_predict_ols(x_train, arm_train, y_train, x_test, m: int) -> np.ndarray:
    """Fully interacted OLS: per-arm least squares of y on [1, x]; predictions n_test x m."""
    ones_tr = np.ones((len(x_train), 1))
    d_test = np.hstack([np.ones((len(x_test), 1)), x_test])
    out = np.empty((len(x_test), m))
    for a in range(m):
        sel = arm_train == a
        if not sel.any():
            raise ValueError(f"OLS: arm index {a} has no training rows")
        out[:, a] = d_test @ _lstsq(np.hstack([ones_tr[sel], x_train[sel]]), y_train[sel])
    return out


def fit_predict_ols_single_regression(x_train, arm_train, y_train, x_test, m: int) -> np.ndarray:
    """Eq. 13 literally: one regression with arm dummies and arm x covariate interactions.

    Kept as the reference for the per-arm computation (slower: m x (p + 1) columns).
    """
    def design(x, arm):
        dummies = np.eye(m)[arm][:, 1:]  # control is the baseline
        inter = np.hstack([x * dummies[:, [k]] for k in range(m - 1)]) if m > 1 else np.zeros((len(x), 0))
        return np.hstack([np.ones((len(x), 1)), x, dummies, inter])

    coef = _lstsq(design(x_train, arm_train), y_train)
    return np.column_stack([design(x_test, np.full(len(x_test), a)) @ coef for a in range(m)])


# --------------------------------------------------------------------------- XGBoost
def inner_validation_mask(arm: np.ndarray, share: float, seed: int) -> np.ndarray:
    """True for the inner validation rows: ``share`` of each arm, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(arm), dtype=bool)
    for a in np.unique(arm):
        rows = np.flatnonzero(arm == a)
        k = int(round(share * len(rows)))
        if 0 < k < len(rows):
            mask[rng.permutation(rows)[:k]] = True
    return mask


def xgb_params(settings: dict, binary: bool, seed: int, threads: int) -> dict:
    params = {k: settings[k] for k in XGB_KEYS if k in settings}
    params.update(objective="binary:logistic" if binary else "reg:squarederror",
                  eval_metric="logloss" if binary else "rmse", tree_method="hist",
                  seed=int(seed), nthread=int(threads), verbosity=0)
    return params


def train_xgb(x, y, valid: np.ndarray, settings: dict, binary: bool, seed: int, threads: int = 1):
    """Boost on the rows outside ``valid``; stop when the ``valid`` rows stop improving.

    Returns the booster and the number of rounds kept (best iteration + 1).
    """
    params = xgb_params(settings, binary, seed, threads)
    dtrain = xgb.DMatrix(x[~valid], label=y[~valid], missing=np.nan)
    evals = []
    if valid.any():
        evals = [(xgb.DMatrix(x[valid], label=y[valid], missing=np.nan), "valid")]
    booster = xgb.train(params, dtrain, num_boost_round=int(settings["num_boost_round"]), evals=evals,
                        early_stopping_rounds=int(settings["early_stopping_rounds"]) if evals else None,
                        verbose_eval=False)
    best = getattr(booster, "best_iteration", None)
    if best is None:
        attr = booster.attr("best_iteration")
        best = int(attr) if attr is not None else int(settings["num_boost_round"]) - 1
    return booster, int(best) + 1


def predict_xgb(booster, x, rounds: int) -> np.ndarray:
    return booster.predict(xgb.DMatrix(x, missing=np.nan), iteration_range=(0, rounds))


def fit_predict_slearner(x_train, arm_train, y_train, x_test, m: int, settings: dict, binary: bool,
                         seed: int, threads: int = 1):
    """S-learner: one model of y on (x, arm indicators); predict each arm by setting its indicator."""
    eye = np.eye(m)
    valid = inner_validation_mask(arm_train, settings["inner_validation_share"], seed)
    booster, rounds = train_xgb(np.hstack([x_train, eye[arm_train]]), y_train, valid, settings, binary, seed, threads)
    preds = np.column_stack([predict_xgb(booster, np.hstack([x_test, np.tile(eye[a], (len(x_test), 1))]), rounds)
                             for a in range(m)])
    return preds, booster, rounds


def fit_predict_tlearner_arm(x_arm, y_arm, x_test, settings: dict, binary: bool, seed: int, threads: int = 1):
    """T-learner, one arm: a model of y on x among that arm's training rows; predicts everyone."""
    valid = inner_validation_mask(np.zeros(len(y_arm), dtype=int), settings["inner_validation_share"], seed)
    booster, rounds = train_xgb(x_arm, y_arm, valid, settings, binary, seed, threads)
    return predict_xgb(booster, x_test, rounds), booster, rounds


def fit_predict_tlearner_arms(x_train, arm_train, y_train, x_test, arms: list, seeds: list, settings: dict,
                              binary: bool, threads: int = 1, keep: np.ndarray | None = None):
    """T-learner for a group of arms (Eq. 18): for each arm index in ``arms`` (with its seed), a model on
    that arm's training rows (among ``keep``) predicting every test row. Returns the n_test x len(arms)
    predictions, the boosters by arm index and one record per arm (rows, rounds kept, seed, seconds)."""
    keep = np.ones(len(arm_train), dtype=bool) if keep is None else keep
    preds, boosters, infos = [], {}, []
    for a, seed in zip(arms, seeds):
        t0 = time.perf_counter()
        sel = (arm_train == a) & keep
        p, boosters[a], rounds = fit_predict_tlearner_arm(x_train[sel], y_train[sel], x_test, settings, binary, seed,
                                                          threads)
        preds.append(p)
        infos.append(dict(arm_index=a, n_train=int(sel.sum()), rounds=rounds, seed=seed,
                          seconds=time.perf_counter() - t0))
        log.info("arm %d (%d training rows): %d rounds, %.1f s", a, sel.sum(), rounds, infos[-1]["seconds"])
    return np.column_stack(preds), boosters, infos
