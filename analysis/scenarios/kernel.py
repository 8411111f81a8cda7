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


@njit(cache=True)
def _poisson_setup(lam):
    """What a Poisson draw with rate ``lam`` searches from: its mode m, P(X = m) and P(X <= m).

    Computed once per rate (a path's rate changes only with its weekly frailty and the
    scenario's phases), so each draw costs about sqrt(lam) steps whatever the rate; the
    probabilities come up from exp(-lam) by the recurrence p(k) = p(k - 1) lam / k (m steps,
    no log-gamma), or from the log-gamma at the mode where exp(-lam) would underflow.
    """
    m = np.floor(lam)
    if lam < 600.0:
        p = np.exp(-lam)
        f = p
        j = 1.0
        while j <= m:
            p *= lam / j
            f += p
            j += 1.0
        return m, p, min(f, 1.0)
    pm = np.exp(-lam + m * np.log(lam) - math.lgamma(m + 1.0))
    f = pm
    p = pm
    j = m
    while j > 0 and p > 1e-300:
        p *= j / lam
        f += p
        j -= 1.0
    return m, pm, min(f, 1.0)


@njit(cache=True)
def _poisson(s, lam, m, pm, fm):
    """One Poisson draw by inversion searched from the mode (one uniform per draw, from the path's own stream).

    ``m, pm, fm`` are :func:`_poisson_setup`'s for ``lam``. Every draw comes from the path's
    stream (none from a generator the paths share), one uniform each, so a path's draws
    depend on nothing but its seed and its own rates.
    """
    u = _uniform(s)
    k = m
    f = fm
    p = pm
    if u <= f:
        while k > 0 and f - p >= u:
            f -= p
            p *= k / lam
            k -= 1.0
    else:
        while f < u and p > 0 and k < m + 100000:
            k += 1.0
            p *= lam / k
            f += p
    return int(k)


@njit(cache=True)
def _binomial(s, count, log_q, odds):
    """Binomial(count, share) by inversion from 0 with one uniform, given log(1 - share) and share / (1 - share)."""
    if count == 0:
        return 0
    u = _uniform(s)
    p = np.exp(count * log_q)
    f = p
    k = 0
    while u > f and k < count:
        p *= (count - k) / (k + 1.0) * odds
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
def _territory_paths(seed, gov_rate, opp_rate, gov_named, opp_named, gov_frailty, opp_frailty, gov_mult, opp_mult, share, road_places,
                     road_held, frailty_days, gov0, opp0, gov0_named, opp0_named, start, per_place, population):
    """Compiled inner loop: daily places taken in the world per side, split into named and not named, per path.

    Rates are the path's reference rate *in the world* x its weekly gamma frailty x the
    day's multiplier. Each day's places taken in the world are one Poisson draw; the named
    ones among them a binomial draw with the path's completeness share ``gov_named`` /
    ``opp_named`` (so named and not named are independent Poisson counts given the rate).
    Only named places can be on the road: each named capture (recapture) lands there with the path's ``share`` (binomial
    thinning), up to the road places left to take (held). Displacement grows by
    ``per_place`` people per place the government takes in the world (the opposition's
    recaptures return nobody: the documents report no returns).

    One pass, no temporaries, and a small inline generator (xoshiro256**, three streams per path):
    counting places in the world (about four times the named ones) roughly doubled the cost of the
    named-only loop; ``make bench`` prints the time of 10 scenarios x 10,000 paths x 120 days.
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
        # Three streams per path: s for the daily counts (exactly two uniforms a day), u for naming
        # them, t for the road thinning, and nothing shared between paths, so a scenario that changes one
        # day's rate leaves every other day's count draws, and every other path, as in the scenario it
        # is compared with.
        s = _seed_state(np.uint64(seed) * np.uint64(0x100000001) + np.uint64(3 * i))
        t = _seed_state(np.uint64(seed) * np.uint64(0x100000001) + np.uint64(3 * i + 1))
        u = _seed_state(np.uint64(seed) * np.uint64(0x100000001) + np.uint64(3 * i + 2))
        k = road_held
        cg, cgn, co, con = gov0[i], gov0_named[i], opp0[i], opp0_named[i]
        taken = 0.0
        # Naming a day's places is a binomial draw with the path's share: log(1 - share) and the odds, once per path.
        gq, oq = max(1.0 - gov_named[i], 1e-300), max(1.0 - opp_named[i], 1e-300)
        g_lq, o_lq = np.log(gq), np.log(oq)
        g_odds, o_odds = gov_named[i] / gq, opp_named[i] / oq
        lg = lo = -1.0
        g1 = o1 = (0.0, 1.0, 1.0)
        for d in range(h):
            w = d // frailty_days
            # The searches' starting points change only with the week's frailty or the day's multiplier: reuse them.
            x = gov_rate[i] * gov_frailty[i, w] * gov_mult[d]
            if x != lg:
                lg = x
                g1 = _poisson_setup(x)
            x = opp_rate[i] * opp_frailty[i, w] * opp_mult[d]
            if x != lo:
                lo = x
                o1 = _poisson_setup(x)
            # Places taken in the world, and of them the named ones (binomial thinning by the share named).
            g = _poisson(s, lg, g1[0], g1[1], g1[2])
            o = _poisson(s, lo, o1[0], o1[1], o1[2])
            gn = _binomial(u, g, g_lq, g_odds)
            on = _binomial(u, o, o_lq, o_odds)
            gh = g - gn
            oh = o - on
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
