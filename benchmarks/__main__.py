"""`make bench`: run every benchmark and print the measured figures."""

from benchmarks import bench_reports

if __name__ == "__main__":
    bench_reports.main()
