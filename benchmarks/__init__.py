

def timed(fn):
    """(seconds, result) of one call, by the monotonic performance counter."""
    import time

    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out
