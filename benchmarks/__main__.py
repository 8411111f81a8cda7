"""`make bench`: run every benchmark and print the measured figures."""

import sys

from benchmarks import bench_displacement, bench_reports

BENCHES = {"displacement": bench_displacement, "reports": bench_reports}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHES):
        BENCHES[name].main()
