"""Displacement backtest benchmark: every model at every origin with 10,000 paths.

Target (issue 4): the full backtest in under 10 s on the 2-core reference machine.
Also times the same backtest with derivatives taken one point at a time, the
statsmodels default, to show what the vectorised score and Hessian buy (a ratio
in the same run, so machine noise cancels).
"""

from __future__ import annotations

from statsmodels.base.model import GenericLikelihoodModel

from analysis.data.dataset import load
from analysis.models import displacement
from analysis.models.base import summarise_backtest
from benchmarks import timed


def main() -> None:
    ds = load()
    displacement.fit(ds, "2020-02-11", "gompertz")  # warm imports and caches, untimed
    seconds, bt = timed(lambda: displacement.backtest(ds, n_paths=10_000))
    summary = summarise_backtest(bt.scores)
    print("## displacement backtest (all models and their calibrated versions, all origins, 10,000 paths)")
    print(f"origins {bt.scores['as_of'].nunique()}, models {len(displacement.MODELS)}, scored cases {len(bt.scores)}, skipped fits {len(bt.skipped)}")
    print(f"full backtest: {seconds:.2f} s (target < 10 s)")

    # Baseline in the same run: statsmodels' default numerical derivatives (one point per call).
    saved = displacement.GrowthModel.score, displacement.GrowthModel.hessian
    displacement.GrowthModel.score = GenericLikelihoodModel.score
    displacement.GrowthModel.hessian = GenericLikelihoodModel.hessian
    try:
        naive, _ = timed(lambda: displacement.backtest(ds, n_paths=10_000))
    finally:
        displacement.GrowthModel.score, displacement.GrowthModel.hessian = saved
    print(f"same backtest, one-point-at-a-time derivatives: {naive:.2f} s (speed-up {naive / seconds:.1f}x)")
    best = displacement.select_model(summary)
    print(f"favoured model (best CRPS skill with 80% coverage in 70-90%): {best}")
    print("model                          h  cases  median APE  cover80  skill vs persistence")
    for row in summary[summary["horizon_days"].isin((7, 14))].itertuples():
        print(f"{row.model:<30} {row.horizon_days:>2} {row.cases:>6} {row.median_ape:>11.3f} {row.coverage_80:>8.2f} {row.skill_vs_persistence:>21.3f}")


if __name__ == "__main__":
    main()
