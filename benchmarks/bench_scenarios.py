"""Scenario benchmarks (issue 7).

1. The engine: 10 scenarios x 10,000 paths x 120 days on one core (target <= 1 s).
   Calibration (the model fits, cached per cut-off) and the first call's numba compilation
   are done first and timed apart.
2. A 10,000-point sweep (ceasefire date x intensity x intervention effect x return
   rate, 100 paths a point), in-process and on a two-worker local Dask cluster; the
   ratio of the two is measured in the same run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from analysis import scenarios as S
from analysis.data.dataset import load
from benchmarks import timed


def main() -> None:
    ds = load()
    specs = [S.load_spec(p, {"horizon_days": 120, "n_paths": 10_000, "seed": seed}) for seed in (0, 1) for p in S.shipped()]
    fit_s, cals = timed(lambda: [S.calibrate(ds, s) for s in specs])
    jit_s, _ = timed(lambda: S.simulate(specs[0], cals[0]))  # compiles the kernel (cached on disk after)
    run_s, _ = timed(lambda: [S.simulate(s, c) for s, c in zip(specs, cals, strict=True)])
    print("## scenario engine (10 scenarios x 10,000 paths x 120 days, one process)")
    print(f"calibration (fits, once per cut-off): {fit_s:.2f} s; first call incl. numba compile or cache load: {jit_s:.2f} s")
    print(f"simulation: {run_s:.2f} s, {run_s / len(specs) * 1000:.0f} ms per scenario (target <= 1 s for all 10)")

    base = S.scenarios_dir() / "as_it_happened.yaml"
    grid = {
        "base": str(base),
        "n_paths": 100,
        "grid": {
            "ceasefire.date": [f"2020-{m:02d}-{d:02d}" for m, d in ((1, 20), (1, 27), (2, 3), (2, 10), (2, 17), (2, 24), (3, 2), (3, 6), (3, 16), (3, 23))],
            "phases.2.intensity": [0.25, 0.5, 1.0, 1.5, 2.0],
            "intervention.capture_multiplier": [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5],
            "ceasefire.return_rate": [round(0.0025 * i, 4) for i in range(20)],
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grid.yaml"
        path.write_text(yaml.safe_dump(grid))
        g = S.load_grid(path)
        n = len(g.points())
        local_s, table = timed(lambda: S.sweep(g, ds))
        print(f"\n## sweep ({n:,} points x {g.n_paths} paths x 90 days)")
        print(f"in-process: {local_s:.1f} s ({local_s / n * 1000:.1f} ms per point), {len(table):,} rows")
        try:
            from distributed import LocalCluster
        except ImportError:
            print("local Dask cluster: skipped (install the [dask] extra)")
            return
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            dask_s, remote = timed(lambda: S.sweep(g, ds, scheduler=cluster.scheduler_address))
        same = remote.reset_index(drop=True).equals(table.reset_index(drop=True))
        print(f"local Dask cluster (2 workers): {dask_s:.1f} s, {local_s / dask_s:.2f}x in-process; identical table: {same}")
