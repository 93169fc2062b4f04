#!/usr/bin/env python3
# fit-dfe.py: re-derive the fitted flow settings of a council's config
# (entry rates and entrants' age profile, exit hazards, breakdown rates and
# their frailty, staying put at 18, the start-date children's history) from the
# DfE's published "children looked after" CSV files, and write them as
# libconfig include files, each number with a comment citing its table, years
# and arithmetic. Python 3 standard library only. docs/calibration.md
# explains the method; the output is reproducible byte for byte.
#
# Usage:
#   scripts/fit-dfe.py [DATA_DIR] --base CONFIG --out DIR [--cutoff YEAR]
#                      [--years N] [--stock-ages config|england] [--initial]
#                      [--la CODE | --national]
#   scripts/fit-dfe.py [DATA_DIR] --extract DEST [--la CODE | --national]
#
# --la CODE fits the council with that old_la_code (default 891,
# Nottinghamshire; 830 Derbyshire, 831 Derby, 892 Nottingham); --national fits
# England from the LA tables' National rows and also writes districts.inc and
# district-mix.inc, England split by its nine regions (the Regional rows).
#
# DATA_DIR holds release-2022/ and release-2024/ as in ../shared/data/dfe
# (the default, relative to the repository root), or the filtered copies in
# tests/data/dfe-NNN/ that --extract writes (only the rows and files this
# script reads: the council's rows of the LA tables, or England's and the
# regions' rows with --national; the national tables).
# --cutoff YEAR fits on the years to March (YEAR-N+1)..YEAR only (default
# 2022, N = --years, default 3); no figure of a later year is read, except
# England's age profiles (stock, adoption, SGO), first published for 2020,
# which a cut-off before 2020 takes from 2020 (said in the output).
# --base CONFIG is the config whose hand-set assumptions (placement mixes,
# multipliers, district mix, leaving-care split) the fit is made consistent
# with; it is read, never written. Its @include lines are skipped.
# --initial also writes initial-count.inc: the published 31 March stock of the
# cut-off year split by age as England's stock was.
import argparse
import csv
import math
import os
import re
import sys

LA = "891"  # the council's old_la_code (default Nottinghamshire); --la sets it
# The area fitted: ("la", old_la_code) for one council (--la), ("national", "")
# for England (--national). The national fit reads the LA tables' National
# rows, and their Regional rows for the split between regions.
AREA = ["la", LA]
# What the generated comments call the area ("the county's ceased ..."):
# councils that are cities say city; England says England.
AREA_NOUN = {"830": "county", "831": "city", "891": "county", "892": "city"}
REGIONS = ["North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
           "East of England", "London", "South East", "South West"]
COHORTS = ["age_0_3", "age_4_6", "age_7_11", "age_12_15", "age_16_17"]
COHORT_AGES = [(0, 3), (4, 6), (7, 11), (12, 15), (16, 17)]
TYPES = ["kinship", "foster", "residential", "semi_independent", "secure", "with_parents", "adoption", "other"]
ROUTES = ["return_home", "adoption", "sgo", "cao", "other"]

# DfE age groups -> the model's cohorts, splitting a group evenly over its
# single years of age (ages 1-4: 3 of 4 years are 1-3, so 3/4 to age_0_3 and
# 1/4 to age_4_6; 5-9: ages 5-6 to age_4_6 (2/5), 7-9 to age_7_11 (3/5);
# 10-15: 10-11 to age_7_11 (2/6), 12-15 to age_12_15 (4/6); 16 and over,
# 16 years, 17 years: age_16_17).
SPLIT = {
    "Under 1 year": {"age_0_3": 1.0},
    "1 to 4 years": {"age_0_3": 3 / 4, "age_4_6": 1 / 4},
    "5 to 9 years": {"age_4_6": 2 / 5, "age_7_11": 3 / 5},
    "10 to 15 years": {"age_7_11": 2 / 6, "age_12_15": 4 / 6},
    "16 years and over": {"age_16_17": 1.0},
    "16 years": {"age_16_17": 1.0},
    "17 years": {"age_16_17": 1.0},
}
SPLIT_RULE = "DfE age groups split evenly over single years: under 1 -> 0-3; 1-4 -> 3/4 0-3, 1/4 4-6; 5-9 -> 2/5 4-6, 3/5 7-11; 10-15 -> 2/6 7-11, 4/6 12-15; 16+ -> 16-17"

# Relative breakdown rates by placement type and cohort: an assumption (no
# published figure splits placement changes by type and age for the county);
# the pattern of the pre-2024 baseline, teenage foster and residential
# placements breaking down most, scaled below to the county's published
# placement changes.
MOVE_PATTERN = {
    "foster": [0.30, 0.30, 0.35, 0.50, 0.45],
    "kinship": [0.10, 0.10, 0.10, 0.10, 0.10],
    "residential": [0.60, 0.60, 0.60, 0.70, 0.60],
    "semi_independent": [0.0, 0.0, 0.0, 0.0, 0.40],
    "secure": [0.0, 0.0, 2.0, 2.0, 2.0],
    "with_parents": [0.10, 0.10, 0.10, 0.10, 0.10],
    "adoption": [0.05, 0.05, 0.05, 0.05, 0.05],
    "other": [0.30, 0.30, 0.30, 0.30, 0.30],
}

# Which files hold each table, oldest release first (a newer release's figure
# for the same year and breakdown replaces the older one).
TABLES = {
    "starts": [("release-2022", "la_cla_who_started_to_be_looked_after.csv")],
    "ceased": [("release-2022", "la_children_who_ceased_during_year.csv"),
               ("release-2024", "la_children_who_ceased_during_the_year.csv")],
    "stability": [("release-2022", "la_cla_at_31_march_placement_stability_indicator.csv"),
                  ("release-2024", "la_cla_placement_stability.csv")],
    "placements": [("release-2022", "la_cla_during_year_new_placements.csv"),
                   ("release-2024", "la_cla_during_year_new_placements.csv")],
    "stayput": [("release-2022", "la_care_leavers_stayput.csv"),
                ("release-2024", "la_care_leavers_stayput.csv")],
    "outside": [("release-2022", "la_cla_on_31_march_la_of_placement_net_gain.csv"),
                ("release-2024", "la_cla_on_31_march_la_of_placement_netgain.csv")],
    "eng_stock": [("release-2024", "national_cla_on_31_march_by_characteristics.csv")],
    "eng_adopted": [("release-2024", "national_cla_who_were_adopted_during_the_year.csv")],
    "eng_sgo": [("release-2024", "national_cla_who_were_the_subject_of_a_sgo_during_the_year.csv")],
}
# National tables only the national fit reads (--national), for its supply.
NATIONAL_TABLES = {
    "eng_provider": [("release-2024", "national_cla_on_31_march_by_placement_provider_placement_type_and_locality.csv")],
    "eng_distance": [("release-2024", "national_cla_on_31_march_by_placement_distance_and_placement_locality.csv")],
    "eng_starts": [("release-2024", "national_cla_started_to_be_looked_after.csv")],
}
# the 31 March stock is labelled differently in the two releases (the newer first)
STOCK_KEYS = [("CLA on 31 March", "Total children"), ("Children looked after at 31 March", "Total children")]


def die(msg):
    sys.stderr.write("fit-dfe: %s\n" % msg)
    sys.exit(2)


# ---------------------------------------------------------------------------
# Published figures


def in_area(row, i_la, i_lvl):
    """True when an LA table's row is the fitted area's: the council's row, or
    England's (National) row in the national fit."""
    if AREA[0] == "national":
        return row[i_lvl] == "National"
    return i_la is not None and row[i_la] == AREA[1]


def noun():
    """The area as the generated comments name it: "county", "city" or "England"."""
    return "England" if AREA[0] == "national" else AREA_NOUN.get(AREA[1], "council")


def the_areas():
    """'the county's', 'the city's', or "England's"."""
    return "England's" if AREA[0] == "national" else "the %s's" % noun()


class Table:
    """One table: {(year, breakdown...): value string}, newer release wins."""

    def __init__(self, name, data_dir):
        self.name = name
        self.cells = {}
        self.files = []
        self.area_name = None  # the council's la_name as the table gives it
        for rel, fname in (TABLES.get(name) or NATIONAL_TABLES[name]):
            path = os.path.join(data_dir, rel, fname)
            if not os.path.exists(path):
                continue
            self.files.append(rel + "/" + fname)
            with open(path, newline="", encoding="utf-8-sig") as f:
                rd = csv.reader(f)
                head = next(rd)
                try:
                    i_num = head.index("number") if "number" in head else head.index("Number")
                    i_la = head.index("old_la_code") if "old_la_code" in head else None
                    i_lvl = head.index("geographic_level")
                except ValueError:
                    die("%s: not in the DfE layout (expected geographic_level and number columns)" % path)
                first = (head.index("new_la_code") + 1) if "new_la_code" in head else (head.index("country_name") + 1)
                for ln, row in enumerate(rd, 2):
                    if len(row) != len(head):
                        die("%s:%d: %d fields (expected %d)" % (path, ln, len(row), len(head)))
                    national = name.startswith("eng_")
                    if national and row[i_lvl] != "National":
                        continue
                    if not national and not in_area(row, i_la, i_lvl):
                        continue
                    if not national and "la_name" in head:
                        self.area_name = row[head.index("la_name")]
                    key = (int(row[0]),) + tuple(row[first:i_num])
                    self.cells[key] = row[i_num]
        if not self.files:
            die("%s: none of %s found under %s" % (name, ", ".join(r + "/" + f for r, f in (TABLES.get(name) or NATIONAL_TABLES[name])), data_dir))

    def get(self, year, *keys):
        """The number, or None when missing or suppressed (c, z, x, k, low, u)."""
        v = self.cells.get((year,) + keys)
        if v is None:
            return None
        try:
            return float(v)
        except ValueError:
            return None

    def need(self, year, *keys):
        v = self.get(year, *keys)
        if v is None:
            die("%s: no published figure for %d %s" % (self.name, year, " / ".join(keys)))
        return v

    def years(self):
        return sorted({k[0] for k in self.cells})


# ---------------------------------------------------------------------------
# A reader for the subset of libconfig the configs use (groups, arrays,
# lists, numbers, strings, booleans; @include lines skipped).

TOKEN = re.compile(r'\s+|#[^\n]*|//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?L?'
                   r'|[A-Za-z_*][-A-Za-z0-9_*]*|[=:;,{}\[\]()]', re.S)


def read_config(path):
    with open(path, encoding="utf-8") as f:
        text = "".join("\n" if ln.lstrip().startswith("@include") else ln for ln in f)
    toks = []
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            die("%s: cannot read the config near character %d" % (path, pos))
        t = m.group(0)
        pos = m.end()
        if t.strip() and not t.startswith(("#", "//", "/*")):
            toks.append(t)
    at = [0]

    def peek():
        return toks[at[0]] if at[0] < len(toks) else None

    def take():
        at[0] += 1
        return toks[at[0] - 1]

    def value():
        t = take()
        if t == "{":
            g = settings("}")
            take()
            return g
        if t in "[(":
            out = []
            close = "]" if t == "[" else ")"
            while peek() != close:
                out.append(value())
                if peek() == ",":
                    take()
            take()
            return out
        if t.startswith('"'):
            return t[1:-1]
        if t in ("true", "false"):
            return t == "true"
        return float(t.rstrip("L"))

    def settings(end):
        g = {}
        while peek() is not None and peek() != end:
            name = take()
            if take() not in "=:":
                die("%s: expected = after %s" % (path, name))
            g[name] = value()
            if peek() in (";", ","):
                take()
        return g

    return settings(None)


def lookup(cfg, dotted, default=None):
    g = cfg
    for part in dotted.split("."):
        if not isinstance(g, dict) or part not in g:
            return default
        g = g[part]
    return g


# ---------------------------------------------------------------------------
# Output


def num(x):
    s = "%.4f" % x
    return s


class Writer:
    def __init__(self, out_dir, header):
        self.out_dir = out_dir
        self.header = header
        self.files = {}

    def file(self, name, purpose):
        if name not in self.files:
            self.files[name] = ["# %s: %s" % (name, purpose)] + ["# " + h for h in self.header] + [""]
        return self.files[name]

    def write(self):
        os.makedirs(self.out_dir, exist_ok=True)
        for name, lines in sorted(self.files.items()):
            path = os.path.join(self.out_dir, name)
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            os.replace(tmp, path)


# ---------------------------------------------------------------------------
# The fit


# Every age group of each age breakdown (they add up to its "Total").
AGE_GROUPS = {
    "Age group": ["Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 years and over"],
    "Age on ceasing": ["Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 years", "17 years",
                       "18 years and over"],
}
FILLED = []  # the suppressed age cells filled by age_cell, for published.txt
PLACED = {}  # the start-date children by age band and type (placement_mix_england)
ENG_TOT = {}  # England's children in care by type at 31 March (placement_mix_england)


def age_cell(table, year, cla_group, g):
    """One age group's count. A suppressed cell (c: fewer than 6) is filled from
    the breakdown's published Total less its published groups, shared evenly
    between the year's suppressed groups (said in published.txt); the fit stops
    when the Total is suppressed too."""
    v = table.get(year, cla_group, g)
    if v is not None:
        return v
    tot = table.get(year, cla_group, "Total")
    if tot is None:
        die("%s: no published figure for %d %s / %s (and no Total to fill it from)" % (table.name, year, cla_group, g))
    groups = AGE_GROUPS[cla_group]
    known = [table.get(year, cla_group, x) for x in groups]
    n_sup = sum(1 for x in known if x is None)
    v = max(0.0, (tot - sum(x for x in known if x is not None)) / n_sup)
    note = "%d %s %s: suppressed, taken as %.1f (Total %d less the published groups, over %d suppressed)" % (
        year, cla_group, g, v, tot, n_sup)
    if note not in FILLED:
        FILLED.append(note)
    return v


def by_cohort(table, year, group_label, groups, cla_group):
    """The area's counts by DfE age group for one year, mapped to cohorts."""
    out = dict.fromkeys(COHORTS, 0.0)
    for g in groups:
        v = age_cell(table, year, cla_group, g)
        for c, w in SPLIT[g].items():
            out[c] += v * w
    return out


def eng_shares(table, years, cla_group, groups):
    tot = dict.fromkeys(COHORTS, 0.0)
    for y in years:
        for g in groups:
            v = table.get(y, cla_group, g)
            if v is None:
                continue  # suppressed: a handful nationally
            for c, w in SPLIT[g].items():
                tot[c] += v * w
    s = sum(tot.values())
    return {c: tot[c] / s for c in COHORTS}


def largest_remainder(total, shares):
    raw = [total * s for s in shares]
    base = [math.floor(r) for r in raw]
    left = total - sum(base)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return base


def p_two_or_more(m, v):
    """P(N >= 2) for N negative binomial with mean m and Gamma frailty variance v (Poisson at 0)."""
    if v <= 0:
        return 1 - math.exp(-m) * (1 + m)
    p0 = (1 + v * m) ** (-1 / v)
    return 1 - p0 - m * p0 / (1 + v * m)


FRAILTY_MAX = 100.0  # the config's upper bound for moves.frailty_variance


def solve_frailty(m, share):
    """The frailty variance v in [0, FRAILTY_MAX] whose P(N >= 2) is `share`. P first rises with v
    a little, then falls to 0; below P(m, 0) the crossing is on the falling branch and unique.
    0 if even Poisson gives too few, the cap if no v up to the cap gives so few."""
    if share >= p_two_or_more(m, 0):
        return 0.0
    if share <= p_two_or_more(m, FRAILTY_MAX):
        return FRAILTY_MAX
    lo, hi = 0.0, FRAILTY_MAX  # P(lo) > share > P(hi): one crossing, on the falling branch
    for _ in range(200):
        mid = (lo + hi) / 2
        if p_two_or_more(m, mid) > share:
            lo = mid
        else:
            hi = mid
    return round((lo + hi) / 2, 4)


def set_area(a):
    """Take the area from --la / --national (a three-digit old_la_code)."""
    if a.national:
        AREA[:] = ["national", ""]
    elif re.fullmatch(r"\d{3}", a.la):
        AREA[:] = ["la", a.la]
    else:
        die("--la: expected a three-digit old_la_code such as 891 (Nottinghamshire) or 892 (Nottingham)")


def regional_stock(data, year):
    """Each region's children in care at 31 March `year` (the placement
    stability tables' Regional rows, the newer release winning), and the files
    read."""
    stock = {}
    used = []
    for rel, fname in TABLES["stability"]:
        path = os.path.join(data, rel, fname)
        if not os.path.exists(path):
            continue
        with open(path, newline="", encoding="utf-8-sig") as f:
            rd = csv.reader(f)
            head = next(rd)
            try:
                i_lvl, i_reg, i_num = head.index("geographic_level"), head.index("region_name"), head.index("number")
                first = head.index("new_la_code") + 1
            except ValueError:
                die("%s: not in the DfE layout (expected geographic_level, region_name and number columns)" % path)
            for ln, row in enumerate(rd, 2):
                if len(row) != len(head):
                    die("%s:%d: %d fields (expected %d)" % (path, ln, len(row), len(head)))
                if row[i_lvl] != "Regional" or row[0] != str(year) or tuple(row[first:i_num]) not in STOCK_KEYS:
                    continue
                if row[i_reg] in ("Inner London", "Outer London"):
                    continue  # London's two halves, inside London's own row
                if row[i_reg] not in REGIONS:
                    die("%s:%d: region_name: not one of England's nine regions (expected %s)" % (path, ln, ", ".join(REGIONS)))
                try:
                    stock[row[i_reg]] = float(row[i_num])
                except ValueError:
                    stock.pop(row[i_reg], None)  # suppressed in the newer release: missing
                if rel + "/" + fname not in used:
                    used.append(rel + "/" + fname)
    missing = [r for r in REGIONS if r not in stock]
    if missing:
        die("stability: no 31 March %d stock for the region(s) %s" % (year, ", ".join(missing)))
    return stock, used


def regional_shares(data, year):
    stock, _ = regional_stock(data, year)
    tot = sum(stock.values())
    return [stock[r] / tot for r in REGIONS]


def regional_mix(data, year, W):
    """England's split by region for the national fit: each region's share of
    the children in care at 31 March `year`, the same in every age band.
    Writes districts.inc (the nine regions, in the DfE's order) and
    district-mix.inc; returns the mix as initial.district_mix would give it."""
    stock, used = regional_stock(data, year)
    tot = sum(stock.values())
    f = W.file("districts.inc", "districts (England's nine regions)")
    f.append("# The districts of the national config are the nine English regions, in the DfE's order")
    f.append("# (%s, Regional rows)." % ", ".join(used))
    f.append("districts = [%s];" % ", ".join('"%s"' % r for r in REGIONS))
    f = W.file("district-mix.inc", "initial.district_mix (England by region)")
    f.append("# Each region's share of England's children in care at 31 March %d: %s" % (year, ", ".join(
        "%s %d" % (r, stock[r]) for r in REGIONS)))
    f.append("# of %d (the regions' sum; %s, CLA on 31 March, Total children)." % (tot, used[-1]))
    f.append("# Assumption: the same split in every age band (the tables give regions by age for starts only).")
    f.append("district_mix = {")
    mix = [stock[r] / tot for r in REGIONS]
    for c in COHORTS:
        f.append("  %-9s = [%s];" % (c, ", ".join("%.4f" % x for x in mix)))
    f.append("};")
    return {c: [round(x, 4) for x in mix] for c in COHORTS}


# England's 31 March placement types (national_cla_on_31_march_by_characteristics,
# cla_group Placement) as the model's types.
ENG_TYPES = [
    ("kinship", ["1a.1 Total foster placements inside council boundary with relative or friend",
                 "1b.1 Total foster placements outside council boundary with relative or friend"]),
    ("foster", ["1a.2 Total foster placements inside council boundary with other foster carer",
                "1b.2 Total foster placements outside council boundary with other foster carer"]),
    ("adoption", ["2. Total placed for adoption"]),
    ("with_parents", ["3. Total placed with parents or other person with parental responsibility"]),
    ("residential", ["4c Total children's homes subject to children's homes regulations", "7. Total residential schools"]),
    ("secure", ["4a Secure home placement inside the council boundary", "4b Secure home placement outside the council boundary"]),
    ("semi_independent", ["5. Total independent and semi-independent living arrangements/ supported accommodation"]),
    ("other", ["6. Total other residential settings", "8. Total other placements"]),
]
# Which age bands hold each type, as relative weights (an assumption: no
# published table splits the placement types by age): adoption among the
# youngest, residential mostly 12+, secure 12+, semi-independent only 16-17.
MIX_PATTERN = {
    "kinship": [1, 1, 1, 1, 1], "foster": [1, 1, 1, 1, 1], "with_parents": [1, 1, 1, 1, 1],
    "adoption": [1, 0.2, 0.02, 0, 0], "residential": [0, 0.02, 0.15, 1, 1], "secure": [0, 0, 0, 1, 1],
    "semi_independent": [0, 0, 0, 0, 1], "other": [1, 0.3, 0.3, 1, 1],
}


def placement_mix_england(data, T, year, counts, W):
    """The start-date placement mix by age band for an area whose own mix is not
    published: England's children in care at 31 March `year` by placement type
    (the type totals) spread over the area's age bands (counts) by iterative
    proportional fitting from MIX_PATTERN, each band's counts rounded by
    largest remainder. Writes placement-mix.inc; returns the mix as shares."""
    tab = T["eng_stock"]
    tot = {}
    parts = []
    for t, keys in ENG_TYPES:
        v = 0.0
        for k in keys:
            x = tab.get(year, "Placement", k)
            if x is None:
                die("eng_stock: no published figure for %d Placement / %s" % (year, k))
            v += x
        tot[t] = v
        parts.append("%s %d" % (t.replace("_", " "), v))
    n_eng = sum(tot.values())
    ENG_TOT.update(tot)
    n = sum(counts.values())
    m = {c: {t: (counts[c] / n) * (tot[t] / n_eng) * MIX_PATTERN[t][i] for t in tot} for i, c in enumerate(COHORTS)}
    for _ in range(500):
        for t in tot:  # columns to the area's share of each type
            s_t = sum(m[c][t] for c in COHORTS)
            for c in COHORTS:
                m[c][t] *= (tot[t] / n_eng * n) / s_t if s_t > 0 else 0
        for c in COHORTS:  # rows to the age bands
            s_c = sum(m[c].values())
            for t in tot:
                m[c][t] *= counts[c] / s_c if s_c > 0 else 0
    f = W.file("placement-mix.inc", "initial.placement_mix (England's mix, fitted to the age bands)")
    f.append("# The area's own placement mix is not published: England's children in care at 31 March %d" % year)
    f.append("# by placement (national_cla_on_31_march_by_characteristics, Placement): %s," % ", ".join(parts))
    f.append("# %d in all (%s). Spread over the start-date age bands" % (
        n_eng, "England's own" if AREA[0] == "national" else "assumption: the area is placed as England is"))
    f.append("# (initial-count.inc) by iterative proportional fitting from the pattern of which bands hold")
    f.append("# which types (an assumption: scripts/fit-dfe.py MIX_PATTERN), each band rounded to whole")
    f.append("# children by largest remainder; the shares below give exactly those children.")
    f.append("placement_mix = {")
    mix = {}
    types = [t for t, _ in ENG_TYPES]
    for c in COHORTS:
        k = largest_remainder(counts[c], [m[c][t] / counts[c] if counts[c] else 0 for t in types])
        dig = 4 if counts[c] < 1000 else 6  # enough digits that the shares give back the counts
        sh = {t: round(x / counts[c], dig) for t, x in zip(types, k) if x > 0} if counts[c] else {"foster": 1.0}
        big = max(sh, key=lambda t: (sh[t], -types.index(t)))
        sh[big] = round(sh[big] + 1 - sum(sh.values()), dig)  # the printed shares add up to 1
        mix[c] = sh
        f.append("  %-9s = { %s };   # %s" % (c, " ".join("%s = %s;" % (t, ("%.4f" if dig == 4 else "%.6f") % sh[t]) for t in sh),
                                              ", ".join("%s %d" % (t, x) for t, x in zip(types, k) if x > 0)))
        PLACED[c] = dict(zip(types, k))
    f.append("};")
    return mix


def national_supply(data, year, region_share, W):
    """England's places at 31 March `year` by provider and distance, for the
    national fit: writes supply.inc (supply and matching). Locations: county =
    inside the placing council's boundary, d2n2 = outside it within 20 miles,
    outside = outside it over 20 miles. Start counts share out the start-date
    children of each type (PLACED, from placement_mix_england) in the
    published proportions."""
    P = Table("eng_provider", data)
    D = Table("eng_distance", data)

    def pv(ptype, prov):
        v = P.get(year, ptype, prov)
        if v is None:
            die("eng_provider: no published figure for %d %s / %s" % (year, ptype, prov))
        return v

    def dist(group, key):
        v = D.get(year, group, key)
        if v is None:
            die("eng_distance: no published figure for %d %s / %s" % (year, group, key))
        return v

    ext = ["Private provision", "Voluntary/third sector provision", "Other LA provision"]
    kin = ENG_TOT["kinship"]
    n_type = {t: sum(PLACED[c].get(t, 0) for c in COHORTS) for t in ("foster", "residential", "semi_independent", "secure")}
    f = W.file("supply.inc", "supply and matching (England's places by provider and distance)")
    f.append("# England's children in care at 31 March %d by placement provider and locality" % year)
    f.append("# (national_cla_on_31_march_by_placement_provider_placement_type_and_locality: 2. inside, 3.")
    f.append("# outside the council's boundary) and by distance (national_cla_on_31_march_by_placement_")
    f.append("# distance_and_placement_locality). Locations: county = inside the placing council's boundary;")
    f.append("# d2n2 = outside it, within 20 miles; outside = outside it, over 20 miles. The start counts share")
    f.append("# out the start-date children of each type (placement-mix.inc) in these proportions, rounded.")
    f.append("# No prices: the national config has no costs. Probabilities, slots, the homes' beds and the")
    f.append("# fostering flows are assumptions, as the council baselines (stated on each).")
    # ---- fostering
    own_in, own_out = pv("2a. Foster placements", "Own provision (by the LA)"), pv("3a. Foster placements", "Own provision (by the LA)")
    ext_in = sum(pv("2a. Foster placements", x) for x in ext)
    ext_out = sum(pv("3a. Foster placements", x) for x in ext)
    own = own_in + own_out - kin
    unrel = own + ext_in + ext_out
    near, far = dist("Foster placements", "1.ii 20 miles or less outside LA boundary"), dist("Foster placements", "2.ii Over 20 miles outside LA boundary")
    inh = {c: int(PLACED[c].get("foster", 0) * own / unrel + 0.5) for c in COHORTS}
    n_inh = sum(inh.values())
    n_ext = n_type["foster"] - n_inh
    ifa_in = int(n_ext * ext_in / (ext_in + ext_out) + 0.5)
    ifa_near = int((n_ext - ifa_in) * near / (near + far) + 0.5)
    slots = 1.7
    hh = math.ceil(n_inh / slots / 0.93)
    f.append("supply = {")
    f.append("  # In-house foster carers: own provision %d inside + %d outside the boundary, less the %d" % (own_in, own_out, kin))
    f.append("  # with relatives or friends (assumption: all of them own provision) = %d of %d unrelated foster" % (own, unrel))
    f.append("  # placements (%.1f%%); each band's unrelated foster placements x that share." % (100 * own / unrel))
    f.append("  fostering = {")
    f.append("    households = %d;   # assumption: %d children / %.1f slots a household / 0.93 (7%% vacant, as the councils)" % (hh, n_inh, slots))
    f.append("    slots = [0.45, 0.40, 0.15];   # assumption, as the councils (mean 1.7)")
    f.append("    age_limit = { age_0_3 = 0.10; age_4_6 = 0.10; age_7_11 = 0.30; age_12_15 = 0.15; age_16_17 = 0.35; };   # assumption, as the councils")
    f.append("    approvals = %.1f;   # [Ofsted 2024] 4,055 households joined for 4,820 that left: 0.11 x households x 4,055 / 4,820" % round(0.11 * hh * 4055 / 4820, 1))
    f.append("    assessment_days = 180;   # assumption")
    f.append("    resignation = 0.11;   # [Ofsted 2024] 4,820 of about 44,000 households left in 2023-24")
    f.append("    leave_when_empty = true;   # assumption")
    f.append("    location = \"county\";   # assumption: %d of the %d own foster placements are inside the boundary" % (own_in, own_in + own_out))
    f.append("    start = { %s };   # %d" % (" ".join("%s = %d;" % (c, inh[c]) for c in COHORTS), n_inh))
    f.append("  };")
    # ---- council homes: one per region (an aggregate of its councils' homes)
    rin = pv("2b. Secure homes and children's homes", "Own provision (by the LA)")
    beds_tot = math.ceil(rin / 0.85)
    hb = largest_remainder(beds_tot, region_share)
    hs = largest_remainder(int(min(rin, n_type["residential"])), region_share)
    f.append("  # Council children's homes: own provision inside the boundary, %d children (2b. Secure homes and" % rin)
    f.append("  # children's homes; outside the boundary suppressed, taken as 0), one aggregate home a region")
    f.append("  # split by the region's share of the children in care (district-mix.inc). Beds: assumption,")
    f.append("  # %d / 0.85 = %d (85%% occupied); every age (assumption)." % (rin, beds_tot))
    f.append("  homes = (")
    for i, r in enumerate(REGIONS):
        f.append("    { name = \"Council homes %s\"; kind = \"mainstream\"; beds = %d; min_age = 0; max_age = 17;" % (r, hb[i]))
        f.append("      location = \"county\"; start = %d; }%s" % (hs[i], "," if i < len(REGIONS) - 1 else ""))
    f.append("  );")
    # ---- external markets
    r_in = sum(pv("2b. Secure homes and children's homes", x) for x in ext)
    r_out = sum(pv("3b. Secure homes and children's homes", x) for x in ext)
    rn, rf = dist("Secure homes and children's homes", "1.ii 20 miles or less outside LA boundary"), dist("Secure homes and children's homes", "2.ii Over 20 miles outside LA boundary")
    n_rext = n_type["residential"] - sum(hs)
    res_in = int(n_rext * r_in / (r_in + r_out) + 0.5)
    res_near = int((n_rext - res_in) * rn / (rn + rf) + 0.5)
    S = "2c. Independent and semi-independent living arrangements/supported accommodation"
    S3 = "3c. Independent and semi-independent living arrangements/supported accommodation"
    s_own = pv(S, "Own provision (by the LA)") + (P.get(year, S3, "Own provision (by the LA)") or 0)
    s_in = sum(pv(S, x) for x in ext)
    s_out = sum(pv(S3, x) for x in ext)
    SD = "Independent and semi-independent living arrangements/ supported accommodation"
    sn, sf = dist(SD, "1.ii 20 miles or less outside LA boundary"), dist(SD, "2.ii Over 20 miles outside LA boundary")
    n_sown = int(min(s_own, n_type["semi_independent"]))
    n_sext = n_type["semi_independent"] - n_sown
    semi_in = int(n_sext * s_in / (s_in + s_out) + 0.5)
    semi_near = int((n_sext - semi_in) * sn / (sn + sf) + 0.5)
    f.append("  # External places: private, voluntary and other councils' provision. Shares: foster %d inside," % ext_in)
    f.append("  # %d outside the boundary, outside split %d within / %d over 20 miles (all foster placements" % (ext_out, near, far))
    f.append("  # outside the boundary); children's homes %d inside, %d outside, split %d / %d; semi-independent" % (r_in, r_out, rn, rf))
    f.append("  # %d inside, %d outside, split %d / %d; the council's own semi-independent provision %d." % (s_in, s_out, sn, sf, s_own))
    f.append("  # Probabilities: assumptions, as the council baselines (local searches often fail).")
    f.append("  external = (")
    tiers = [
        ("IFA in area", "foster", "county", "probability = 0.5;", ifa_in),
        ("IFA within 20 miles", "foster", "d2n2", "probability = 0.5;", ifa_near),
        ("IFA over 20 miles", "foster", "outside", "probability = 0.85;", None),
        ("Children's homes in area", "residential", "county", "probability = 0.3;", res_in),
        ("Children's homes within 20 miles", "residential", "d2n2", "probability = 0.35;", res_near),
        ("Children's homes over 20 miles", "residential", "outside", "unlimited = true;", None),
        ("Council semi-independent", "semi_independent", "county", "capacity = %d; contract = \"contract\";" % math.ceil(s_own / 0.93), n_sown),
        ("Semi-independent in area", "semi_independent", "county", "probability = 0.7;", semi_in),
        ("Semi-independent within 20 miles", "semi_independent", "d2n2", "probability = 0.7;", semi_near),
        ("Semi-independent over 20 miles", "semi_independent", "outside", "unlimited = true;", None),
        ("Secure homes", "secure", "outside", "unlimited = true;", None),
    ]
    for i, (nm, ty, loc, how, st) in enumerate(tiers):
        start = "start_rest = true;" if st is None else "start = %d;" % st
        f.append("    { name = \"%s\"; type = \"%s\"; location = \"%s\"; %s %s }%s" % (
            nm, ty, loc, how, start, "," if i < len(tiers) - 1 else ""))
    f.append("  );   # council semi-independent capacity: assumption, 93% occupied")
    f.append("};")
    f.append("matching = {   # assumption: own places first, then near before far (as the council baselines)")
    f.append("  foster = [ \"inhouse_foster\", \"IFA in area\", \"IFA within 20 miles\", \"IFA over 20 miles\",")
    f.append("             \"council_homes\", \"Children's homes in area\", \"Children's homes within 20 miles\", \"Children's homes over 20 miles\" ];")
    f.append("  residential = [ \"council_homes\", \"Children's homes in area\", \"Children's homes within 20 miles\", \"Children's homes over 20 miles\" ];")
    f.append("  semi_independent = [ \"Council semi-independent\", \"Semi-independent in area\", \"Semi-independent within 20 miles\", \"Semi-independent over 20 miles\" ];")
    f.append("  secure = [ \"Secure homes\" ];")
    f.append("  ready_after_months = 24.0;   # assumption, as the council baselines")
    f.append("};")


# England's starts by placement (national_cla_started_to_be_looked_after,
# Placement group) as the model's types; a suppressed cell counts as 0 (said).
ENG_START_TYPES = [
    ("kinship", ["1a.1 Total foster placements inside council boundary with relative or friend",
                 "1b.1 Total foster placements outside council boundary with relative or friend"]),
    ("foster", ["1a.2 Total foster placements inside council boundary with other foster carer",
                "1b.2 Total foster placements outside council boundary with other foster carer"]),
    ("adoption", ["2. Total placed for adoption"]),
    ("with_parents", ["3. Total placed with parents or other person with parental responsibility"]),
    ("residential", ["4c. Total children's homes subject to children's homes regulations", "7. Total residential schools"]),
    ("secure", ["4a. Secure home placement inside the council boundary", "4b. Secure home placement outside the council boundary"]),
    ("semi_independent", ["5. Total independent and semi-independent living arrangements/ supported accommodation"]),
    ("other", ["6. Total other residential settings", "8. Total other placements"]),
]
# Which age bands' entrants need each type (relative weights; an assumption, as
# MIX_PATTERN: the starts table gives placements for all ages together).
ENTRY_PATTERN = {
    "kinship": [1, 1, 1, 1, 1], "foster": [1, 1, 1, 1, 1], "with_parents": [1, 1, 1, 1, 1],
    "adoption": [1, 0, 0, 0, 0], "residential": [0, 0.02, 0.15, 1, 1], "secure": [0, 0, 0, 1, 1],
    "semi_independent": [0, 0, 0, 0, 1], "other": [1, 0.3, 0.3, 1, 1],
}


def entries_mix_england(data, year, starts, W):
    """The national fit's entries.placement_mix: England's starts in the year
    to 31 March `year` by placement type, spread over the fitted starts by age
    band (starts) by iterative proportional fitting from ENTRY_PATTERN. Writes
    entries-placement-mix.inc."""
    tab = Table("eng_starts", data)
    tot, parts, supp = {}, [], []
    for t, keys in ENG_START_TYPES:
        v = 0.0
        for k in keys:
            x = tab.get(year, "Placement group", k)
            if x is None:
                supp.append(k)
                continue
            v += x
        tot[t] = v
        parts.append("%s %d" % (t.replace("_", " "), v))
    n_eng = sum(tot.values())
    n = sum(starts.values())
    m = {c: {t: starts[c] / n * tot[t] / n_eng * ENTRY_PATTERN[t][i] for t in tot} for i, c in enumerate(COHORTS)}
    for _ in range(500):
        for t in tot:
            s_t = sum(m[c][t] for c in COHORTS)
            for c in COHORTS:
                m[c][t] *= (tot[t] / n_eng * n) / s_t if s_t > 0 else 0
        for c in COHORTS:
            s_c = sum(m[c].values())
            for t in tot:
                m[c][t] *= starts[c] / s_c if s_c > 0 else 0
    f = W.file("entries-placement-mix.inc", "entries.placement_mix (England's starts by placement)")
    f.append("# England's children who started to be looked after in the year to 31 March %d by their first" % year)
    f.append("# placement (national_cla_started_to_be_looked_after, Placement group): %s," % ", ".join(parts))
    f.append("# %d in all%s." % (n_eng, "" if not supp else "; suppressed, taken as 0: " + "; ".join(supp)))
    f.append("# Spread over the fitted starts by age band (entries.inc) by iterative proportional fitting from")
    f.append("# the pattern of which bands need which types (an assumption: scripts/fit-dfe.py ENTRY_PATTERN).")
    f.append("placement_mix = {")
    for c in COHORTS:
        sh = {t: round(m[c][t] / starts[c], 4) for t in tot if m[c][t] / starts[c] >= 0.00005}
        big = max(sh, key=lambda t: sh[t])
        sh[big] = round(sh[big] + 1 - sum(sh.values()), 4)
        f.append("  %-9s = { %s };   # %.1f entrants a year" % (c, " ".join("%s = %s;" % (t, num(sh[t])) for t in sh), starts[c]))
    f.append("};")


def area_label(T):
    """The fitted area for the generated files' header."""
    if AREA[0] == "national":
        return "England (the LA tables' National rows)"
    return "%s (old_la_code %s)" % (T["starts"].area_name or "?", AREA[1])


# ---------------------------------------------------------------------------
# Drift: how much a council's rates move from one year to the next (issue 13)

# The tables the drift is estimated from, every geography in them (councils,
# regions, England), and the breakdowns read: {table: [(file...), rows kept]}.
DRIFT_TABLES = {
    "starts": ("Age group", ["Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 years and over"]),
    "ceased": ("Reason episode ceased", [
        "Returned home to live with parents or other person with parental responsibility which was part of the care planning process",
        "Returned home to live with parents or other person with parental responsibility which was not part of the care planning process",
        "Adopted", "Special guardianship orders", "Residence order or child arrangement order granted"]),
    "placements": ("Reason for placement change during the year", ["Total placements changing"]),
    "stayput": ("Aged 18", ["Total living with former foster carers in the current year",
                            "Young people who ceased to be looked after in a foster placement on their 18th birthday and were eligible for care leavers support"]),
    "stability": (None, [k[1] for k in STOCK_KEYS]),
}
# the routes' labels in DRIFT_TABLES["ceased"] (returned home sums its two kinds)
DRIFT_ROUTES = [("return_home", slice(0, 2)), ("adoption", slice(2, 3)), ("sgo", slice(3, 4)), ("cao", slice(4, 5))]
# the stability table's row of children in care continuously for 2.5 years or more (2022 / 2024 releases)
LONG_STAY = ["Children looked after continuously for at least 2.5 years at 31 March aged under 16 years",
             "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"]
HISTORY_RANGE = [None]  # (factor90 of the in-care time scale, long-stayers, under 16, year), set by main
Z95 = 1.6448536269514722
DRIFT_FAMS = ["entries", "exits", "moves", "staying_put"]
DRIFT_MIN = 5  # counts below this (or suppressed) leave the year pair out
ROUND_VAR = 100.0 / 12  # variance of a count rounded to the nearest 10 (uniform error on +-5)
# the model's entry cohorts (config key, label) and the DfE age bands each overlaps
DRIFT_COHORT_BANDS = [
    ("age_0_3", "0-3", ["Under 1 year", "1 to 4 years"]),
    ("age_4_6", "4-6", ["1 to 4 years", "5 to 9 years"]),
    ("age_7_11", "7-11", ["5 to 9 years", "10 to 15 years"]),
    ("age_12_15", "12-15", ["10 to 15 years"]),
    ("age_16_17", "16-17", ["16 years and over"]),
]


def drift_keeps(name, head, row):
    """Whether --extract keeps this row for the drift fit (any geography)."""
    if name not in DRIFT_TABLES:
        return False
    first = (head.index("new_la_code") + 1) if "new_la_code" in head else (head.index("country_name") + 1)
    group, labels = DRIFT_TABLES[name]
    if name == "stability":
        return (row[first], row[first + 1]) in STOCK_KEYS
    return row[first] == group and row[first + 1] in labels


def drift_read(data_dir, name):
    """{(level, geography, year, group, label): number or None} for the drift
    tables, every geography; a newer release's figure replaces an older one."""
    cells = {}
    for rel, fname in TABLES[name]:
        path = os.path.join(data_dir, rel, fname)
        if not os.path.exists(path):
            continue
        with open(path, newline="", encoding="utf-8-sig") as f:
            rd = csv.reader(f)
            head = next(rd)
            i_num = head.index("number")
            i_lvl = head.index("geographic_level")
            i_la = head.index("old_la_code")
            i_reg = head.index("region_name")
            first = head.index("new_la_code") + 1
            for ln, row in enumerate(rd, 2):
                if len(row) != len(head):
                    die("%s:%d: %d fields (expected %d)" % (path, ln, len(row), len(head)))
                lvl = row[i_lvl]
                geo = row[i_la] if lvl == "Local authority" else row[i_reg] if lvl == "Regional" else "England"
                try:
                    v = float(row[i_num])
                except ValueError:
                    v = None
                try:
                    y = int(row[0])
                except ValueError:
                    die("%s:%d: time_period is not a year" % (path, ln))
                cells[(lvl, geo, y, row[first], row[first + 1])] = v
    return cells


def fit_drift(data_dir, cutoff):
    """The size of the year-on-year drift of log rates (logit for staying
    put), from every pair of consecutive published years up to the cut-off,
    every geography in the files. Returns ({family: sd}, comment lines)."""
    T = {n: drift_read(data_dir, n) for n in DRIFT_TABLES}
    geos = sorted({k[:2] for k in T["starts"]})
    years = sorted({k[2] for k in T["starts"] if k[2] <= cutoff})
    obs = {}  # (family, council or wider) -> [(d, poisson variance)]

    def stock(g, y):
        for k in STOCK_KEYS:
            v = T["stability"].get(g + (y,) + k)
            if v:
                return v
        return None

    def count(tab, g, y, group, labels):
        vals = [T[tab].get(g + (y, group, l)) for l in labels]
        vals = [v for v in vals if v is not None]
        return sum(vals) if vals else None

    def count_all(tab, g, y, group, labels):
        vals = [T[tab].get(g + (y, group, l)) for l in labels]
        return None if any(v is None for v in vals) else sum(vals)

    cross = {}  # (level, family, family) -> [product of the two families' changes, less shared noise]

    def add(fam, g, d, v):
        lvl = "council" if g[0] == "Local authority" else "wider"
        obs.setdefault((fam, lvl if k == 1 else "council2"), []).append((d, v))
        if g[0] == "National" and k == 1:  # England alone: the national fit's drift
            obs.setdefault((fam, "england"), []).append((d, v))

    # The observation model: the DfE publishes a council's counts exactly but rounds national and
    # regional counts to the nearest 10. A geography whose every count up to the cut-off in these
    # tables is a multiple of 10 is taken as rounded; rounding adds an error uniform on +-5
    # (variance 10^2/12) to each count, independent of the counting noise, so its part of a
    # change's variance (delta method) is left out of the drift with the counting noise.
    unrounded = set()
    for tab in T.values():
        for key, v in tab.items():
            if v is not None and key[2] <= cutoff and v % 10 != 0:
                unrounded.add(key[:2])
    rvar = lambda g: 0.0 if g in unrounded else ROUND_VAR
    rounded_geos = sorted(g for g in geos if g not in unrounded)
    ok = lambda *n: all(x is not None and x >= DRIFT_MIN for x in n)
    for k, g, y in [(k, g, y) for k in (1, 2) for g in geos for y in years]:
        if y - k not in years or (k == 2 and g[0] != "Local authority"):
            continue
        dband = []
        for a in DRIFT_TABLES["starts"][1]:
            n0, n1 = T["starts"].get(g + (y - k, "Age group", a)), T["starts"].get(g + (y, "Age group", a))
            if ok(n0, n1):
                v = 1 / n0 + 1 / n1 + rvar(g) * (1 / n0 ** 2 + 1 / n1 ** 2)
                add("entries", g, math.log(n1 / n0), v)
                add("entries:" + a, g, math.log(n1 / n0), v)
                dband.append(math.log(n1 / n0))
        if len(dband) >= 2:
            # the bands' counting noise is independent, so the mean product of two bands'
            # changes estimates the variance of the change they share
            prods = [dband[i] * dband[j] for i in range(len(dband)) for j in range(i + 1, len(dband))]
            add("entries:common", g, sum(prods) / len(prods), 0.0)
        s0, s1 = stock(g, y - k), stock(g, y)
        grp, labels = DRIFT_TABLES["ceased"]
        for _, sl in DRIFT_ROUTES:
            lab = labels[sl]
            n0, n1 = count("ceased", g, y - k, grp, lab), count("ceased", g, y, grp, lab)
            if ok(n0, n1, s0, s1):
                add("exits", g, math.log(n1 / n0) - math.log(s1 / s0),
                    1 / n0 + 1 / n1 + rvar(g) * (1 / n0 ** 2 + 1 / n1 ** 2 + 1 / s0 ** 2 + 1 / s1 ** 2))
        grp, labels = DRIFT_TABLES["placements"]
        n0, n1 = count("placements", g, y - k, grp, labels), count("placements", g, y, grp, labels)
        if ok(n0, n1, s0, s1):
            add("moves", g, math.log(n1 / n0) - math.log(s1 / s0),
                1 / n0 + 1 / n1 + rvar(g) * (1 / n0 ** 2 + 1 / n1 ** 2 + 1 / s0 ** 2 + 1 / s1 ** 2))
        # the families' whole changes this geography and year pair, for the step they share
        if k == 1:
            fam_d = {}
            grp, labels = DRIFT_TABLES["starts"]
            n0, n1 = count_all("starts", g, y - 1, grp, labels), count_all("starts", g, y, grp, labels)
            if ok(n0, n1):
                fam_d["entries"] = math.log(n1 / n0)
            grp, labels = DRIFT_TABLES["ceased"]
            n0, n1 = count_all("ceased", g, y - 1, grp, labels), count_all("ceased", g, y, grp, labels)
            if ok(n0, n1, s0, s1):
                fam_d["exits"] = math.log(n1 / n0) - math.log(s1 / s0)
            grp, labels = DRIFT_TABLES["placements"]
            n0, n1 = count_all("placements", g, y - 1, grp, labels), count_all("placements", g, y, grp, labels)
            if ok(n0, n1, s0, s1):
                fam_d["moves"] = math.log(n1 / n0) - math.log(s1 / s0)
        grp, (live, elig) = DRIFT_TABLES["stayput"]
        k0, k1 = T["stayput"].get(g + (y - k, grp, live)), T["stayput"].get(g + (y, grp, live))
        e0, e1 = T["stayput"].get(g + (y - k, grp, elig)), T["stayput"].get(g + (y, grp, elig))
        if ok(k0, k1, e0, e1) and k0 < e0 and k1 < e1 and e0 - k0 >= DRIFT_MIN and e1 - k1 >= DRIFT_MIN:
            p0, p1 = k0 / e0, k1 / e1
            # rounding k and e by +-5: d logit / dk = 1/k + 1/(e-k), d logit / de = -1/(e-k)
            rl = lambda kk, ee: (1 / kk + 1 / (ee - kk)) ** 2 + 1 / (ee - kk) ** 2
            add("staying_put", g, math.log(p1 / (1 - p1)) - math.log(p0 / (1 - p0)),
                1 / (e0 * p0 * (1 - p0)) + 1 / (e1 * p1 * (1 - p1)) + rvar(g) * (rl(k0, e0) + rl(k1, e1)))
            if k == 1:
                fam_d["staying_put"] = math.log(p1 / (1 - p1)) - math.log(p0 / (1 - p0))
        if k == 1:
            # counting noise is independent between the families' counts; exits and moves share
            # the stock, whose rounding (if any) is their one common noise
            lvl = "council" if g[0] == "Local authority" else "wider"
            for i, f in enumerate(DRIFT_FAMS):
                for h in DRIFT_FAMS[i + 1:]:
                    if f in fam_d and h in fam_d:
                        nv = rvar(g) * (1 / s0 ** 2 + 1 / s1 ** 2) if (f, h) == ("exits", "moves") else 0.0
                        cross.setdefault((lvl, f, h), []).append(fam_d[f] * fam_d[h] - nv)
                        if g[0] == "National":
                            cross.setdefault(("england", f, h), []).append(fam_d[f] * fam_d[h] - nv)
    what = {"entries": "starts by age group (la_cla_who_started_to_be_looked_after, Under 1 .. 16 and over): d = change in log starts",
            "exits": "ceased by route (la_children_who_ceased_during_year: returned home, adopted, SGO, CAO): d = change in log ceased less change in log 31 March stock",
            "moves": "placements changing (la_cla_during_year_new_placements, Total placements changing): d = change in log count less change in log 31 March stock",
            "staying_put": "staying put at 18 (la_care_leavers_stayput, Aged 18: living with former carers / eligible foster leavers): d = change in logit share"}
    sd, lines = {}, []
    lines.append("# Year-on-year drift of the rates over the forecast: each replication's rates follow an AR(1)")
    lines.append("# walk, one step a year, sd below (docs/model.md \"Drift\"). Estimated from every pair of")
    lines.append("# consecutive years to March %s in the files, for every geography in them" % (
        "%d-%d" % (years[0], years[-1]) if len(years) > 1 else str(years[0]) if years else "(none)"))
    lines.append("# (councils, regions, England): for a series with counts n0, n1 the change d, less the")
    lines.append("# part counting noise explains (Poisson: var d = 1/n0 + 1/n1; staying put binomial:")
    lines.append("# 1/(n0 p0 (1-p0)) + 1/(n1 p1 (1-p1))), pooled: drift variance = mean(d^2) - mean(var),")
    lines.append("# at least 0. A council's rates move at least as much as a region's (a region averages its")
    lines.append("# councils' drift), so the figure used is the larger of the councils' and the regions'")
    lines.append("# and England's pooled estimates. Series with a count below %d or suppressed are left out." % DRIFT_MIN)
    lines.append("# Observation model: councils' counts are published exactly; a geography whose every count")
    lines.append("# up to the cut-off is a multiple of 10 is taken as rounded to the nearest 10 (the DfE rounds")
    lines.append("# national and regional figures), and the rounding's variance 10^2/12 a count joins the")
    lines.append("# noise (log change: + 8.33 (1/n0^2 + 1/n1^2), and the stocks' alike; logit share k of e:")
    lines.append("# + 8.33 ((1/k + 1/(e-k))^2 + 1/(e-k)^2) each year). Rounded here: %s." % (
        ", ".join(g[1] for g in rounded_geos) if rounded_geos else "none"))
    levels = ["council", "wider"]
    if AREA[0] == "national":
        # England's total averages every council's and region's drift: its own year-on-year
        # changes, not a council's, say how much the national rates move
        levels = ["england"]
        lines.append("# National fit: England's own series only (the councils' and regions' drift averages out).")
    best_pairs = {}
    for fam in ["entries", "exits", "moves", "staying_put"]:
        lines.append("# %s: %s" % (fam, what[fam]))
        best = 0.0
        best_pairs[fam] = 0
        for lvl in levels:
            o = obs.get((fam, lvl), [])
            if not o:
                lines.append("#   %-8s no year pair" % lvl)
                continue
            m2 = sum(d * d for d, _ in o) / len(o)
            mv = sum(v for _, v in o) / len(o)
            var = max(0.0, m2 - mv)
            if var > best or not best_pairs[fam]:
                best_pairs[fam] = len(o)
            best = max(best, var)
            lines.append("#   %-8s %3d pairs: mean d^2 %.5f - mean noise %.5f = %.5f, sd %.4f" % (
                lvl, len(o), m2, mv, var, math.sqrt(var)))
        sd[fam] = best
    # persistence phi of each family: for x_y = phi x_(y-1) + s z (stationary), the change over
    # k years has variance 2 sx^2 (1 - phi^k), so V2 / V1 = 1 + phi; from the councils' one- and
    # two-year changes (excess over counting noise)
    for fam in ["entries", "exits", "moves", "staying_put"]:
        o1, o2 = obs.get((fam, "council"), []), obs.get((fam, "council2"), [])
        v1 = max(0.0, sum(d * d - v for d, v in o1) / len(o1)) if o1 else 0.0
        v2 = max(0.0, sum(d * d - v for d, v in o2) / len(o2)) if o2 else 0.0
        if o2 and v1 > 0:
            phi = min(1.0, max(0.0, v2 / v1 - 1))
            lines.append("# %s persistence: councils' two-year changes (%d pairs) %.5f against one-year %.5f:" % (
                fam, len(o2), v2, v1))
            lines.append("#   phi = V2/V1 - 1 = %.4f (clipped to 0..1; 1: a random walk, the steps do not die away)" % (v2 / v1 - 1))
        else:
            phi = 1.0
            lines.append("# %s persistence: no two-year change up to the cut-off to estimate it from: 1, a random" % fam)
            lines.append("#   walk (assumption: the widest of the choices)")
        # a step's sd such that a one-year change has the estimated variance: V1 = s^2 2 / (1 + phi)
        sd[fam + "_var"] = sd[fam]
        sd[fam] = math.sqrt(sd[fam] * (1 + phi) / 2)
        sd[fam + "_persistence"] = phi
    lines.append("# A step's sd is sqrt(V (1 + phi) / 2) for the one-year drift variance V above, so that a")
    lines.append("# one-year change keeps variance V whatever phi.")
    # the entries by age band (16 and over, largely unaccompanied asylum-seeking children, move
    # far more than the rest), split into a change every band shares and each band's own
    levels_e = levels
    pairs = {fam: 0 for fam in ["entries", "exits", "moves", "staying_put"]}
    for fam in ["exits", "moves", "staying_put"]:
        pairs[fam] = best_pairs[fam]
    lines.append("# entries by age band: the same arithmetic for each DfE age band alone, the larger level's figure:")
    band_v, band_n = {}, {}
    for a in DRIFT_TABLES["starts"][1]:
        parts = []
        band_v[a], band_n[a] = 0.0, 0
        for lvl in levels_e:
            o = obs.get(("entries:" + a, lvl), [])
            if not o:
                parts.append("%s no year pair" % lvl)
                continue
            m2 = sum(d * d for d, _ in o) / len(o)
            mv = sum(v for _, v in o) / len(o)
            var = max(0.0, m2 - mv)
            parts.append("%s %d pairs %.5f - %.5f = %.5f" % (lvl, len(o), m2, mv, var))
            if var > band_v[a] or not band_n[a]:
                band_v[a], band_n[a] = var, len(o)
        lines.append("#   %-18s %s" % (a, "; ".join(parts)))
    common, common_n, parts = 0.0, 0, []
    for lvl in levels_e:
        o = obs.get(("entries:common", lvl), [])
        if not o:
            parts.append("%s no year pair" % lvl)
            continue
        c = sum(d for d, _ in o) / len(o)
        parts.append("%s %d geography-years %.5f" % (lvl, len(o), c))
        if max(0.0, c) > common or not common_n:
            common, common_n = max(0.0, c), len(o)
    lines.append("# entries' shared change: for each geography and year pair the mean product of two age bands'")
    lines.append("#   changes (counting noise is independent between bands), pooled: %s;" % "; ".join(parts))
    lines.append("#   shared variance C = %.5f (the larger level's, at least 0)" % common)
    phi = sd["entries_persistence"]
    lines.append("# each model cohort takes the largest variance V of the DfE bands it overlaps, less C")
    lines.append("#   (its own steps; C is added back by the shared walk), step sd sqrt(max(0, V - C) (1 + phi) / 2):")
    by = []
    npairs = [common_n] if common_n else []
    for key, label, bands in DRIFT_COHORT_BANDS:
        v = max(band_v[b] for b in bands)
        npairs += [band_n[b] for b in bands if band_n[b] and band_v[b] == v]
        own = max(0.0, v - common)
        by.append((key, math.sqrt(own * (1 + phi) / 2)))
        lines.append("#   %-5s (%s): V %.5f, own %.5f, step sd %.4f" % (label, ", ".join(bands), v, own, by[-1][1]))
    sd["entries_by_cohort"] = by
    sd["common"] = math.sqrt(common * (1 + phi) / 2)
    lines.append("#   shared step sd sqrt(C (1 + phi) / 2) = %.4f" % sd["common"])
    shared_step(sd, cross, common, levels, lines)
    pairs["entries"] = min(npairs) if npairs else 0
    sd["dof"] = pairs
    lines.append("# dof: the year pairs behind each family's figure (entries: the fewest behind any band used")
    lines.append("#   or the shared change). A size estimated from n pairs is uncertain: each replication draw")
    lines.append("#   scales the family's variance by n / chi2(n) (a scaled inverse chi-square; pairs in the same")
    lines.append("#   year are not independent, so n overstates what is known: the tails are if anything too thin).")
    return sd, lines


def shared_step(sd, cross, common, levels, lines):
    """The step every family shares (a common shock): signed loadings b with b_f b_g the
    covariance of families f and g's one-year changes, fitted to the pooled products; each
    family's own variance gives up b_f^2 so that its total stays as estimated."""
    lvl = "england" if levels == ["england"] else "wider"
    lines.append("# the step every family shares: for each geography and year pair the product of two families'")
    lines.append("#   whole changes (entries: all starts; exits: the four routes together, less the stock; moves;")
    lines.append("#   staying put), less their shared counting noise (exits and moves: the stock's rounding), pooled;")
    lines.append("#   mean, and its standard error sd/sqrt(n), by level:")
    C = {}
    for i, f in enumerate(DRIFT_FAMS):
        for h in DRIFT_FAMS[i + 1:]:
            parts = []
            for L in (["council", "wider"] if lvl == "wider" else ["england"]):
                o = cross.get((L, f, h), [])
                if not o:
                    parts.append("%s no pair" % L)
                    continue
                m = sum(o) / len(o)
                se = math.sqrt(sum((x - m) ** 2 for x in o) / (len(o) - 1) / len(o)) if len(o) > 1 else float("nan")
                parts.append("%s %d: %.5f (se %.5f)" % (L, len(o), m, se))
                if L == lvl:
                    C[(f, h)] = m
            lines.append("#   %-22s %s" % (f + " x " + h, "; ".join(parts)))
    # each loading is bounded by what the family's changes share: entries, the variance every age
    # band shares (C above); the others, their one-year drift variance
    cap = {"entries": common, "exits": sd["exits_var"], "moves": sd["moves_var"],
           "staying_put": sd["staying_put_var"]}
    b = {f: math.sqrt(cap[f]) for f in DRIFT_FAMS}
    for _ in range(500):
        for f in DRIFT_FAMS:
            num = den = 0.0
            for (x, y), c in C.items():
                if f in (x, y):
                    o = y if x == f else x
                    num += c * b[o]
                    den += b[o] ** 2
            v = num / den if den > 0 else 0.0
            lim = math.sqrt(cap[f])
            b[f] = max(-lim, min(lim, v))
    lines.append("#   loadings b (one-year changes' covariance b_f b_g, least squares over the %s level's %d" % (lvl, len(C)))
    lines.append("#   products, |b_f| at most the square root of: entries' shared variance %.5f, exits %.5f, moves" % (
        cap["entries"], cap["exits"]))
    lines.append("#   %.5f, staying put %.5f): %s" % (cap["moves"], cap["staying_put"],
                                                  ", ".join("%s %.4f" % (f, b[f]) for f in DRIFT_FAMS)))
    lines.append("#   fitted products: %s" % ", ".join("%s x %s %.5f" % (x, y, b[x] * b[y]) for (x, y) in C))
    lines.append("#   each family's own variance gives up b^2 (entries: the shared entry walk's C), and each")
    lines.append("#   loading becomes a step as the sizes do: b sqrt((1 + phi) / 2). The councils' own products")
    lines.append("#   rest on a few pairs and are shown only.")
    for f in ["exits", "moves", "staying_put"]:
        phi = sd[f + "_persistence"]
        sd[f] = math.sqrt(max(0.0, sd[f + "_var"] - b[f] ** 2) * (1 + phi) / 2)
    phi = sd["entries_persistence"]
    sd["common"] = math.sqrt(max(0.0, common - b["entries"] ** 2) * (1 + phi) / 2)
    sd["shared"] = {f: b[f] * math.sqrt((1 + sd[f + "_persistence"]) / 2) for f in DRIFT_FAMS}
    lines.append("#   own step sds then: exits %.4f, moves %.4f, staying put %.4f, shared entry walk %.4f" % (
        sd["exits"], sd["moves"], sd["staying_put"], sd["common"]))


def write_drift(W, data_dir, cutoff):
    sd, lines = fit_drift(data_dir, cutoff)
    f = W.file("drift.inc", "drift (a top-level group)")
    f.extend(lines)
    f.append("drift = {")
    for fam in ["entries", "exits", "moves", "staying_put"]:
        f.append("  %s = %.4f;" % (fam, sd[fam]))
    f.append("  persistence = { %s };" % " ".join("%s = %.4f;" % (fam, sd[fam + "_persistence"])
                                              for fam in ["entries", "exits", "moves", "staying_put"]))
    f.append("  entries_by_cohort = { %s };" % " ".join("%s = %.4f;" % kv for kv in sd["entries_by_cohort"]))
    f.append("  common = %.4f;" % sd["common"])
    f.append("  shared = { %s };" % " ".join("%s = %.4f;" % (fam, sd["shared"][fam]) for fam in DRIFT_FAMS))
    f.append("  dof = { %s };" % " ".join("%s = %d;" % (fam, sd["dof"][fam])
                                       for fam in ["entries", "exits", "moves", "staying_put"] if sd["dof"][fam] > 0))
    f.append('  why = "scripts/fit-dfe.py: pooled year-on-year changes of published years up to %d, less counting noise (arithmetic above)";' % cutoff)
    f.append("};")



def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description="Fit a config's flows to the DfE's published figures.")
    data = os.path.join(root, "..", "shared", "data", "dfe")
    if not os.path.isdir(data):  # a git worktree one level deeper
        data = os.path.join(root, "..", "..", "shared", "data", "dfe")
    ap.add_argument("data", nargs="?", default=data)
    ap.add_argument("--extract", metavar="DEST")
    ap.add_argument("--base")
    ap.add_argument("--out")
    ap.add_argument("--cutoff", type=int, default=2022)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--stock-ages", choices=["config", "england"], default="config")
    ap.add_argument("--initial", action="store_true")
    ap.add_argument("--la", metavar="CODE", default=LA,
                    help="the council's old_la_code (default %s); the data must hold its rows" % LA)
    ap.add_argument("--placement-mix", choices=["config", "england"], default="config",
                    help="england: write placement-mix.inc, England's 31 March placement mix (needs --initial)")
    ap.add_argument("--national", action="store_true",
                    help="fit England (the National rows) and split it by the nine regions")
    a = ap.parse_args()
    set_area(a)

    if a.extract:
        return extract(a.data, a.extract)
    if not a.base or not a.out:
        die("--base CONFIG and --out DIR are required (or --extract DEST)")

    T = {n: Table(n, a.data) for n in TABLES}
    cfg = read_config(a.base)
    years = [y for y in range(a.cutoff - a.years + 1, a.cutoff + 1) if y in T["ceased"].years()]
    if not years:
        die("no published year up to %d" % a.cutoff)
    ny = len(years)
    yrs = "%d-%d" % (years[0], years[-1]) if ny > 1 else str(years[0])
    eng_years = [y for y in T["eng_stock"].years() if y <= a.cutoff] or [min(T["eng_stock"].years())]
    eng_yrs = "%d-%d" % (eng_years[0], eng_years[-1]) if len(eng_years) > 1 else str(eng_years[0])

    # the 31 March stock
    def stock(y):
        for k in STOCK_KEYS:
            v = T["stability"].get(y, *k)
            if v is not None:
                return v
        return None

    def starts_total(y):
        return T["starts"].need(y, "Age group", "Total")

    def ceased_total(y):
        return T["ceased"].need(y, "Reason episode ceased", "Total")

    # child-years in care in the year to 31 March y: the mean of the stock at
    # the two 31 Marches; where the earlier is not in the files, it is taken
    # as stock(y) - starts(y) + ceased(y)
    cy = {}
    cy_note = []
    for y in years:
        s1 = stock(y)
        if s1 is None:
            die("stability: no 31 March %d stock" % y)
        s0 = stock(y - 1)
        if s0 is None:
            s0 = s1 - starts_total(y) + ceased_total(y)
            cy_note.append("31 March %d stock taken as %g - %g + %g = %g (stock - starts + ceased of %d)" %
                           (y - 1, s1, starts_total(y), ceased_total(y), s0, y))
        cy[y] = (s0 + s1) / 2
    child_years = sum(cy.values()) / ny

    # the stock's age profile
    ages = ["Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 years and over"]
    if a.stock_ages == "config":
        cnt = lookup(cfg, "initial.count")
        if not isinstance(cnt, dict):
            die("%s: no initial.count to take the stock's age profile from" % a.base)
        tot = sum(cnt[c] for c in COHORTS)
        share = {c: cnt[c] / tot for c in COHORTS}
        share_src = "the county's own age bands ([S000], the config's initial.count: %s of %d)" % (
            " / ".join("%d" % cnt[c] for c in COHORTS), tot)
    else:
        share = eng_shares(T["eng_stock"], eng_years, "Age group", ages)
        share_src = "England's stock at 31 March %s by age (national_cla_on_31_march_by_characteristics), %s" % (eng_yrs, SPLIT_RULE)
    cyc = {c: child_years * share[c] for c in COHORTS}

    area_args = (" --national" if AREA[0] == "national" else (" --la %s" % AREA[1] if AREA[1] != LA else "")) + \
        (" --placement-mix %s" % a.placement_mix if a.placement_mix != "config" else "")
    hdr = ["Generated by scripts/fit-dfe.py%s --cutoff %d --years %d --stock-ages %s%s from the DfE's" % (
        area_args, a.cutoff, a.years, a.stock_ages, " --initial" if a.initial else ""),
        "\"Children looked after in England including adoptions\" (release-2022, release-2024;",
        "a newer release's figure replaces an older one), %s," % area_label(T),
        "years to 31 March %s. Do not edit: rerun the script (docs/calibration.md)." % yrs]
    W = Writer(a.out, hdr)

    # ---- initial population (back-test configs)
    if a.initial:
        s = stock(a.cutoff)
        sh = eng_shares(T["eng_stock"], eng_years[:1], "Age group", ages)
        counts = largest_remainder(int(s), [sh[c] for c in COHORTS])
        f = W.file("initial-count.inc", "children in care on 31 March %d by age band" % a.cutoff)
        f.append("# Total: %d in care at 31 March %d (placement stability table, CLA on 31 March)." % (s, a.cutoff))
        f.append("# Split by England's stock at 31 March %d by age (the earliest age profile in the files);" % eng_years[0])
        f.append("# %s; rounded by largest remainder." % SPLIT_RULE)
        f.append("count = {")
        for c, n in zip(COHORTS, counts):
            f.append("  %-9s = %d;   # %.4f x %d" % (c, n, sh[c], s))
        f.append("};")

    # ---- the start-date placement mix (councils with no published mix, England)
    pm_fit = None
    if a.placement_mix == "england":
        if not a.initial:
            die("--placement-mix england needs --initial (the mix is fitted to the start-date age bands)")
        pm_fit = placement_mix_england(a.data, T, eng_years[-1], dict(zip(COHORTS, counts)), W)
        if AREA[0] == "national":
            national_supply(a.data, eng_years[-1], regional_shares(a.data, a.cutoff), W)

    # ---- entries
    starts = {c: 0.0 for c in COHORTS}
    for y in years:
        b = by_cohort(T["starts"], y, "Age group", ages, "Age group")
        for c in COHORTS:
            starts[c] += b[c] / ny
    # the entrants' single years of age, by the same even split within DfE groups
    # (under 1 -> age 0; 1-4 -> ages 1-4; 5-9 -> 5-9; 10-15 -> 10-15; 16+ -> 16-17)
    per_year = dict.fromkeys(range(18), 0.0)
    for y in years:
        for g, (a0, a1) in zip(ages, [(0, 0), (1, 4), (5, 9), (10, 15), (16, 17)]):
            v = age_cell(T["starts"], y, "Age group", g)
            for age in range(a0, a1 + 1):
                per_year[age] += v / (a1 - a0 + 1) / ny
    stot = [starts_total(y) for y in years]
    if AREA[0] == "national":
        entries_mix_england(a.data, eng_years[-1], starts, W)
    if AREA[0] == "national":
        dm = regional_mix(a.data, a.cutoff, W)
    else:
        dm = lookup(cfg, "initial.district_mix")
    if not isinstance(dm, dict):
        die("%s: no initial.district_mix to split entries by district" % a.base)
    f = W.file("entries.inc", "entries.rate and entries.trend")
    f.append("# Children starting to be looked after a year, by age band and district (districts in the")
    f.append("# order of `districts`). Table la_cla_who_started_to_be_looked_after, Age group, years %s:" % yrs)
    f.append("# totals %s, mean %.1f a year. %s." % (", ".join("%d" % v for v in stot), sum(stot) / ny, SPLIT_RULE))
    f.append("# District split within a band: the band's initial.district_mix (assumption: entrants come")
    f.append("# from where the children in care come from).")
    f.append("rate = {")
    for c in COHORTS:
        w = dm[c]
        sw = sum(w)
        f.append("  %-9s = [%s];   # %.2f a year" % (c, ", ".join("%.3f" % (starts[c] * x / sw) for x in w), starts[c]))
    f.append("};")
    f.append("# The entrants' age within each band: the mean starts a year by single year of age, each DfE")
    f.append("# age group spread evenly over its single years (so the under-1s, a DfE group of their own,")
    f.append("# keep their published share of the 0-3 band instead of a quarter of it).")
    f.append("age_profile = {")
    for i, c in enumerate(COHORTS):
        lo, hi = COHORT_AGES[i]
        f.append("  %-9s = [%s];" % (c, ", ".join("%.3f" % per_year[age] for age in range(lo, hi + 1))))
    f.append("};")
    f.append("# No trend: the published starts (%s) give the level; the engine's entries.trend is" % ", ".join("%d" % v for v in stot))
    f.append("# left at 0 because %d years of starts cannot separate a trend from year-to-year noise." % ny)
    f.append("trend = 0.0;")

    # ---- exits
    R = "Reason episode ceased"
    rh_keys = ["Returned home to live with parents or other person with parental responsibility which was part of the care planning process",
               "Returned home to live with parents or other person with parental responsibility which was not part of the care planning process"]
    route_keys = {"return_home": rh_keys, "adoption": ["Adopted"], "sgo": ["Special guardianship orders"],
                  "cao": ["Residence order or child arrangement order granted"]}
    routes = {r: 0.0 for r in ROUTES}
    route_years = {r: [] for r in ROUTES}
    suppressed = []
    age18 = 0.0
    ceased_u18 = dict.fromkeys(COHORTS, 0.0)
    cages = ["Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 years", "17 years"]
    for y in years:
        tot = ceased_total(y)
        a18 = age_cell(T["ceased"], y, "Age on ceasing", "18 years and over")
        age18 += a18 / ny
        known = 0.0
        for r, keys in route_keys.items():
            v = 0.0
            for k in keys:
                x = T["ceased"].get(y, R, k)
                if x is None:
                    suppressed.append("%d %s" % (y, k))
                else:
                    v += x
            routes[r] += v / ny
            route_years[r].append(v)
            known += v
        oth = tot - a18 - known
        routes["other"] += oth / ny
        route_years["other"].append(oth)
        b = by_cohort(T["ceased"], y, "Age on ceasing", cages, "Age on ceasing")
        for c in COHORTS:
            ceased_u18[c] += b[c] / ny

    eadopt = eng_shares(T["eng_adopted"], eng_years, "Age at adoption", ages)
    esgo = eng_shares(T["eng_sgo"], eng_years, "Age at special guardianship order", ages)
    flow = {r: dict.fromkeys(COHORTS, 0.0) for r in ROUTES}
    resid_routes = ["return_home", "cao", "other"]
    resid_tot = sum(routes[r] for r in resid_routes)
    for c in COHORTS:
        flow["adoption"][c] = routes["adoption"] * eadopt[c]
        flow["sgo"][c] = routes["sgo"] * esgo[c]
        rest = ceased_u18[c] - flow["adoption"][c] - flow["sgo"][c]
        if rest < 0:
            die("ceased under 18 in %s (%.1f) is below its adoptions and SGOs: the age split does not fit" % (c, ceased_u18[c]))
        for r in resid_routes:
            flow[r][c] = rest * routes[r] / resid_tot

    # the config's multipliers: the mean over a band's children in care (the
    # start-date placement mix and need shares) of placement x need multipliers
    pm_init = pm_fit or lookup(cfg, "initial.placement_mix")
    needs_init = lookup(cfg, "initial.needs", {})

    def mean_mult(route, c):
        mix = pm_init[c]
        smix = sum(mix.values())
        pmul = lookup(cfg, "exits.%s.placement_multiplier" % route, {}) or {}
        m = sum(mix[t] / smix * pmul.get(t, 1.0) for t in mix)
        for need, shares in (needs_init or {}).items():
            s = shares.get(c, 0.0)
            em = lookup(cfg, "needs.%s.exit_multiplier" % need, {}) or {}
            m *= 1 - s + s * em.get(route, 1.0)
        return m

    f = W.file("exits.inc", "exits.<route>.rate (one include a route)")
    for r in ROUTES:
        rf = W.file("exits-%s.inc" % r, "exits.%s.rate" % r)
        rf.append("# Hazard a year of leaving care by %s, by age band: %s ceased in the years" % (r.replace("_", " "), the_areas()))
        rf.append("# to March %s (la_children_who_ceased_during_year), split by age, divided by the" % yrs)
        rf.append("# child-years in care in the band, then by the config's mean multiplier for the band.")
        if r == "return_home":
            rf.append("# Returned home (part and not part of the care plan): %s a year." %
                      ", ".join("%d" % v for v in route_years[r]))
        elif r == "other":
            rf.append("# Other = total ceased - ceased aged 18+ - returned home - adopted - SGO - CAO: %s a year" %
                      ", ".join("%d" % v for v in route_years[r]))
            rf.append("# (transfers, custody, independent living before 18, suppressed cells of the named routes).")
        else:
            rf.append("# Published: %s a year." % ", ".join("%d" % v for v in route_years[r]))
        if r == "adoption":
            rf.append("# Age split: England's age at adoption, %s (national_cla_who_were_adopted_during_the_year)." % eng_yrs)
        elif r == "sgo":
            rf.append("# Age split: England's age at SGO, %s (national_cla_who_were_the_subject_of_a_sgo_during_the_year)." % eng_yrs)
        else:
            rf.append("# Age split: %s ceased under 18 by age less adoptions and SGOs, shared between" % the_areas())
            rf.append("# return home, CAO and other in proportion to their totals (assumption: one age profile).")
        rf.append("rate = {")
        for c in COHORTS:
            h = flow[r][c] / cyc[c]
            m = mean_mult(r, c)
            rate = h / m if m > 0 else 0.0
            rf.append("  %-9s = %s;   # %.2f a year / %.1f child-years = %.4f, / mean multiplier %.3f" % (
                c, num(rate), flow[r][c], cyc[c], h, m))
        rf.append("};")
    del W.files["exits.inc"]

    # ---- moves
    chg = []
    for y in years:
        v = T["placements"].get(y, "Reason for placement change during the year", "Total placements changing")
        if v is None:
            die("placements: no total placements changing for %d" % y)
        chg.append(v)
    per_child = sum(chg) / ny / child_years
    # the config's own placement changes other than breakdowns: moves to
    # semi-independent provision at 16 and later at 16-17
    tr = lookup(cfg, "transitions.semi_independent", {})
    mix16 = pm_init["age_16_17"]
    s16 = sum(mix16.values())
    mix12 = pm_init["age_12_15"]
    s12 = sum(mix12.values())
    trans = cyc["age_16_17"] * sum(mix16.get(t, 0) / s16 * tr.get("rate", {}).get(t, 0.0) for t in TYPES) + \
        cyc["age_12_15"] / 4 * sum(mix12.get(t, 0) / s12 * tr.get("at_16", {}).get(t, 0.0) for t in TYPES)
    cm = lookup(cfg, "needs.complex.move_multiplier", 1.0)
    cshare = lookup(cfg, "initial.needs.complex", {}) or {}
    base = 0.0
    for i, c in enumerate(COHORTS):
        mix = pm_init[c]
        smix = sum(mix.values())
        m = 1 - cshare.get(c, 0.0) + cshare.get(c, 0.0) * cm
        base += cyc[c] * m * sum(mix[t] / smix * MOVE_PATTERN[t][i] for t in mix)
    target = sum(chg) / ny - trans
    k = target / base
    f = W.file("moves.inc", "moves.rate")
    f.append("# Breakdown rate a year by placement type (rows) and age band. Table")
    f.append("# la_cla_during_year_new_placements, Total placements changing, years %s: %s, mean %.1f" % (
        yrs, ", ".join("%d" % v for v in chg), sum(chg) / ny))
    f.append("# (%.3f a child-year in care). Less %.1f a year of the config's own moves to semi-independent" % (per_child, trans))
    f.append("# provision at 16-17 (transitions.semi_independent over the start-date mix) = %.1f breakdowns." % target)
    f.append("# The relative rates by type and age are an assumption (scripts/fit-dfe.py MOVE_PATTERN);")
    f.append("# they are scaled by %.4f = %.1f / %.1f, the breakdowns the pattern gives over the start-date" % (k, target, base))
    f.append("# placement mix, with needs.complex.move_multiplier. No trend: the engine has none for moves.")
    f.append("rate = {")
    for t in TYPES:
        f.append("  %-16s = { %s };" % (t, " ".join("%s = %s;" % (c, num(k * MOVE_PATTERN[t][i])) for i, c in enumerate(COHORTS))))
    f.append("};")
    # frailty: children with 3+ placements in the year (2+ moves) among those in care at 31 March
    pl3 = []
    for y in years:
        n3 = None
        for g in ("CLA on 31 March", "Children looked after at 31 March"):
            n3 = T["stability"].get(y, g, "With 3 or more placements during the year")
            if n3 is not None:
                break
        if n3 is None:
            die("stability: no children with 3 or more placements for %d" % y)
        pl3.append((n3, stock(y)))
    share3 = sum(n for n, _ in pl3) / sum(d for _, d in pl3)
    v = solve_frailty(per_child, share3)
    f.append("# Frailty: each child's move hazard is multiplied by its own Gamma(mean 1, variance v) draw.")
    f.append("# A child in care all year then makes a negative binomial number N of moves, mean m = %.4f" % per_child)
    f.append("# (placement changes a child-year, above), with P(N >= 2) = 1 - p0 - p1, p0 = (1 + v m)^(-1/v),")
    f.append("# p1 = m p0 / (1 + v m). Table la_cla_placement_stability, CLA on 31 March with 3 or more")
    f.append("# placements during the year (2+ moves; the placement held on 1 April or on entry counts as")
    f.append("# one), years %s: %s = %.4f. Solved for v by bisection%s." % (
        yrs, ", ".join("%d/%d" % (n, d) for n, d in pl3), share3,
        "" if v < FRAILTY_MAX else " (no solution below %g: capped)" % FRAILTY_MAX))
    f.append("frailty_variance = %s;" % num(v))

    # ---- the start-date children's history
    NQ = 100
    f = W.file("initial-history.inc", "initial.history")
    f.append("# Time the start-date children have been in care and in their current placement, years, as")
    f.append("# quantiles at probabilities 0, 0.01, ..., 1 by age band. Assumption: the stock is in a steady")
    f.append("# state of the fitted hazards. In care: a constant hazard h (the band's fitted ceased under 18")
    f.append("# a child-year, above) leaves elapsed times Exp(h). In placement: a child of frailty z has moved")
    f.append("# at z m a year (m = %.4f, above), so its placement's age is Exp(z m); over z ~ Gamma(mean 1," % per_child)
    f.append("# variance v = %s) P(age > t) = (1 + v m t)^(-1/v), quantile ((1-p)^-v - 1) / (v m). The last" % num(v))
    f.append("# point (p = 1) is the band's upper age; the engine caps care at the child's age and the")
    f.append("# placement at its time in care. A placement's age Exp(z m) does not depend on the time in")
    f.append("# care (frailty does not change exits), so the two are drawn apart (pairing): drawn together,")
    f.append("# nearly every child's placement would date from its entry, and the engine's frailty given")
    f.append("# that history would leave out the frequent movers (a start-up transient in moves).")
    # the in-care time scale: the published children under 16 in care continuously for 2.5 years
    # or more at the start date; under Exp(h / lam) elapsed times a band holds N exp(-2.5 h / lam)
    hz = {c: sum(flow[r][c] for r in ROUTES) / cyc[c] for c in COHORTS}
    if a.initial:
        n_c = dict(zip(COHORTS, counts))
        n_src = "the bands above"
    else:
        # the stock's age shares (above), applied to the published stock of the cut-off's 31 March
        n_c = {c: share[c] * stock(a.cutoff) for c in COHORTS}
        n_src = "the stock's age shares above, of the %d in care at 31 March %d" % (stock(a.cutoff), a.cutoff)
    under16 = COHORTS[:-1]
    U = sum(n_c[c] for c in under16)
    long_n = None
    for g in LONG_STAY:
        long_n = T["stability"].get(a.cutoff, g, "Total children")
        if long_n is not None:
            break

    def n_long(lam):
        return sum(n_c[c] * math.exp(-2.5 * hz[c] / lam) for c in under16 if hz[c] > 0)

    def solve_lam(target):
        lo, hi = 0.01, 100.0
        if not (n_long(lo) < target < n_long(hi)):
            return None
        for _ in range(200):
            mid = math.sqrt(lo * hi)
            lo, hi = (mid, hi) if n_long(mid) < target else (lo, mid)
        return math.sqrt(lo * hi)

    lam, lam_range = 1.0, None
    if long_n is not None and 0 < long_n < U:
        q = long_n / U
        sdq = math.sqrt(q * (1 - q) / U)
        lam_s = solve_lam(long_n)
        l05, l95 = solve_lam((q - Z95 * sdq) * U), solve_lam((q + Z95 * sdq) * U)
        if lam_s is not None and l05 is not None and l95 is not None:
            lam, lam_range = lam_s, (l05 / lam_s, l95 / lam_s)
    f.append("# In care, scaled to the published figure: with elapsed times Exp(h / lam) a band of N children")
    f.append("# holds N exp(-2.5 h / lam) in care for 2.5 years or more. Table la_cla_placement_stability,")
    f.append("# children looked after continuously for at least 2.5 years at 31 March %d aged under 16:" % a.cutoff)
    if lam_range:
        f.append("# %d of the %.0f under 16 (%s); the steady state (lam = 1) gives %.1f; lam solved" % (
            long_n, U, n_src, n_long(1.0)))
        f.append("# by bisection = %.4f (every in_care point below is -ln(1-p) lam / h, capped at the band's top)." % lam)
        f.append("# Its uncertainty (uncertainty.inc, initial.history.in_care): the share %d/%.0f = %.4f as a" % (long_n, U, long_n / U))
        f.append("# binomial count, sd sqrt(q (1-q) / n) = %.4f, its 5th and 95th percentiles (normal approximation)" % (
            math.sqrt(q * (1 - q) / U)))
        f.append("# solved the same way give lam x %.4f and x %.4f." % lam_range)
    else:
        f.append("# not published for %d (or outside what a scale can reach): lam = 1, the steady state." % a.cutoff)
    f.append("# The placement's age is not scaled: the published share living with the same carer for 2")
    f.append("# years is matched only by an implausible scale under this frailty (the table's v), so the")
    f.append("# placement history stays the steady state's and is not drawn.")
    f.append("history = {")
    f.append('  pairing = "independent";')
    for i, c in enumerate(COHORTS):
        top = float(COHORT_AGES[i][1] + 1)
        h = hz[c] / lam
        qc, qp = [], []
        for j in range(NQ + 1):
            p = j / NQ
            if j == NQ:
                qc.append(top)
                qp.append(top)
                continue
            qc.append(min(top, -math.log(1 - p) / h) + 0.0 if h > 0 else top)
            if v > 0:
                t = ((1 - p) ** (-v) - 1) / (v * per_child) if -v * math.log(1 - p) < 700 else top
            else:
                t = -math.log(1 - p) / per_child
            qp.append(min(top, t))
        f.append("  %-9s = {   # h / lam = %.4f a year" % (c, h))
        f.append("    in_care      = [%s];" % ", ".join("%.3f" % (x if x > 0 else 0.0) for x in qc))
        f.append("    in_placement = [%s];" % ", ".join("%.3f" % x for x in qp))
        f.append("  };")
    f.append("};")

    HISTORY_RANGE[0] = (lam_range, long_n, U, a.cutoff)

    # ---- staying put at 18
    live = elig = 0.0
    parts = []
    sp_years = 0
    for y in years:
        # a year with either count suppressed is left out (said in the comment);
        # the fit stops when every year is
        l = T["stayput"].get(y, "Aged 18", "Total living with former foster carers in the current year")
        e = T["stayput"].get(y, "Aged 18", "Young people who ceased to be looked after in a foster placement on their 18th birthday and were eligible for care leavers support")
        if l is None or e is None:
            parts.append("%d suppressed" % y)
            continue
        sp_years += 1
        live += l
        elig += e
        parts.append("%d/%d" % (l, e))
    if elig <= 0:
        die("stayput: no year %s with both staying-put counts published" % yrs)
    sp = live / elig
    for t in ("foster", "kinship"):
        old = lookup(cfg, "transitions.leaving_care.%s" % t, None)
        f = W.file("leaving-care-%s.inc" % t, "transitions.leaving_care.%s" % t)
        f.append("# Staying put: %s young people aged 18 who ceased care in a foster placement" % the_areas())
        f.append("# (kinship included: DfE counts both as foster placements) and live with their former carers,")
        f.append("# la_care_leavers_stayput, Aged 18, years %s: %s = %d/%d = %.4f." % (yrs, ", ".join(parts), live, elig, sp))
        f.append("# The rest is split between supported accommodation and independence 5:4 (assumption,")
        f.append("# as the pre-2024 baseline's 0.25 : 0.20).")
        f.append("staying_put = %s;" % num(sp))
        f.append("supported = %s;" % num((1 - sp) * 5 / 9))
        f.append("independent = %s;" % num((1 - sp) - round((1 - sp) * 5 / 9, 4)))

    # ---- the uncertainty of what was fitted, for the config's uncertainty_of
    # list: each fitted rate as the published events over the window and the
    # exposure they were divided by (docs/model.md, "Parameter uncertainty").
    # Every entry ends with a comma: the config includes this file first in its
    # list, followed by its own stated assumptions.
    cy_tot = sum(cy.values())
    f = W.file("uncertainty.inc", "uncertainty_of entries for the fitted rates (first in the config's list)")
    f.append("# Each rate is drawn as Gamma(events + 1/2, exposure) and its settings scaled by the draw over")
    f.append("# events / exposure. Exposure: the child-years in care over the window, %s = %.1f" % (
        " + ".join("%.1f" % cy[y] for y in years), cy_tot))
    f.append("# (published.txt, child_years_in_care); for entries the years observed.")
    f.append("# Staying put at 18: Beta(with + 1/2, without + 1/2) from the published counts; foster and")
    f.append("# kinship take the same counts and are drawn apart (DfE does not split them).")
    f.append("# Entries: each age band's rate from its own starts (the DfE age groups' counts, split as")
    f.append("# entries.inc says): independent Gamma draws per band are a Gamma draw of the total and a")
    f.append("# Dirichlet draw of the split between bands, so the split's uncertainty (estimated from %d" % round(
        sum(starts.values()) * ny))
    f.append("# starts) is drawn with the total's. A DfE group shared by two bands counts in each by its")
    f.append("# split (an approximation: the two bands' draws are independent, not tied to the one count).")
    f.append("# Not drawn: the district split and the exits' age split are not counts of their own.")
    for c in COHORTS:
        f.append('{ setting = "entries.rate.%s"; events = %.2f; exposure = %.1f;' % (c, starts[c] * ny, ny))
        f.append('  why = "la_cla_who_started_to_be_looked_after, Age group, years %s: %.2f starts in the band (%s); its districts scale together"; },' % (
            yrs, starts[c] * ny, SPLIT_RULE.split(": ")[0]))
    route_src = {"return_home": "returned home (both kinds)", "adoption": "adopted", "sgo": "special guardianship orders",
                 "cao": "residence or child arrangement orders",
                 "other": "the rest of those ceasing under 18 (total less 18 and over less the routes above)"}
    for r in ROUTES:
        f.append('{ setting = "exits.%s.rate"; events = %d; exposure = %.1f;' % (r, round(sum(route_years[r])), cy_tot))
        f.append('  why = "la_children_who_ceased_during_year, %s, years %s: %s ceased over %.1f child-years; its age bands scale together"; },' % (
            route_src[r], yrs, " + ".join("%d" % v for v in route_years[r]), cy_tot))
    for t in ("foster", "kinship"):
        f.append('{ setting = "transitions.leaving_care.%s.staying_put"; counts = [%d, %d];' % (t, live, elig - live))
        f.append('  why = "la_care_leavers_stayput, Aged 18, years %s: %d of %d eligible foster leavers stayed put"; },' % (
            yrs, live, elig))
    f.append('{ setting = "moves.rate"; events = %d; exposure = %.1f;' % (round(sum(chg)), cy_tot))
    f.append('  why = "la_cla_during_year_new_placements, Total placements changing, years %s: %s over %.1f child-years; the whole table scales with its fitted factor"; },' % (
        yrs, " + ".join("%d" % v for v in chg), cy_tot))
    if HISTORY_RANGE[0] and HISTORY_RANGE[0][0]:
        (lo, hi), n25, U, yc = HISTORY_RANGE[0]
        f.append('{ setting = "initial.history.in_care"; factor90 = [%.4f, %.4f];' % (lo, hi))
        f.append('  why = "la_cla_placement_stability, in care continuously 2.5 years or more at 31 March %d aged under 16: %d of %.0f; the time scale fitted to it, its range from the share as a binomial count (initial-history.inc)"; },' % (
            yc, n25, U))

    # ---- the figures the fit is judged against, for the docs
    f = W.file("published.txt", "the published figures the fitted settings reproduce (not a config file)")
    f.append("child_years_in_care %.1f   # %s" % (child_years, "; ".join("%d: %.1f" % (y, cy[y]) for y in years)))
    for note in cy_note:
        f.append("#   " + note)
    f.append("stock_age_profile %s   # %s" % (" ".join("%.4f" % share[c] for c in COHORTS), share_src))
    f.append("starts %.1f   # %s" % (sum(stot) / ny, " ".join("%d" % v for v in stot)))
    ct = [ceased_total(y) for y in years]
    f.append("ceased %.1f   # %s" % (sum(ct) / ny, " ".join("%d" % v for v in ct)))
    for r in ROUTES:
        f.append("ceased_%s %.1f   # %s" % (r, routes[r], " ".join("%d" % v for v in route_years[r])))
    f.append("ceased_age_18 %.1f" % age18)
    f.append("placements_changing %.1f   # %s" % (sum(chg) / ny, " ".join("%d" % v for v in chg)))
    f.append("staying_put_share %.4f   # %s" % (sp, " ".join(parts)))
    f.append("staying_put %.1f" % (live / sp_years))
    for y in years:
        o = T["outside"].get(y, "2. Children who are the responsibility of this LA placed outside the LA boundary")
        f.append("placed_outside_boundary_%d %s" % (y, "suppressed" if o is None else "%d" % o))
    if suppressed:
        f.append("# suppressed (fewer than 6), left to the residual 'other' route: " + "; ".join(suppressed))
    for note in FILLED:
        f.append("# " + note)
    write_drift(W, a.data, a.cutoff)
    W.write()
    return 0


def extract(data, dest):
    """Copy the files this script reads, keeping only the county's rows of the
    LA tables (and every row of the national ones), into DEST."""
    tables = dict(TABLES, **NATIONAL_TABLES) if AREA[0] == "national" else TABLES
    for name, files in tables.items():
        for rel, fname in files:
            src = os.path.join(data, rel, fname)
            if not os.path.exists(src):
                die("%s: missing" % src)
            os.makedirs(os.path.join(dest, rel), exist_ok=True)
            out = os.path.join(dest, rel, fname)
            with open(src, newline="", encoding="utf-8-sig") as f, open(out + ".tmp", "w", newline="", encoding="utf-8") as g:
                rd = csv.reader(f)
                wr = csv.writer(g, lineterminator="\n")
                head = next(rd)
                wr.writerow(head)
                i_la = head.index("old_la_code") if "old_la_code" in head else None
                i_lvl = head.index("geographic_level")
                for row in rd:
                    if name.startswith("eng_") or in_area(row, i_la, i_lvl) or (
                            AREA[0] == "national" and row[i_lvl] == "Regional") or drift_keeps(name, head, row):
                        wr.writerow(row)
            os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
