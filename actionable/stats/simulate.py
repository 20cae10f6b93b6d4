"""A megastudy simulator with known truth, calibrated to target sigma, rho and s.

The true conditional mean of arm a (a probability for binary outcomes) is

    E[Y^a | x] = link(alpha_a + tau * (sqrt(omega) c(x) + sqrt(1 - omega) d_a(x)))

with c(x) a response function shared by all arms and d_a(x) one of each arm's own, both built
from the covariates' main effects, squares (``nonlinearity``) and pairwise products
(``interactions``) with random coefficients scaled by each covariate's ``importance``, then
standardized. The link is logistic for binary outcomes and the identity for continuous ones.
Calibration on a subsample picks tau (mostly sets sigma) and omega (mostly sets rho) so that the
SD of E[Y^a | x] within an arm (sigma) and its mean pairwise correlation across arms (rho) hit
the targets, re-solving every alpha_a so that each arm's mean hits its target mean. The target
arm means have SD exactly ``s``: the message arms are spread around ``base_rate`` and the
control sits at ``base_rate + control_offset``.

The simulation holds what a researcher would have (covariates, arm, outcome) and, separately,
the truth: E[Y^a | x] for every person and arm. No learner ever reads the truth.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from .seeds import stream_seed

COVARIATE_TYPES = ("continuous", "binary", "categorical")


@dataclass
class Simulation:
    observed: pd.DataFrame  # person_id, covariates, arm, outcome
    truth: np.ndarray  # (n, m) E[Y^a | x], columns in the order of ``arms``
    arms: list  # arm labels
    summary: dict  # true sigma, rho, s, ... and the calibrated parameters


# --------------------------------------------------------------------------- covariates
def _draw_continuous(cov: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    dist = cov.get("dist", "normal")
    if dist == "normal":
        return rng.normal(cov["mean"], cov["sd"], n)
    if dist == "lognormal":
        return np.exp(rng.normal(cov["mean"], cov["sd"], n))
    return rng.uniform(cov["min"], cov["max"], n)


def _draw_truncated(cov: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draws restricted to [min, max] by redrawing, not clipping (no pile-up at the bounds)."""
    lo, hi = cov.get("min", -np.inf), cov.get("max", np.inf)
    x = _draw_continuous(cov, n, rng)
    for _ in range(1000):
        bad = np.flatnonzero((x < lo) | (x > hi))
        if not len(bad):
            return x
        x[bad] = _draw_continuous(cov, len(bad), rng)
    raise ValueError(f"covariate {cov['name']}: [min, max] = [{lo}, {hi}] holds almost none of its distribution")


def draw_covariates(covariates: list[dict], n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Independent covariates from their declared distributions; missing values where asked."""
    cols = {}
    for cov in covariates:
        name, kind = cov["name"], cov["type"]
        if kind == "continuous":
            x = _draw_truncated(cov, n, rng)
            if cov.get("round") is not None:
                x = np.round(x, int(cov["round"]))
        elif kind == "binary":
            x = (rng.random(n) < cov["p"]).astype(float)
        else:
            levels = list(cov["levels"])
            probs = np.asarray(cov.get("probs") or [1 / len(levels)] * len(levels), float)
            x = np.asarray(levels, dtype=object)[rng.choice(len(levels), size=n, p=probs / probs.sum())]
        if cov.get("missing", 0) > 0:
            miss = rng.random(n) < cov["missing"]
            x = np.where(miss, np.nan if kind != "categorical" else None, x)
        cols[name] = x
    return pd.DataFrame(cols)


# --------------------------------------------------------------------------- response functions
BUMP_CENTERS = np.array([-1.2, 0.0, 1.2])  # where a bump feature sits, in SDs of its covariate
BUMP_HALF_WIDTH = 0.45


class ResponseBasis:
    """Standardized features of the covariates and random response functions over them.

    Feature scaling is fixed on the calibration sample and reused for every row, so the same
    person gets the same E[Y^a | x] whatever sample she is drawn in.
    """

    def __init__(self, covariates: list[dict], frame: pd.DataFrame, nonlinearity: float,
                 interactions: float, n_pairs: int, rng: np.random.Generator, rough: float = 0.0,
                 frequency: float = 3.0, n_waves: int = 20, bumps: float = 0.0, cells: float = 0.0,
                 cell_covariates: list | None = None):
        self.covariates = covariates
        self.shares = dict(main=1.0 - nonlinearity - interactions - rough - bumps - cells, square=nonlinearity,
                           pair=interactions, wave=rough, bump=bumps, cell=cells)
        self.levels = {c["name"]: list(c["levels"]) for c in covariates if c["type"] == "categorical"}
        self.center = {}
        self.scale = {}
        main, imp = self._main(frame, fit=True)
        self.importance = imp
        cont = [j for j, c in enumerate(self._main_owner) if self._owner_type[c] == "continuous"]
        self.square_cols = cont
        k = main.shape[1]
        all_pairs = list(itertools.combinations(range(k), 2))
        # pairs between different covariates only, favouring important ones
        all_pairs = [p for p in all_pairs if self._main_owner[p[0]] != self._main_owner[p[1]]]
        w = np.array([imp[i] * imp[j] for i, j in all_pairs]) + 1e-12
        take = min(n_pairs, len(all_pairs))
        idx = rng.choice(len(all_pairs), size=take, replace=False, p=w / w.sum()) if take else []
        self.pairs = [all_pairs[i] for i in sorted(idx)]
        sq, pr = self._nonlinear(main)
        self.sq_center, self.sq_scale = sq.mean(0), sq.std(0) + 1e-12
        self.pr_center, self.pr_scale = pr.mean(0), pr.std(0) + 1e-12
        # waves: cos(frequency * w'z + b) along random directions weighted by importance, a
        # response a depth-limited tree ensemble needs many splits (and much data) to follow
        self.n_waves = int(n_waves) if rough > 0 else 0
        if self.n_waves:
            w = rng.standard_normal((k, self.n_waves)) * imp[:, None]
            self.wave_dir = frequency * w / np.sqrt((w**2).sum(0, keepdims=True))
            self.wave_phase = rng.uniform(0, 2 * np.pi, self.n_waves)
            wv = self._waves(main)
            self.wv_center, self.wv_scale = wv.mean(0), wv.std(0) + 1e-12
        # bumps: indicators of a continuous covariate near one of BUMP_CENTERS (in SDs), a response
        # a forest learns in two splits but neither a linear fit nor one threshold follows
        self.bump_cols = [j for j in cont for _ in BUMP_CENTERS] if bumps > 0 else []
        bp = self._bumps(main)
        self.bp_center, self.bp_scale = bp.mean(0), bp.std(0) + 1e-12
        # cells: a mean of its own for each combination of cell_covariates' levels (2^4 for four
        # binaries), which a depth-2 tree's 4 leaves cannot hold; indicators centred but not scaled,
        # so that a small cell's effect is no larger than a big one's
        self.cell_levels = {name: self.levels.get(name, [0, 1]) for name in (cell_covariates or []) if cells > 0}
        self.n_cells = int(np.prod([len(v) for v in self.cell_levels.values()])) if self.cell_levels else 0
        self.ce_center = self._cells(frame).mean(0)

    def _main(self, frame: pd.DataFrame, fit: bool = False):
        blocks, imps, owners = [], [], []
        self._owner_type = {}
        for cov in self.covariates:
            name, kind = cov["name"], cov["type"]
            self._owner_type[name] = kind
            imp = float(cov.get("importance", 1.0))
            if kind == "categorical":
                vals = frame[name].to_numpy(dtype=object)
                cols = np.column_stack([(vals == lv).astype(float) for lv in self.levels[name]])
                names = [f"{name}={lv}" for lv in self.levels[name]]
            else:
                cols = frame[[name]].to_numpy(dtype=float)
                names = [name]
            for j, fname in enumerate(names):
                col = cols[:, j]
                if fit:
                    self.center[fname] = np.nanmean(col)
                    self.scale[fname] = np.nanstd(col) + 1e-12
                z = (col - self.center[fname]) / self.scale[fname]
                blocks.append(np.nan_to_num(z, nan=0.0))  # a missing value sits at the mean
                imps.append(imp)
                owners.append(name)
        self._main_owner = owners
        return np.column_stack(blocks), np.asarray(imps)

    def _nonlinear(self, main):
        sq = main[:, self.square_cols] ** 2 if self.square_cols else np.zeros((len(main), 0))
        pr = (np.column_stack([main[:, i] * main[:, j] for i, j in self.pairs])
              if self.pairs else np.zeros((len(main), 0)))
        return sq, pr

    def _waves(self, main):
        if not self.n_waves:
            return np.zeros((len(main), 0))
        return np.cos(main @ self.wave_dir + self.wave_phase)

    def _bumps(self, main):
        if not self.bump_cols:
            return np.zeros((len(main), 0))
        centers = np.tile(BUMP_CENTERS, len(self.bump_cols) // len(BUMP_CENTERS))
        return (np.abs(main[:, self.bump_cols] - centers) < BUMP_HALF_WIDTH).astype(float)

    def _cells(self, frame: pd.DataFrame):
        if not self.n_cells:
            return np.zeros((len(frame), 0))
        code = np.zeros(len(frame), int)
        for name, levels in self.cell_levels.items():
            vals = frame[name].to_numpy(dtype=object)
            idx = np.zeros(len(frame), int)  # a missing value sits in the first level's cell
            for j, lv in enumerate(levels[1:], start=1):
                idx[vals == lv] = j
            code = code * len(levels) + idx
        return (code[:, None] == np.arange(self.n_cells)[None, :]).astype(float)

    def features(self, frame: pd.DataFrame) -> dict:
        main, _ = self._main(frame)
        sq, pr = self._nonlinear(main)
        out = dict(main=main, square=(sq - self.sq_center) / self.sq_scale,
                   pair=(pr - self.pr_center) / self.pr_scale)
        out["wave"] = (self._waves(main) - self.wv_center) / self.wv_scale if self.n_waves else self._waves(main)
        out["bump"] = (self._bumps(main) - self.bp_center) / self.bp_scale
        out["cell"] = self._cells(frame) - self.ce_center
        return out

    def draw_coefficients(self, rng: np.random.Generator, k: int) -> dict:
        """k random response functions: per feature group, coefficients scaled by importance."""
        imp_sq = self.importance[self.square_cols] if self.square_cols else np.zeros(0)
        imp_pr = np.array([math.sqrt(self.importance[i] * self.importance[j]) for i, j in self.pairs])
        out = dict(
            main=rng.standard_normal((len(self.importance), k)) * self.importance[:, None],
            square=rng.standard_normal((len(imp_sq), k)) * imp_sq[:, None],
            pair=rng.standard_normal((len(imp_pr), k)) * imp_pr[:, None],
        )
        out["wave"] = rng.standard_normal((self.n_waves, k))  # no draw when there are no waves
        out["bump"] = rng.standard_normal((len(self.bump_cols), k)) * self.importance[self.bump_cols][:, None]
        out["cell"] = rng.standard_normal((self.n_cells, k))
        return out

    def raw(self, feats: dict, coefs: dict) -> dict:
        return {g: feats[g] @ coefs[g] for g in ("main", "square", "pair", "wave", "bump", "cell")}


def _combine(raw: dict, shares: dict, norm: dict) -> np.ndarray:
    """Mix the groups at their variance shares, each standardized by the calibration sample's SD."""
    out = 0.0
    for g, share in shares.items():
        if share > 0 and raw[g].shape[0] and raw[g].size:
            out = out + math.sqrt(share) * (raw[g] - norm[g][0]) / norm[g][1]
    return np.asarray(out)


# --------------------------------------------------------------------------- arm means
def target_arm_means(m: int, control: int, base_rate: float, control_offset: float, s: float,
                     rng: np.random.Generator) -> np.ndarray:
    """m arm means with SD exactly s: messages spread around base_rate, control at base + offset."""
    z = rng.standard_normal(m - 1)
    z = (z - z.mean()) / z.std()
    def sd_for(k):
        mu = np.insert(base_rate + k * z, control, base_rate + control_offset)
        return mu.std() - s
    if sd_for(0.0) > 0:
        raise ValueError(f"arm_means: control_offset {control_offset} alone gives an SD of arm means above s = {s}")
    k = optimize.brentq(sd_for, 0.0, 10 * s + 1.0)
    return np.insert(base_rate + k * z, control, base_rate + control_offset)


def _solve_alpha(eta0: np.ndarray, mu: np.ndarray, binary: bool) -> np.ndarray:
    """alpha_a such that mean_i link(alpha_a + eta0_ia) = mu_a for every arm (Newton, vectorized)."""
    if not binary:
        return mu - eta0.mean(axis=0)
    alpha = special.logit(mu)
    for _ in range(50):
        p = special.expit(alpha + eta0)
        f = p.mean(axis=0) - mu
        step = f / np.maximum((p * (1 - p)).mean(axis=0), 1e-9)
        alpha -= step
        if np.max(np.abs(f)) < 1e-12:
            break
    return alpha


def moments(truth: np.ndarray) -> dict:
    """True sigma (mean within-arm SD), rho (mean pairwise correlation) and s (SD of arm means)."""
    sd = truth.std(axis=0)
    corr = np.corrcoef(truth, rowvar=False)
    m = truth.shape[1]
    off = corr[~np.eye(m, dtype=bool)]
    return dict(sigma=float(sd.mean()), rho=float(off.mean()), s=float(truth.mean(axis=0).std()),
                sigma_by_arm=sd.tolist())


# --------------------------------------------------------------------------- the simulator
def arm_specific_shape(het: dict) -> dict:
    """The arm-specific parts' shape: heterogeneity.arm_specific's keys, else the common part's
    nonlinearity, interactions and pairs; no waves unless asked for."""
    arm = het.get("arm_specific") or {}
    shape = dict(nonlinearity=het["nonlinearity"], interactions=het["interactions"], pairs=het.get("pairs", 10),
                 rough=0.0, frequency=3.0, waves=20, covariates=None, bumps=0.0, cells=0.0,
                 cell_covariates=None)
    shape.update({k: v for k, v in arm.items() if k in shape})
    return shape


class _Model:
    """Calibrated truth: E[Y^a | x] for any covariate frame."""

    def __init__(self, spec: dict, calib_frame: pd.DataFrame, seed: int):
        het = spec["heterogeneity"]
        self.binary = spec["outcome"]["type"] == "binary"
        self.m = spec["arms"]["count"]
        rng = np.random.default_rng(stream_seed(seed, "coefficients"))
        self.basis = ResponseBasis(spec["covariates"], calib_frame, het["nonlinearity"], het["interactions"],
                                   het.get("pairs", 10), rng, het.get("rough", 0.0), het.get("frequency", 3.0),
                                   het.get("waves", 20))
        self.coef_c = self.basis.draw_coefficients(rng, 1)
        self.coef_d = self.basis.draw_coefficients(rng, self.m)
        # the arm-specific parts d_a may have a shape of their own (how hard they are to learn
        # apart from the common part); their own basis and coefficients come from their own stream
        arm = het.get("arm_specific")
        self.basis_d = self.basis
        if arm:
            shape = arm_specific_shape(het)
            rng_d = np.random.default_rng(stream_seed(seed, "arm_specific"))
            # d_a on a few covariates only (e.g. binary ones): cells a forest can learn, which
            # concentrate the best policy on few arms (the paper's Figure 9)
            keep = shape["covariates"]
            covs_d = [c for c in spec["covariates"] if keep is None or c["name"] in keep]
            self.basis_d = ResponseBasis(covs_d, calib_frame, shape["nonlinearity"], shape["interactions"],
                                         shape["pairs"], rng_d, shape["rough"], shape["frequency"], shape["waves"],
                                         shape["bumps"], shape["cells"], shape["cell_covariates"])
            self.coef_d = self.basis_d.draw_coefficients(rng_d, self.m)
        # per-arm weight of d_a (lognormal, mean square 1): a few arms carry most of the
        # arm-specific heterogeneity, which concentrates a personalized policy on them
        spread = float((arm or {}).get("arm_spread", 0.0))
        w = np.exp(spread * np.random.default_rng(stream_seed(seed, "arm_spread")).standard_normal(self.m)) if spread else np.ones(self.m)
        self.arm_weight = w / np.sqrt(np.mean(w**2))
        feats = self.basis.features(calib_frame)
        feats_d = self.basis_d.features(calib_frame) if self.basis_d is not self.basis else feats
        raw_c, raw_d = self.basis.raw(feats, self.coef_c), self.basis_d.raw(feats_d, self.coef_d)
        # group norms on the calibration sample: c per its own SD, d pooled over arms
        self.norm_c = {g: (v.mean(0), v.std() + 1e-12) for g, v in raw_c.items()}
        self.norm_d = {g: (v.mean(0), v.std(0).mean() + 1e-12) for g, v in raw_d.items()}
        c = _combine(raw_c, self.basis.shares, self.norm_c)
        d = _combine(raw_d, self.basis_d.shares, self.norm_d)
        self.c_scale, self.d_scale = c.std() + 1e-12, d.std(0).mean() + 1e-12
        c, d = c / self.c_scale, d / self.d_scale * self.arm_weight
        self.segments = het.get("segments")
        am = spec["arm_means"]
        self.mu = target_arm_means(self.m, spec["arms"]["control_index"], am["base_rate"],
                                   am["control_offset"], am["s"],
                                   np.random.default_rng(stream_seed(seed, "arm_means")))
        tgt = spec["targets"]

        def eta0(log_tau, logit_omega):
            tau, omega = math.exp(log_tau), special.expit(logit_omega)
            return tau * (math.sqrt(omega) * c + math.sqrt(1 - omega) * d)

        def resid(theta):
            e0 = eta0(*theta)
            mom = moments(self._link(_solve_alpha(e0, self.mu, self.binary) + e0))
            return [mom["sigma"] / tgt["sigma"] - 1.0, (mom["rho"] - tgt["rho"]) * 4]

        start = [math.log(tgt["sigma"] / (0.25 if self.binary else 1.0)), special.logit(min(max(tgt["rho"], 0.02), 0.98))]
        sol = optimize.least_squares(resid, start, xtol=1e-10, ftol=1e-10)
        self.tau, self.omega = math.exp(sol.x[0]), float(special.expit(sol.x[1]))
        # segment effects come after the calibration of sigma and rho: the arm means still hit mu
        e0 = eta0(*sol.x) + self._segments(calib_frame)
        self.alpha = _solve_alpha(e0, self.mu, self.binary)
        self.calibration_residual = [float(r) for r in sol.fun]

    def _segments(self, frame: pd.DataFrame) -> np.ndarray | float:
        """n x m: each listed arm's segment effect for the people its rule selects (0 without segments)."""
        if not self.segments:
            return 0.0
        out = np.zeros((len(frame), self.m))
        for rule in self.segments["arms"]:
            x = frame[rule["covariate"]].to_numpy(float)
            hit = np.ones(len(frame), bool)
            if "above" in rule:
                hit &= x > rule["above"]
            if "below" in rule:
                hit &= x < rule["below"]
            if "equals" in rule:
                hit &= x == rule["equals"]
            out[:, rule["arm"] - 1] += self.segments["effect"] * hit
        return out

    def _link(self, eta):
        return special.expit(eta) if self.binary else eta

    def truth(self, frame: pd.DataFrame) -> np.ndarray:
        feats = self.basis.features(frame)
        feats_d = self.basis_d.features(frame) if self.basis_d is not self.basis else feats
        c = _combine(self.basis.raw(feats, self.coef_c), self.basis.shares, self.norm_c) / self.c_scale
        d = _combine(self.basis_d.raw(feats_d, self.coef_d), self.basis_d.shares, self.norm_d) / self.d_scale * self.arm_weight
        eta = self.alpha + self.tau * (math.sqrt(self.omega) * c + math.sqrt(1 - self.omega) * d) + self._segments(frame)
        return self._link(eta)


def shared_sigma(model: _Model, frame: pd.DataFrame, shared: list[str], draws: int,
                 rng: np.random.Generator) -> float:
    """SD within an arm of E[Y^a | shared covariates], averaged over arms.

    The covariates are independent, so E[. | shared] averages over the others' distribution:
    the non-shared columns are re-paired with ``draws`` random permutations. The average's
    variance carries E[Var(. | shared)] / draws of noise, which is subtracted.
    """
    others = [c["name"] for c in model.basis.covariates if c["name"] not in shared]
    acc = np.zeros((len(frame), model.m))
    acc2 = np.zeros_like(acc)
    for _ in range(draws):
        f = frame.copy()
        perm = rng.permutation(len(f))
        f[others] = frame[others].to_numpy()[perm]
        t = model.truth(f)
        acc += t
        acc2 += t**2
    mean = acc / draws
    within = np.maximum(acc2 / draws - mean**2, 0).mean(axis=0) * draws / (draws - 1)
    var = np.maximum(mean.var(axis=0) - within / draws, 0)
    return float(np.sqrt(var).mean())


def arm_labels(spec: dict) -> list:
    arms = spec["arms"]
    return list(arms.get("labels_in_data") or range(1, arms["count"] + 1))


def simulate_megastudy(spec: dict) -> Simulation:
    """Draw a megastudy from a simulator spec (see data/simulators/*.yaml and its schema)."""
    seed = int(spec["seed"])
    n = int(spec["n"])
    m = spec["arms"]["count"]
    covs = spec["covariates"]
    het = spec["heterogeneity"]
    calib_n = int(het.get("calibration_n", 50_000))
    calib = draw_covariates(covs, calib_n, np.random.default_rng(stream_seed(seed, "calibration")))
    model = _Model(spec, calib, seed)

    frame = draw_covariates(covs, n, np.random.default_rng(stream_seed(seed, "covariates")))
    truth = model.truth(frame)
    probs = np.asarray(spec["arms"].get("probabilities") or [1.0 / m] * m, float)
    rng = np.random.default_rng(stream_seed(seed, "assignment"))
    arm_idx = rng.choice(m, size=n, p=probs / probs.sum())
    mean_assigned = truth[np.arange(n), arm_idx]
    rng_y = np.random.default_rng(stream_seed(seed, "outcomes"))
    if model.binary:
        y = (rng_y.random(n) < mean_assigned).astype(np.int8)
    else:
        y = mean_assigned + rng_y.normal(0.0, spec["outcome"]["noise_sd"], n)

    labels = arm_labels(spec)
    observed = frame.copy()
    observed.insert(0, "person_id", np.arange(1, n + 1))
    observed[spec["arms"].get("column", "arm")] = np.asarray(labels, dtype=object)[arm_idx]
    observed[spec["outcome"].get("column", "y")] = y

    mom = moments(truth)
    summary = dict(study=spec["name"], n=n, m=m, sigma=mom["sigma"], rho=mom["rho"], s=mom["s"],
                   target_sigma=spec["targets"]["sigma"], target_rho=spec["targets"]["rho"],
                   target_s=spec["arm_means"]["s"], tau=model.tau, omega=model.omega,
                   calibration_residual=model.calibration_residual, seed=seed,
                   arm_means=truth.mean(axis=0).tolist(), sigma_by_arm=mom["sigma_by_arm"],
                   best_arm_mean=float(truth.mean(axis=0).max()),
                   outcome_mean=float(np.mean(y)))
    shared = spec.get("shared_covariates")
    if shared:
        sub = calib.iloc[: min(len(calib), 20_000)].reset_index(drop=True)
        summary["sigma_shared"] = shared_sigma(model, sub, shared, 30,
                                               np.random.default_rng(stream_seed(seed, "shared")))
    return Simulation(observed=observed, truth=truth, arms=labels, summary=summary)
