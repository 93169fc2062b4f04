#!/usr/bin/env python3
"""gen-ziggurat.py: the layer table of sim/ziggurat.c (the fast exponential).

The density exp(-x), x >= 0, is covered by N layers of equal area v: the
base (a rectangle of height exp(-r) from 0 to r, plus the tail beyond r,
drawn as if it were the rest of a rectangle of width x[0] = v / exp(-r)),
and N - 1 rectangles stacked on it, layer i from height exp(-x[i]) to
exp(-x[i+1]) and as wide as x[i], with x[1] = r and x[N] = 0. The equal
areas fix x[i+1] from x[i]; r is found by bisection so that the top layer
ends at height 1. Prints the tables that sim/ziggurat.c holds between its
"generated" markers (tests/unit/test_ziggurat.c checks their areas).
Usage: python3 scripts/gen-ziggurat.py [N]   (N a power of two, default 256)

With "normal" first (python3 scripts/gen-ziggurat.py normal [N], default
128) it prints the tables of the fast normal instead, sim/ziggurat.c's
second generated block: the same construction under the half density
exp(-x^2 / 2), x >= 0 (unnormalised), whose tail past r is Marsaglia's
(r + E1 / r, kept when 2 E2 > (E1 / r)^2); names ccz_n*.
"""
import math
import sys


def stack(r, n, f, f_inv, tail):
    """x[0..n] for the base edge r under the density f (decreasing, f(0) = 1;
    f_inv its inverse; tail(r) its area past r); the last is the height
    reached (1 at the solution)."""
    v = r * f(r) + tail(r)  # base rectangle plus the tail
    x = [v / f(r), r]
    for _ in range(2, n):
        y = f(x[-1]) + v / x[-1]
        if y >= 1:
            return x, v, y
        x.append(f_inv(y))
    return x, v, f(x[-1]) + v / x[-1]


def layers(r, n):
    """The exponential's: f(x) = exp(-x), f^-1(y) = -log y, tail exp(-r)."""
    return stack(r, n, lambda t: math.exp(-t), lambda y: -math.log(y), lambda t: math.exp(-t))


def solve(n, layers_of=None, lo=1.0, hi=20.0):
    """The r whose n layers just fill the density up to 1, by bisection (too
    small an r: the layers overshoot 1 early; too large: they fall short)."""
    layers_of = layers_of or layers
    for _ in range(200):
        mid = (lo + hi) / 2
        x, v, top = layers_of(mid, n)
        if len(x) < n or top > 1:
            lo = mid
        else:
            hi = mid
    x, v, top = layers_of(hi, n)
    return hi, v, x + [0.0]


def normal_tail(r):
    """The area of exp(-t^2 / 2) from r to infinity."""
    return math.sqrt(math.pi / 2) * math.erfc(r / math.sqrt(2))


def normal_layers(r, n):
    """As layers(), for the half normal: f(x) = exp(-x^2 / 2), f^-1(y) = sqrt(-2 log y)."""
    return stack(r, n, lambda t: math.exp(-t * t / 2), lambda y: math.sqrt(-2 * math.log(y)), normal_tail)


def print_tables(n, head, define, r, v, x, p, f, what):
    """The tables of one ziggurat (x, w, k, f with prefix p: ccz_x or ccz_nx...)."""
    scale = 2.0 ** -24
    print(f"/* scripts/gen-ziggurat.py {head}: r = {r!r}, v = {v!r} */")
    print(f"#define {define} {r!r}")
    rows = [
        (p + "x", what["x"], x, repr),
        (p + "w", what["w"], [t * scale for t in x[:n]], repr),
        (p + "k", what["k"], [math.floor(x[i + 1] / x[i] / scale) for i in range(n)], lambda t: f"{t}u"),
        (p + "f", what["f"], [f(t) for t in x], repr),
    ]
    for name, text, vals, fmt in rows:
        ctype = "uint32_t" if name == p + "k" else "double"
        print(f"/* {text} */")
        print(f"const {ctype} ccz_{name}[{len(vals)}] = {{")
        for i in range(0, len(vals), 4):
            print("    " + ", ".join(fmt(t) for t in vals[i:i + 4]) + ",")
        print("};")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "normal":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 128
        r, v, x = solve(n, normal_layers, 1.0, 10.0)
        print_tables(n, f"normal {n}", "CCZ_NR", r, v, x, "n", lambda t: math.exp(-t * t / 2), {
            "x": "the normal's layers' edges x[0..NN]",
            "w": "x[i] / 2^24",
            "k": "j < nk[i]: under the next layer's edge (accepted at once)",
            "f": "exp(-x[i]^2 / 2)"})
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    r, v, x = solve(n)
    print_tables(n, f"{n}", "CCZ_R", r, v, x, "", lambda t: math.exp(-t), {
        "x": "the layers' edges x[0..N]",
        "w": "x[i] / 2^24: a 24-bit integer j times w[i] is a point of layer i",
        "k": "j < k[i]: the point is under the next layer's edge (accepted at once)",
        "f": "exp(-x[i])"})


if __name__ == "__main__":
    main()
