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


def layers(r, n):
    """x[0..n] for the base edge r; the last is the height reached (1 at the solution)."""
    v = r * math.exp(-r) + math.exp(-r)  # base rectangle plus the tail
    x = [v / math.exp(-r), r]
    for _ in range(2, n):
        y = math.exp(-x[-1]) + v / x[-1]
        if y >= 1:
            return x, v, y
        x.append(-math.log(y))
    return x, v, math.exp(-x[-1]) + v / x[-1]


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
    f = math.exp(-r * r / 2)
    v = r * f + normal_tail(r)
    x = [v / f, r]
    for _ in range(2, n):
        y = math.exp(-x[-1] * x[-1] / 2) + v / x[-1]
        if y >= 1:
            return x, v, y
        x.append(math.sqrt(-2 * math.log(y)))
    return x, v, math.exp(-x[-1] * x[-1] / 2) + v / x[-1]


def normal_main(n):
    r, v, x = solve(n, normal_layers, 1.0, 10.0)
    scale = 2.0 ** -24
    print(f"/* scripts/gen-ziggurat.py normal {n}: r = {r!r}, v = {v!r} */")
    print(f"#define CCZ_NR {r!r}")
    rows = [
        ("nx", "the normal's layers' edges x[0..NN]", x, repr),
        ("nw", "x[i] / 2^24", [t * scale for t in x[:n]], repr),
        ("nk", "j < nk[i]: under the next layer's edge (accepted at once)",
         [math.floor(x[i + 1] / x[i] / scale) for i in range(n)], lambda t: f"{t}u"),
        ("nf", "exp(-x[i]^2 / 2)", [math.exp(-t * t / 2) for t in x], repr),
    ]
    for name, what, vals, fmt in rows:
        ctype = "uint32_t" if name == "nk" else "double"
        print(f"/* {what} */")
        print(f"const {ctype} ccz_{name}[{len(vals)}] = {{")
        for i in range(0, len(vals), 4):
            print("    " + ", ".join(fmt(t) for t in vals[i:i + 4]) + ",")
        print("};")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "normal":
        normal_main(int(sys.argv[2]) if len(sys.argv) > 2 else 128)
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    r, v, x = solve(n)
    scale = 2.0 ** -24
    print(f"/* scripts/gen-ziggurat.py {n}: r = {r!r}, v = {v!r} */")
    print(f"#define CCZ_R {r!r}")
    rows = [
        ("x", "the layers' edges x[0..N]", x, repr),
        ("w", "x[i] / 2^24: a 24-bit integer j times w[i] is a point of layer i", [t * scale for t in x[:n]], repr),
        ("k", "j < k[i]: the point is under the next layer's edge (accepted at once)",
         [math.floor(x[i + 1] / x[i] / scale) for i in range(n)], lambda t: f"{t}u"),
        ("f", "exp(-x[i])", [math.exp(-t) for t in x], repr),
    ]
    for name, what, vals, fmt in rows:
        ctype = "uint32_t" if name == "k" else "double"
        print(f"/* {what} */")
        print(f"const {ctype} ccz_{name}[{len(vals)}] = {{")
        for i in range(0, len(vals), 4):
            print("    " + ", ".join(fmt(t) for t in vals[i:i + 4]) + ",")
        print("};")


if __name__ == "__main__":
    main()
