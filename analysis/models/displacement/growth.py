"""Growth-curve models of cumulative displacement (plain and piecewise), fitted by penalised maximum likelihood."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.base.model import GenericLikelihoodModel
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from ...data.dataset import Dataset
from ...data.phases import phase_schedule
from ..base import rng_for
from .measurement import Fit, FitData, GrowthPriors, Measurements

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _curve(kind: str, x: np.ndarray, shape: np.ndarray | float = 1.0) -> np.ndarray:
    """F(x) for x = rate * (clock - midpoint)."""
    if kind == "logistic":
        return special.expit(x)
    if kind == "gompertz":
        return np.exp(-np.exp(-np.clip(x, -50, 50)))
    # Richards: (1 + nu e^{-x})^{-1/nu}, computed in logs for stability.
    return np.exp(-np.log1p(shape * np.exp(-np.clip(x, -50, 50))) / shape)


def regime_schedule(dataset: Dataset, origin: pd.Timestamp, n_days: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Phase index per grid day, and the phase labels.

    Phase 0 (the case's ``initial_regime``) holds until the first regime milestone;
    each milestone listed under ``regimes`` in the case file starts its own phase,
    with its own growth-rate multiplier, once the milestone is in ``dataset``
    (that is, once its information date has passed in an as-of view).
    """
    case = dataset.case
    labels = tuple(f"{kind} from {mid}" for mid, kind in case.regimes)
    return phase_schedule(dataset.milestones, tuple(zip([m for m, _ in case.regimes], labels, strict=True)), f"{case.initial_regime} (initial)", origin, n_days)


@dataclass(frozen=True)
class _Block:
    """Observations that share a start-day layout: ``starts[obs, w]`` (one column, or the window's days)."""

    rows: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    sclass: np.ndarray
    logy: np.ndarray
    loglo: np.ndarray
    loghi: np.ndarray
    masks: dict

    @classmethod
    def of(cls, t: pd.DataFrame, rows: np.ndarray, window_days: np.ndarray | None) -> _Block:
        t = t.iloc[rows]
        starts = t["start"].to_numpy()[:, None] if window_days is None else np.tile(window_days, (len(t), 1))
        q = t["qualifier_class"].to_numpy()
        masks = {"density": (q == "point") | (q == "symmetric"), **{k: q == k for k in ("lower", "upper", "below_close", "range")}}
        return cls(
            rows=rows,
            starts=starts.astype(int),
            ends=t["end"].to_numpy(dtype=int),
            sclass=(t["source_class"] == "other").to_numpy(dtype=int),
            logy=np.log(t["value"].to_numpy()),
            loglo=np.log(t["value_low"].fillna(t["value"]).to_numpy()),
            loghi=np.log(t["value_high"].fillna(t["value"]).to_numpy()),
            masks={k: v for k, v in masks.items() if v.any()},
        )

    def loglik(self, c: np.ndarray, log_sigmas: np.ndarray) -> np.ndarray:
        """Log likelihood (draws, rows) given cumulative paths ``c`` and per-source-class log sigmas."""
        logmu = np.log(np.maximum(c[:, self.ends][:, :, None] - c[:, self.starts], 1.0))
        log_sigma = log_sigmas[:, self.sclass][:, :, None]
        logy = self.logy[None, :, None]
        z = (logy - logmu) * np.exp(-log_sigma)
        ll = np.empty_like(z)
        for kind, m in self.masks.items():
            if kind == "density":  # point and symmetric: normal on the log scale
                ll[:, m] = -0.5 * z[:, m] ** 2 - _HALF_LOG_2PI - log_sigma[:, m] - logy[:, m]
            elif kind == "lower":  # the truth is at or above the stated value
                ll[:, m] = special.log_ndtr(-z[:, m])
            elif kind == "upper":  # the truth is at or below the stated value
                ll[:, m] = special.log_ndtr(z[:, m])
            elif kind == "below_close":  # "nearly": the stated value a little above the truth (half-normal)
                dens = np.log(2) - 0.5 * z[:, m] ** 2 - _HALF_LOG_2PI - log_sigma[:, m] - logy[:, m]
                ll[:, m] = np.where(z[:, m] >= 0, dens, -1e6)
            else:  # range: interval-censored between value_low and value_high
                inv = np.exp(-log_sigma[:, m])
                hi = special.ndtr((self.loghi[None, m, None] - logmu[:, m]) * inv)
                lo = special.ndtr((self.loglo[None, m, None] - logmu[:, m]) * inv)
                ll[:, m] = np.log(np.maximum(hi - lo, 1e-300))
        ll = np.maximum(ll, -1e6)
        if ll.shape[2] == 1:
            return ll[:, :, 0]
        # Unknown baseline: average the likelihood over the window's days.
        top = ll.max(axis=2, keepdims=True)
        return top[:, :, 0] + np.log(np.mean(np.exp(ll - top), axis=2))


class GrowthModel(GenericLikelihoodModel):
    """Penalised likelihood of the reports under a (piecewise) growth curve."""

    def __init__(self, m: Measurements, curve: str, regimes: np.ndarray | None, n_regimes: int, priors: GrowthPriors, window: tuple[int, int]):
        t = m.table
        self.m = m
        self.curve = curve
        self.priors = priors
        self.n_regimes = n_regimes if regimes is not None else 1
        self.set_regimes(regimes)
        names = ["share_logit", "log_rate", "midpoint", "log_sigma_un", "log_sigma_other"]
        if curve == "richards":
            names.append("log_shape")
        names += [f"log_mult_{i}" for i in range(1, self.n_regimes)]
        self.n_days = int(max(t["end"].max(), window[1]) + 1)
        # Start days: a known start, or every day of the unstated-baseline window (one block each).
        unstated = t["start"].isna().to_numpy()
        window_days = np.arange(window[0], window[1] + 1)
        self.blocks = tuple(
            _Block.of(t, np.flatnonzero(rows), window_days if is_unstated else None)
            for is_unstated, rows in ((False, ~unstated), (True, unstated))
            if rows.any()
        )
        self.n_obs = len(t)
        self._needed_days = np.unique(np.concatenate([np.concatenate([b.starts.ravel(), b.ends]) for b in self.blocks]))
        self.logy = np.log(t["value"].to_numpy())
        super().__init__(np.exp(self.logy), extra_params_names=names)
        self._prior = (self.start_params(), self.prior_sd())

    # parameters ------------------------------------------------------------
    def unpack(self, p: np.ndarray) -> dict[str, np.ndarray]:
        """Natural parameters from (..., k) unconstrained ones; works on one vector or a batch."""
        p = np.atleast_2d(p)
        out = {
            "K": self.m.population_at_risk * special.expit(p[:, 0]),
            "rate": np.exp(p[:, 1]),
            "midpoint": p[:, 2],
            "sigma": np.exp(p[:, 3:5]),
        }
        j = 5
        if self.curve == "richards":
            out["shape"] = np.exp(p[:, j])
            j += 1
        else:
            out["shape"] = np.ones(len(p))
        mult = np.ones((len(p), self.n_regimes))
        mult[:, 1:] = np.exp(p[:, j:j + self.n_regimes - 1])
        out["mult"] = mult
        return out

    def set_regimes(self, regimes: np.ndarray | None) -> None:
        """Regime index per grid day; precomputes days spent in each regime before each day."""
        self.regimes = regimes
        if regimes is not None:
            onehot = np.eye(self.n_regimes)[regimes].T  # (regimes, days)
            self._days_in = np.concatenate([np.zeros((self.n_regimes, 1)), np.cumsum(onehot, axis=1)], axis=1)

    def clock(self, mult: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Warped time at the start of each grid day: the sum of regime multipliers over earlier days."""
        if self.regimes is None:
            return np.broadcast_to(days.astype(float), (len(mult), len(days)))
        last = self._days_in.shape[1] - 1
        extra = np.maximum(days - last, 0)  # beyond the schedule the last regime continues
        base = mult @ self._days_in[:, np.minimum(days, last)]
        return base + mult[:, [self.regimes[-1]]] * extra[None, :]

    def cumulative(self, p: np.ndarray, days: np.ndarray | int) -> np.ndarray:
        """C on the given grid days (or days 0..n-1 for an int) per parameter vector: (draws, days)."""
        days = np.arange(days) if np.isscalar(days) else np.asarray(days, dtype=int)
        q = self.unpack(p)
        x = q["rate"][:, None] * (self.clock(q["mult"], days) - q["midpoint"][:, None])
        x0 = -(q["rate"] * q["midpoint"])[:, None]
        shape = q["shape"][:, None]
        return q["K"][:, None] * (_curve(self.curve, x, shape) - _curve(self.curve, x0, shape))

    def prior_sd(self) -> np.ndarray:
        pr = self.priors
        sd = [pr.share[1], pr.rate[1], pr.midpoint[1], pr.sigma[1], pr.sigma[1]]
        if self.curve == "richards":
            sd.append(pr.shape[1])
        return np.array(sd + [pr.regime[1]] * (self.n_regimes - 1))

    def start_params(self) -> np.ndarray:
        pr = self.priors
        p = [pr.share[0], pr.rate[0], pr.midpoint[0], pr.sigma[0], pr.sigma[0]]
        if self.curve == "richards":
            p.append(pr.shape[0])
        p += [pr.regime[0]] * (self.n_regimes - 1)
        return np.array(p, dtype=float)

    def log_prior(self, p: np.ndarray) -> np.ndarray:
        """Log prior density of each row of ``p`` (draws, k)."""
        p = np.atleast_2d(p)
        mean, sd = self._prior
        z = (p - mean) / sd
        return np.sum(-0.5 * z**2 - np.log(sd) - _HALF_LOG_2PI, axis=1)

    # likelihood ------------------------------------------------------------
    def loglik_draws(self, p: np.ndarray) -> np.ndarray:
        """Log likelihood of every observation under each row of ``p``: shape (draws, observations)."""
        p = np.atleast_2d(p)
        c = np.zeros((len(p), self.n_days))
        c[:, self._needed_days] = self.cumulative(p, self._needed_days)
        out = np.empty((len(p), self.n_obs))
        for block in self.blocks:
            out[:, block.rows] = block.loglik(c, p[:, 3:5])
        return out

    def log_posterior(self, p: np.ndarray) -> np.ndarray:
        return self.loglik_draws(p).sum(axis=1) + self.log_prior(p)

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        ll = self.loglik_draws(params)[0]
        return ll + self.log_prior(params)[0] / len(ll)

    def loglike(self, params: np.ndarray) -> float:
        return float(self.log_posterior(params)[0])

    # Derivatives by central differences, every perturbed point in one vectorised call.
    def _steps(self, params: np.ndarray) -> np.ndarray:
        return 1e-4 * np.maximum(np.abs(params), 1.0)

    def score(self, params: np.ndarray) -> np.ndarray:
        h = self._steps(params)
        points = np.vstack([params + np.diag(h), params - np.diag(h)])
        f = self.log_posterior(points)
        k = len(params)
        return (f[:k] - f[k:]) / (2 * h)

    def hessian(self, params: np.ndarray) -> np.ndarray:
        k = len(params)
        h = self._steps(params) * 10
        e = np.diag(h)
        signs = ((1, 1), (1, -1), (-1, 1), (-1, -1))
        points = np.array([params + si * e[i] + sj * e[j] for i in range(k) for j in range(k) for si, sj in signs])
        f = self.log_posterior(points).reshape(k, k, 4)
        hess = (f[..., 0] - f[..., 1] - f[..., 2] + f[..., 3]) / (4 * np.outer(h, h))
        return (hess + hess.T) / 2


def _psd(cov: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """A usable covariance: symmetrised, eigenvalues clipped; prior variances where the Hessian failed."""
    cov = np.asarray(cov, dtype=float)
    if not np.all(np.isfinite(cov)):
        return np.diag(fallback)
    cov = (cov + cov.T) / 2
    w, v = np.linalg.eigh(cov)
    w = np.clip(w, 1e-10, None)
    return (v * w) @ v.T


def _fit_curve(m: Measurements, dataset: Dataset, model: str, priors: GrowthPriors) -> GenericLikelihoodModel:
    curve = model.removeprefix("piecewise_")
    case = dataset.case
    window = (m.day(case.unstated_baseline_window[0]) - 1, m.day(case.unstated_baseline_window[1]) - 1)
    regimes, kinds = (None, ("all",))
    if model.startswith("piecewise_"):  # the phase-warped forms
        n_days = m.day(case.analysis_end) + 400
        regimes, kinds = regime_schedule(dataset, m.origin, n_days)
    gm = GrowthModel(m, curve, regimes, len(kinds), priors, window)
    start = gm.start_params()
    with warnings.catch_warnings():
        # Only statsmodels' convergence warning is silenced: convergence is recorded by convergence_notes.
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = gm.fit(start_params=start, method="bfgs", maxiter=1000, gtol=1e-6, disp=0)
    return res


_BFGS_STOPS = {1: "the iteration limit was reached", 2: "the gradient or the likelihood stopped changing: precision loss"}


def convergence_notes(res, model: str, as_of: pd.Timestamp) -> tuple[str, ...]:
    """A note when the penalised ML fit stopped before converging (empty when it converged).

    The forecast still uses the last iterate; the note goes into the forecast, the
    backtest's fit notes and ``idlib forecast``'s standard error.
    """
    r = res.mle_retvals
    if r.get("converged", True):
        return ()
    why = _BFGS_STOPS.get(r.get("warnflag"), f"BFGS warnflag {r.get('warnflag')}")
    return (f"{model} as of {as_of.date()}: the fit did not converge ({why}); the forecast uses the last iterate",)


def posterior_draws(res, n: int, rng: np.random.Generator, df: float = 5.0, max_proposals: int = 2000) -> tuple[np.ndarray, float]:
    """Parameter draws by sampling-importance-resampling from the Laplace approximation.

    The proposal is a multivariate t (``df`` degrees of freedom) at the penalised
    MLE with the inverse-Hessian covariance; weights are the penalised likelihood
    over the proposal density, so draws that contradict a censored report (a
    ceiling below a known lower bound, say) get no weight. Returns the draws and
    the importance sample's effective size.
    """
    gm: GrowthModel = res.model
    cov = _psd(res.cov_params(), gm.prior_sd() ** 2)
    proposal = stats.multivariate_t(loc=np.asarray(res.params), shape=cov, df=df)
    n_proposals = min(n, max_proposals)
    x = proposal.rvs(size=n_proposals, random_state=rng).reshape(n_proposals, -1)
    logw = gm.log_posterior(x) - proposal.logpdf(x)
    logw = np.where(np.isfinite(logw), logw, -np.inf)
    w = np.exp(logw - logw.max())
    w /= w.sum()
    ess = float(1.0 / np.sum(w**2))
    return x[rng.choice(n_proposals, size=n, p=w)], ess


def _frozen_regimes(gm: GrowthModel, cut_day: int) -> GrowthModel:
    import copy

    g = copy.copy(gm)
    reg = gm.regimes[: cut_day + 1].copy()
    g.set_regimes(reg)
    return g


@dataclass(frozen=True)
class GrowthCurve:
    """A growth-curve model (``logistic``, ``gompertz``, ``richards``) or its phase-warped form (``piecewise_*``).

    Fitted by penalised maximum likelihood on every displacement report public by the
    cut-off (:func:`_fit_curve`); simulated from posterior parameter draws with report noise.
    """

    name: str
    family: str = "displacement"
    needs: int = 0  # any displacement report: partial-area figures and flows count as measurements

    def fit(self, data: FitData, spec) -> Fit:
        """The penalised ML fit on ``data`` (an as-of view and its measurements)."""
        m = data.measurements
        res = _fit_curve(m, data.view, self.name, spec.option("priors", GrowthPriors()))
        # Every model's paths are capped at the population at risk, so its claims count too.
        ids = (*m.table["claim_id"], *m.population_claim_ids)
        return Fit(self.name, spec.as_of, m, res, ids, notes=convergence_notes(res, self.name, spec.as_of))

    def simulate(self, fitted: Fit, days: np.ndarray, *, n_paths: int, seed: int) -> np.ndarray:
        """Paths of the cumulative figure on grid ``days``: parameter draws, then lognormal report noise."""
        rng = rng_for(seed, fitted.model, fitted.as_of)
        res = fitted.detail
        gm: GrowthModel = res.model
        draws, _ = posterior_draws(res, n_paths, rng)
        if gm.regimes is not None:
            # After the cut-off the regime in force continues: no later milestone is known.
            gm = _frozen_regimes(gm, fitted.measurements.day(fitted.as_of))
        c = gm.cumulative(draws, days)
        sigma_un = np.exp(draws[:, 3])
        return np.maximum(c, 0) * np.exp(sigma_un * rng.standard_normal(n_paths))[:, None]


LOGISTIC = GrowthCurve("logistic")
GOMPERTZ = GrowthCurve("gompertz")
RICHARDS = GrowthCurve("richards")
PIECEWISE_LOGISTIC = GrowthCurve("piecewise_logistic")
PIECEWISE_GOMPERTZ = GrowthCurve("piecewise_gompertz")
