/* trace: one replication's children as SSDA903 episodes (synthetic data).
 *
 * An episode opens when a child enters care or changes placement, and
 * closes when the child moves (REC X1) or leaves care (the route's REC
 * code). Identifiers, postcodes and ethnicity are synthetic; codes follow
 * the SSDA903 lists summarised in DOMAIN.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ccdate.h"
#include "simint.h"

static const char *place_code(const cc_sim *s, const child *c)
{
    switch (c->placed) {
    case CCM_KINSHIP: return "U3";
    case CCM_FOSTER: return "U6";
    case CCM_RESIDENTIAL: return "K2";
    case CCM_SEMI: return "H5";
    case CCM_SECURE: return "K1";
    case CCM_PARENTS: return "P1";
    case CCM_ADOPTION: return "A6";
    default: (void)s; return "Z1";
    }
}

static const char *provider_code(const cc_sim *s, const child *c)
{
    if (c->prov >= 0)
        return s->p->supply.prov[c->prov].owner == CSU_COUNCIL ? "PR1" : "PR4";
    return c->placed == CCM_KINSHIP ? "PR1" : "PR0";
}

static void date_of(const cc_sim *s, int32_t day, char *buf)
{
    int y, m, d;
    ccd_to_ymd(day, &y, &m, &d);
    (void)s;
    snprintf(buf, 11, "%02d/%02d/%04d", d, m, y);
}

static int32_t day_of(const cc_sim *s, double t) { return s->p->start_day + 1 + (int32_t)floor(t); }

/* The episode of child c (its slot's). */
static ccs_episode *episode(cc_sim *s, const child *c) { return &s->ep[c - s->ch]; }

static void write_episode(cc_sim *s, const child *c, int32_t dec, const char *rec)
{
    const ccs_episode *e = episode(s, c);
    char decom[11], decs[11] = "";
    date_of(s, e->start, decom);
    if (dec)
        date_of(s, dec, decs);
    int uasc = (c->flags & (1 << CCM_UASC)) != 0;
    fprintf(s->trace_ep, "C%07u,%s,%s,%s,%s,%s,%s,%s,%s,,ZZ%d 0AA,,\n", c->serial + 1, decom,
            e->first ? "S" : "P", uasc ? "V2" : "C2", uasc ? "N8" : "N1", e->place, e->provider, decs,
            dec ? rec : "", c->district + 1);
}

void cctr_placed(cc_sim *s, child *c)
{
    if (!s->trace_ep)
        return;
    ccs_episode *e = episode(s, c);
    int32_t today = day_of(s, s->last_t);
    const char *pl = place_code(s, c), *pr = provider_code(s, c), *pl_code = pl;
    /* a new placement (a move, even to the same kind of place) is a new episode */
    if (e->open && strcmp(pl, e->place) == 0 && strcmp(pr, e->provider) == 0 &&
        c->placed_since == e->since)
        return;
    if (e->open && today > e->start) {
        write_episode(s, c, today, "X1");
        e->first = 0;
        e->start = today;
    } else if (!e->open) {
        e->open = 1;
        e->first = 1;
        e->start = today;
        char dob[11];
        date_of(s, ccd_from_ymd(c->by, c->bm, c->bd), dob);
        fprintf(s->trace_hd, "C%07u,%d,%s,%s,A%012u,,\n", c->serial + 1, 1 + (int)(c->serial % 2), dob,
                c->flags & (1 << CCM_UASC) ? "OOTH" : "WBRI", 100000000u + c->serial);
        if (c->entered < 0) {
            /* a start-date child with a history (initial.history): its period
             * of care began before the run; an earlier placement, of the same
             * kind (not known), ran until the current one began */
            int32_t from = day_of(s, c->entered), since = day_of(s, c->placed_since);
            e->start = from;
            if (since > from) {
                snprintf(e->place, sizeof e->place, "%s", pl_code);
                snprintf(e->provider, sizeof e->provider, "%s", pr);
                write_episode(s, c, since, "X1");
                e->first = 0;
                e->start = since;
            }
        }
    }
    e->since = c->placed_since;
    snprintf(e->place, sizeof e->place, "%s", pl);
    snprintf(e->provider, sizeof e->provider, "%s", pr);
}

void cctr_left(cc_sim *s, child *c, const char *rec)
{
    if (!s->trace_ep || !episode(s, c)->open)
        return;
    write_episode(s, c, day_of(s, s->last_t), rec);
    episode(s, c)->open = 0;
}

void cctr_finish(cc_sim *s)
{
    if (!s->trace_ep)
        return;
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->ch[i].in_care && s->ep[i].open)
            write_episode(s, &s->ch[i], 0, "");
}
