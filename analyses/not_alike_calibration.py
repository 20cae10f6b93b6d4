"""Why the own-profile models undershoot on the sparse stand-ins, and two nonlinear valuations
that do not fix it.

The own-profile model values a chosen arm at the linear projection E[h | y_hat] = K y_hat. For each
finished point of the sparse sweep (analyses/sparse_sweep.py's folders) and each learner, this
values the learner's own holdout choices (argmax of its predictions, at the study's true arm
means) three ways, against their value at the truth:

* linear: the projection the model uses;
* isotonic in own prediction: E[y^a | y_hat^a] by isotonic regression among arm a's holdout
  people (2-fold cross-fitted), which drops the other arms' predictions;
* binned contrasts: E[y^a - y^r | bin of y_hat^a - y_hat^r] against the largest arm r, five
  quantile bins (differences of arm means within bins).

and the model's gain (fresh arm means from N(0, s^2), s corrected) with each.

    /usr/bin/python3 -m analyses.not_alike_calibration [--work /tmp/sparse_sweep]

Record: analyses/records/not_alike_calibration.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression

from analyses.not_alike_standins import PREDICTIONS, _holdout
from actionable.stats.moments import chosen_s
from actionable.stats.prediction_error import outcome_covariances

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "analyses" / "records" / "not_alike_calibration.json"


def isotonic_own(z, arm, y, seed=0):
    g = np.empty(z.shape)
    rng = np.random.default_rng(seed)
    for a in range(z.shape[1]):
        idx = np.flatnonzero(arm == a)
        fold = rng.integers(0, 2, len(idx))
        g[:, a] = IsotonicRegression(out_of_bounds="clip").fit(z[idx, a], y[idx]).predict(z[:, a])
        for f in range(2):
            tr, te = idx[fold != f], idx[fold == f]
            g[te, a] = IsotonicRegression(out_of_bounds="clip").fit(z[tr, a], y[tr]).predict(z[te, a])
    return g - g.mean(axis=0)


def binned_contrasts(z, arm, y, bins=5):
    ref = int(np.bincount(arm).argmax())
    g = np.zeros(z.shape)
    for a in range(z.shape[1]):
        if a == ref:
            continue
        d = z[:, a] - z[:, ref]
        b = np.searchsorted(np.quantile(d, np.linspace(0, 1, bins + 1)[1:-1]), d)
        cell = [y[(arm == a) & (b == k)].mean() - y[(arm == ref) & (b == k)].mean() for k in range(bins)]
        g[:, a] = np.nan_to_num(np.asarray(cell))[b]
    return g - g.mean(axis=0)


def model_gain(s, g, z, reps=200, people=4000, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(reps):
        mu, i = rng.normal(0, s, z.shape[1]), rng.integers(0, len(z), people)
        pick = np.argmax(mu + z[i], axis=1)
        out.append(np.mean(mu[pick] + g[i, pick]) - mu.max())
    return float(np.mean(out))


def point(results: Path, study: str) -> dict:
    arm, y, truth, mom = _holdout(results, study)
    means, rows, s = truth.mean(axis=0), np.arange(len(arm)), chosen_s(mom, "corrected")
    out = {}
    for name, rel in PREDICTIONS.items():
        z = np.load(results / rel.format(s=study))
        zc = z - z.mean(axis=0)
        k = outcome_covariances(z, arm, y) @ np.linalg.pinv(np.cov(z, rowvar=False))
        forms = dict(linear=zc @ k.T, isotonic_own=isotonic_own(z, arm, y), binned_contrasts=binned_contrasts(z, arm, y))
        pick = z.argmax(axis=1)
        own = {f: float(np.mean(g[rows, pick] + means[pick]) - means.max()) for f, g in forms.items()}
        out[name] = dict(own_choices_true=float(np.mean(truth[rows, pick]) - means.max()),
                         own_choices=own, model=({f: model_gain(s, g, zc) for f, g in forms.items()}))
    return dict(s_corrected=s, learners=out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--work", default="/tmp/sparse_sweep")
    args = p.parse_args(argv)
    record = dict(work=args.work, points={})
    for folder in sorted(Path(args.work).iterdir()):
        results = folder / "results"
        for study in sorted(q.name for q in (results / "data").iterdir()):
            record["points"][study] = point(results, study)
            print(study, json.dumps(record["points"][study]["learners"], indent=None)[:400])
    RECORD.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
