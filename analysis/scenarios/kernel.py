"""The compiled daily loop of the scenario engine and its samplers (numba)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def _seed_state(seed):
    """xoshiro256** state from a seed via splitmix64 (Blackman and Vigna's recommended seeding)."""
    state = np.empty(4, np.uint64)
    z = np.uint64(seed)
    for j in range(4):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        x = z
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        state[j] = x ^ (x >> np.uint64(31))
    return state


@njit(cache=True)
def _uniform(s):
    """Next uniform in [0, 1) from xoshiro256** (53 random bits); ``s`` is updated in place."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return (result >> np.uint64(11)) * (1.0 / 9007199254740992.0)


_INV = 1.0 / np.arange(1, 1001, dtype=np.float64)  # 1/k: the inversion multiplies instead of dividing


@njit(cache=True)
def _poisson_ptrs(s, lam):
    """One Poisson draw for a large rate by transformed rejection (Hormann's PTRS, as NumPy's), from the path's stream."""
    slam = np.sqrt(lam)
    loglam = np.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = _uniform(s) - 0.5
        v = _uniform(s)
        us = 0.5 - abs(u)
        k = np.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if np.log(v) + np.log(invalpha) - np.log(a / (us * us) + b) <= -lam + k * loglam - math.lgamma(k + 1.0):
            return int(k)


@njit(cache=True)
def _poisson(s, lam, p0):
    """One Poisson draw by inversion, given p0 = exp(-lam); by transformed rejection above 10, from the same stream.

    Every draw comes from the path's own stream (none from a generator shared by the paths), so
    a path's draws depend on nothing but its seed and its own rates.
    """
    if lam > 10.0:
        return _poisson_ptrs(s, lam)
    u = _uniform(s)
    p = p0
    f = p
    k = 0
    while u > f and k < 1000:
        p *= lam * _INV[k]
        k += 1
        f += p
    return k


@njit(cache=True)
def _thin(s, count, share):
    """Binomial(count, share) as count Bernoulli draws (counts here are small)."""
    out = 0
    for _ in range(count):
        if _uniform(s) < share:
            out += 1
    return out


@njit(cache=True)
def _split(s, lam, share, e_named, e_hidden):
    """Places taken in the world on a day with rate ``lam``: (named, not named), Poisson splitting by ``share``."""
    return _poisson(s, lam * share, e_named), _poisson(s, lam * (1.0 - share), e_hidden)


@njit(cache=True)
def _territory_paths(seed, gov_rate, opp_rate, gov_named, opp_named, gov_frailty, opp_frailty, gov_mult, opp_mult, share, road_places,
                     road_held, frailty_days, gov0, opp0, gov0_named, opp0_named, start, per_place, population):
    """Compiled inner loop: daily places taken in the world per side, split into named and not named, per path.

    Rates are the path's reference rate *in the world* x its weekly gamma frailty x the
    day's multiplier. Each day's places taken split into named ones (Poisson with the
    path's completeness share ``gov_named`` / ``opp_named``) and the rest (Poisson
    splitting, so the two are independent given the rate). Only named places can be on the
    road: each named capture (recapture) lands there with the path's ``share`` (binomial
    thinning), up to the road places left to take (held). Displacement grows by
    ``per_place`` people per place the government takes in the world (the opposition's
    recaptures return nobody: the documents report no returns).

    One pass, no temporaries, and a small inline generator (xoshiro256**, two streams per path):
    this is what keeps 10 scenarios x 10,000 paths x 120 days near a second on one core (``make bench``).
    """
    n, h = gov_frailty.shape[0], gov_mult.shape[0]
    # float32 halves the memory written (the kernel's main cost after the draws); counts stay exact
    # and people keep a precision of 0.25 up to 4 million.
    captures = np.empty((n, h), np.float32)  # cumulative places the government took in the world since the territory baseline
    named = np.empty((n, h), np.float32)  # of those, named in the documents
    net = np.empty((n, h), np.float32)  # net places gained by the government in the world since the territory baseline
    net_named = np.empty((n, h), np.float32)  # net named places gained
    displaced = np.empty((n, h), np.float32)  # start + people per place x places taken since as_of, capped
    held = np.empty((n, h), np.float32)  # share of the road's places held by the government
    share_of = 1.0 / max(road_places, 1)
    for i in range(n):
        # Two streams per path: s for the daily counts, t for the road thinning, and nothing shared
        # between paths, so a scenario that changes one day's rate leaves every earlier day's draws,
        # and every other path, as in the scenario it is compared with (and every later day's too
        # while the rates stay below 10 a day: one uniform per draw then).
        s = _seed_state(np.uint64(seed) * np.uint64(0x100000001) + np.uint64(2 * i))
        t = _seed_state(np.uint64(seed) * np.uint64(0x100000001) + np.uint64(2 * i + 1))
        k = road_held
        cg, cgn, co, con = gov0[i], gov0_named[i], opp0[i], opp0_named[i]
        taken = 0.0
        cg_share, co_share = gov_named[i], opp_named[i]
        lg = lo = -1.0
        eg1 = eg2 = eo1 = eo2 = 1.0
        for d in range(h):
            w = d // frailty_days
            # exp(-rate) changes only with the week's frailty or the day's multiplier: reuse it.
            x = gov_rate[i] * gov_frailty[i, w] * gov_mult[d]
            if x != lg:
                lg = x
                eg1 = np.exp(-x * cg_share)
                eg2 = np.exp(-x * (1.0 - cg_share))
            x = opp_rate[i] * opp_frailty[i, w] * opp_mult[d]
            if x != lo:
                lo = x
                eo1 = np.exp(-x * co_share)
                eo2 = np.exp(-x * (1.0 - co_share))
            gn, gh = _split(s, lg, cg_share, eg1, eg2)
            on, oh = _split(s, lo, co_share, eo1, eo2)
            # Thin only while it can matter: nothing left to take, or nothing held to lose.
            won = min(_thin(t, gn, share[i]), road_places - k) if k < road_places else 0
            k = k + won - min(_thin(t, on, share[i]), k + won) if k + won > 0 else k + won
            cg += gn + gh
            cgn += gn
            co += on + oh
            con += on
            taken += gn + gh
            captures[i, d] = cg
            named[i, d] = cgn
            net[i, d] = cg - co
            net_named[i, d] = cgn - con
            displaced[i, d] = min(start[i] + per_place[i] * taken, population)
            held[i, d] = k * share_of
    return captures, named, net, net_named, displaced, held
