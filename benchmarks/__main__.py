"""`make bench`: run every benchmark and print the measured figures."""

import sys

from benchmarks import (
    bench_dataset,
    bench_displacement,
    bench_extract,
    bench_fuzz,
    bench_reports,
    bench_scenarios,
)

BENCHES = {"dataset": bench_dataset, "displacement": bench_displacement, "extract": bench_extract, "fuzz": bench_fuzz, "reports": bench_reports, "scenarios": bench_scenarios}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHES):
        BENCHES[name].main()
