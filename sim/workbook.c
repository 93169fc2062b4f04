/* workbook: spend.xlsx, formatted as a finance team expects. */
#include "workbook.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "bizcase.h"
#include "ccdate.h"
#include "costs.h"
#include "output.h"
#include "summary.h"

typedef struct {
    lxw_workbook *wb;
    lxw_format *head, *money, *money2, *text, *num;
} book;

/* The comment on a setting's line in its config file: its stated source. */
static void source_of(const config_setting_t *s, char *buf, size_t n)
{
    buf[0] = '\0';
    const char *file = config_setting_source_file(s);
    int line = (int)config_setting_source_line(s);
    FILE *f = file ? fopen(file, "r") : NULL;
    if (!f)
        return;
    char text[4096];
    for (int i = 1; fgets(text, sizeof text, f); i++)
        if (i == line) {
            char *hash = strchr(text, '#');
            if (hash) {
                hash++;
                while (*hash == ' ')
                    hash++;
                snprintf(buf, n, "%s", hash);
                size_t k = strlen(buf);
                while (k > 0 && (buf[k - 1] == '\n' || buf[k - 1] == '\r' || buf[k - 1] == ' '))
                    buf[--k] = '\0';
            }
            break;
        }
    fclose(f);
}

static void where(const config_setting_t *s, char *buf, size_t n)
{
    const char *file = config_setting_source_file(s);
    const char *base = file ? strrchr(file, '/') : NULL;
    snprintf(buf, n, "%s:%d", base ? base + 1 : file ? file : "?", (int)config_setting_source_line(s));
}

/* One assumption row: item, cost line, value, unit, inflation, source, where. */
static void assumption(book *b, lxw_worksheet *ws, int *row, const char *item, const char *line, double value,
                       const char *unit, double inflation, const config_setting_t *s)
{
    char src[1024] = "", loc[512] = "";
    if (s) {
        source_of(s, src, sizeof src);
        where(s, loc, sizeof loc);
    }
    worksheet_write_string(ws, (lxw_row_t)*row, 0, item, b->text);
    worksheet_write_string(ws, (lxw_row_t)*row, 1, line, b->text);
    worksheet_write_number(ws, (lxw_row_t)*row, 2, value, strstr(unit, "GBP") ? b->money2 : b->num);
    worksheet_write_string(ws, (lxw_row_t)*row, 3, unit, b->text);
    if (inflation > -1)
        worksheet_write_number(ws, (lxw_row_t)*row, 4, inflation, b->num);
    worksheet_write_string(ws, (lxw_row_t)*row, 5, src, b->text);
    worksheet_write_string(ws, (lxw_row_t)*row, 6, loc, b->text);
    (*row)++;
}

static void header(book *b, lxw_worksheet *ws, const char *const *cols, int n, const double *widths)
{
    for (int c = 0; c < n; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c], b->head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
}

static const config_setting_t *member(const config_setting_t *g, const char *name)
{
    return g ? config_setting_get_member(g, name) : NULL;
}

static void assumptions_sheet(book *b, const cce_result *r)
{
    const cc_params *p = r->p;
    const cct_params *cp = &p->costs;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Assumptions");
    static const char *const cols[] = {"Item", "Cost line", "Value", "Unit", "Inflation a year", "Source (as written in the config)", "Config line"};
    static const double w[] = {44, 26, 14, 22, 16, 90, 26};
    header(b, ws, cols, 7, w);
    config_t cfg;
    config_init(&cfg);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", p->path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        config_set_include_dir(&cfg, dir);
    }
    int ok = config_read_file(&cfg, p->path) == CONFIG_TRUE;
    const config_setting_t *root = ok ? config_root_setting(&cfg) : NULL;
    const config_setting_t *costs = member(root, "costs");
    const config_setting_t *supply = member(root, "supply");
    const config_setting_t *infl = member(costs, "inflation");
    int row = 1;
    char item[512];
    assumption(b, ws, &row, "Price year (financial year starting April)", "", cp->price_year, "year", -2,
               member(costs, "price_year"));
    const csu_params *sp = &p->supply;
    const config_setting_t *homes = member(supply, "homes");
    const config_setting_t *ext = member(supply, "external");
    int hi = 0, ei = 0;
    for (int k = 0; k < sp->n; k++) {
        const csu_provider *pv = &sp->prov[k];
        if (pv->home) {
            const config_setting_t *h = homes ? config_setting_get_elem(homes, (unsigned)hi++) : NULL;
            snprintf(item, sizeof item, "%s: running cost (%d beds)", pv->name, pv->capacity);
            assumption(b, ws, &row, item, cct_line_name[CCT_HOMES], pv->annual_cost, "GBP a year", cp->inflation[CCT_HOMES],
                       member(h, "annual_cost"));
        } else if (pv->owner == CSU_EXTERNAL) {
            const config_setting_t *e = ext ? config_setting_get_elem(ext, (unsigned)ei++) : NULL;
            int block = pv->contract == CSU_BLOCK || pv->contract == CSU_CONTRACT;
            int line = block ? CCT_BLOCK
                       : pv->type == CCM_FOSTER ? CCT_IFA
                       : pv->type == CCM_RESIDENTIAL ? CCT_RESI
                       : pv->type == CCM_SEMI ? CCT_SEMI
                                              : CCT_SECURE;
            if (block)
                snprintf(item, sizeof item, "%s: price a place (%d places, paid used or not)", pv->name, pv->capacity);
            else
                snprintf(item, sizeof item, "%s: price a placement", pv->name);
            assumption(b, ws, &row, item, cct_line_name[line], pv->price_week, "GBP a week", cp->inflation[line],
                       member(e, "price_week"));
        }
    }
    assumption(b, ws, &row, "In-house foster allowance, per child", cct_line_name[CCT_FOSTER_ALLOW],
               cp->foster_allowance_week, "GBP a week", cp->inflation[CCT_FOSTER_ALLOW],
               member(costs, "foster_allowance_week"));
    assumption(b, ws, &row, "In-house foster fee, per approved household", cct_line_name[CCT_FOSTER_FEES],
               cp->foster_fee_week, "GBP a week", cp->inflation[CCT_FOSTER_FEES], member(costs, "foster_fee_week"));
    assumption(b, ws, &row, "Emergency foster place retainer", cct_line_name[CCT_EMERGENCY], cp->emergency_place_week,
               "GBP a week", cp->inflation[CCT_EMERGENCY], member(costs, "emergency_place_week"));
    assumption(b, ws, &row, "Kinship allowance, per child", cct_line_name[CCT_KINSHIP], cp->kinship_week, "GBP a week",
               cp->inflation[CCT_KINSHIP], member(costs, "kinship_week"));
    static const int other[] = {CCM_PARENTS, CCM_ADOPTION, CCM_OTHER};
    for (int i = 0; i < 3; i++) {
        snprintf(item, sizeof item, "Placement %s, per child", ccm_ptype_name[other[i]]);
        assumption(b, ws, &row, item, cct_line_name[CCT_OTHER], cp->other_week[other[i]], "GBP a week",
                   cp->inflation[CCT_OTHER], member(member(costs, "other_week"), ccm_ptype_name[other[i]]));
    }
    static const int ref[] = {CCM_FOSTER, CCM_RESIDENTIAL, CCM_SEMI, CCM_SECURE};
    for (int i = 0; i < 4; i++) {
        snprintf(item, sizeof item, "Reference price of a %s place (gap cost)", ccm_ptype_name[ref[i]]);
        assumption(b, ws, &row, item, "gap_cost", cp->reference_week[ref[i]], "GBP a week", cp->inflation_default,
                   member(member(costs, "reference_week"), ccm_ptype_name[ref[i]]));
    }
    for (int k = 0; k < CCT_NLINE; k++) {
        snprintf(item, sizeof item, "Inflation: %s", cct_line_name[k]);
        const config_setting_t *s = member(infl, cct_line_name[k]);
        assumption(b, ws, &row, item, cct_line_name[k], cp->inflation[k], "a year", -2, s ? s : member(infl, "default"));
    }
    const config_setting_t *oo = member(costs, "one_off");
    for (int i = 0; i < cp->n_one_off; i++) {
        char date[16];
        ccd_format(p->start_day + 1 + (int32_t)cp->one_off_t[i], date);
        snprintf(item, sizeof item, "One-off: %s (%s)", cp->one_off_name[i], date);
        const config_setting_t *e = oo ? config_setting_get_elem(oo, (unsigned)i) : NULL;
        assumption(b, ws, &row, item, cct_line_name[CCT_ONE_OFF], cp->one_off_amount[i], "GBP", cp->inflation[CCT_ONE_OFF],
                   member(e, "amount"));
    }
    config_destroy(&cfg);
}

static void fy_label(int fy, char *buf) { snprintf(buf, 16, "%d-%02d", fy, (fy + 1) % 100); }

static void annual_sheet(book *b, const cce_result *r, const cco_fy *fy)
{
    const ccx_layout *L = r->L;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Annual spend");
    static const char *const cols[] = {"Financial year", "Months in run", "Cost line", "Fixed or variable",
                                       "Mean", "5th percentile", "Median", "95th percentile"};
    static const double w[] = {15, 14, 28, 18, 16, 16, 16, 16};
    header(b, ws, cols, 8, w);
    int row = 1;
    for (int y = 0; y < fy->nfy; y++) {
        char label[16];
        fy_label(fy->fy0 + y, label);
        for (int k = 0; k < CCT_NLINE + 3; k++) {
            const ccy_stats *st = &fy->st[(size_t)(L->spend + k) * (size_t)fy->nfy + (size_t)y];
            const char *kind = k < CCT_NLINE ? (k == CCT_ONE_OFF ? "one-off" : cct_line_fixed[k] ? "fixed" : "variable")
                                             : "";
            worksheet_write_string(ws, (lxw_row_t)row, 0, label, b->text);
            worksheet_write_number(ws, (lxw_row_t)row, 1, fy->months[y], b->num);
            worksheet_write_string(ws, (lxw_row_t)row, 2, L->group[L->spend + k], k >= CCT_NLINE ? b->head : b->text);
            worksheet_write_string(ws, (lxw_row_t)row, 3, kind, b->text);
            worksheet_write_number(ws, (lxw_row_t)row, 4, st->mean, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 5, st->p05, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 6, st->p50, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 7, st->p95, b->money);
            row++;
        }
        const ccy_stats *g = &fy->st[(size_t)L->gap_cost * (size_t)fy->nfy + (size_t)y];
        worksheet_write_string(ws, (lxw_row_t)row, 0, label, b->text);
        worksheet_write_number(ws, (lxw_row_t)row, 1, fy->months[y], b->num);
        worksheet_write_string(ws, (lxw_row_t)row, 2, "gap_cost (memo: not in total)", b->text);
        worksheet_write_string(ws, (lxw_row_t)row, 3, "", b->text);
        worksheet_write_number(ws, (lxw_row_t)row, 4, g->mean, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 5, g->p05, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 6, g->p50, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 7, g->p95, b->money);
        row++;
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)(row - 1), 7);
}

static void unit_sheet(book *b, const cce_result *r, const cco_fy *fy)
{
    (void)r;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Unit costs");
    static const char *const cols[] = {"Financial year", "Placement type", "Mean a child-week", "5th percentile",
                                       "Median", "95th percentile"};
    static const double w[] = {15, 20, 18, 16, 16, 16};
    header(b, ws, cols, 6, w);
    int row = 1;
    for (int y = 0; y < fy->nfy; y++) {
        char label[16];
        fy_label(fy->fy0 + y, label);
        for (int t = 0; t < CCM_NPT; t++) {
            const ccy_stats *st = &fy->unit[(size_t)t * (size_t)fy->nfy + (size_t)y];
            worksheet_write_string(ws, (lxw_row_t)row, 0, label, b->text);
            worksheet_write_string(ws, (lxw_row_t)row, 1, ccm_ptype_name[t], b->text);
            worksheet_write_number(ws, (lxw_row_t)row, 2, st->mean, b->money2);
            worksheet_write_number(ws, (lxw_row_t)row, 3, st->p05, b->money2);
            worksheet_write_number(ws, (lxw_row_t)row, 4, st->p50, b->money2);
            worksheet_write_number(ws, (lxw_row_t)row, 5, st->p95, b->money2);
            row++;
        }
    }
}

static int monthly_sheet(book *b, const cce_result *r)
{
    const ccx_layout *L = r->L;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Monthly totals");
    static const char *const cols[] = {"Month ending", "Total mean", "Total 5th percentile", "Total median",
                                       "Total 95th percentile", "Fixed mean", "Variable mean"};
    static const double w[] = {14, 16, 20, 16, 20, 16, 16};
    header(b, ws, cols, 7, w);
    int n = r->reps;
    double *x = malloc((size_t)n * sizeof *x);
    if (!x)
        return -1;
    for (int k = 1; k < r->ndates; k++) {
        char date[16];
        ccd_format(r->dates[k], date);
        worksheet_write_string(ws, (lxw_row_t)k, 0, date, b->text);
        int series[] = {L->spend + CCT_NLINE, L->spend + CCT_NLINE + 1, L->spend + CCT_NLINE + 2};
        for (int s = 0; s < 3; s++) {
            ccy_stats st;
            ccac_stats(ccrs_monthly(r->stats, series[s], k), x, &st);
            if (s == 0) {
                worksheet_write_number(ws, (lxw_row_t)k, 1, st.mean, b->money);
                worksheet_write_number(ws, (lxw_row_t)k, 2, st.p05, b->money);
                worksheet_write_number(ws, (lxw_row_t)k, 3, st.p50, b->money);
                worksheet_write_number(ws, (lxw_row_t)k, 4, st.p95, b->money);
            } else {
                worksheet_write_number(ws, (lxw_row_t)k, (lxw_col_t)(4 + s), st.mean, b->money);
            }
        }
    }
    free(x);
    return 0;
}

/* The business case of every scenario against the baseline (bizcase.h):
 * the terms, a summary row per scenario, each year's flows, and the levers'
 * stated costs. */
static void business_sheet(book *b, ccb_case *const *cases, int n)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Business case");
    static const char *const cols[] = {"Scenario", "Financial year", "Year", "Months in run", "Discount factor",
                                       "Capital", "One-off", "Revenue", "Lever costs", "Savings",
                                       "Cashable savings", "Non-cashable savings", "Net benefit",
                                       "NPV to date (mean)", "NPV 5th percentile", "NPV 95th percentile",
                                       "P(paid back by year end)", "Gap child-weeks closed"};
    static const double w[] = {24, 15, 8, 14, 15, 14, 14, 14, 14, 14, 16, 18, 14, 18, 18, 18, 20, 20};
    header(b, ws, cols, 18, w);
    int row = 1;
    for (int i = 0; i < n; i++) {
        const ccb_case *c = cases[i];
        for (int y = 0; y < ccb_nfy(c); y++) {
            char label[16];
            fy_label(ccb_fy0(c) + y, label);
            worksheet_write_string(ws, (lxw_row_t)row, 0, ccb_name(c), b->text);
            worksheet_write_string(ws, (lxw_row_t)row, 1, label, b->text);
            worksheet_write_number(ws, (lxw_row_t)row, 2, y, b->num);
            worksheet_write_number(ws, (lxw_row_t)row, 3, ccb_months(c, y), b->num);
            worksheet_write_number(ws, (lxw_row_t)row, 4, ccb_discount(ccb_rate(c), y), b->num);
            static const int q[] = {CCB_CAPITAL, CCB_ONE_OFF, CCB_REVENUE, CCB_LEVER_COST, CCB_SAVINGS,
                                    CCB_CASHABLE, CCB_NON_CASHABLE, CCB_NET, CCB_NPV};
            for (int k = 0; k < 9; k++)
                worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)(5 + k), ccb_stat(c, q[k], y)->mean, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 14, ccb_stat(c, CCB_NPV, y)->p05, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 15, ccb_stat(c, CCB_NPV, y)->p95, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 16, ccb_stat(c, CCB_PAID, y)->mean, b->num);
            worksheet_write_number(ws, (lxw_row_t)row, 17, ccb_stat(c, CCB_GAP_WEEKS, y)->mean, b->num);
            row++;
        }
    }
    if (row > 1)
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)(row - 1), 17);
    /* the summary of each scenario, below */
    row += 2;
    static const char *const sum[] = {"Scenario", "NPV over the run (mean)", "NPV 5th percentile", "NPV median",
                                      "NPV 95th percentile", "P(NPV > 0)", "Payback year (median)",
                                      "PV of lever costs", "Cashable savings (real, all years)",
                                      "Non-cashable savings (real, all years)", "Cost per child-week of gap closed"};
    for (int k = 0; k < 11; k++)
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)k, sum[k], b->head);
    row++;
    for (int i = 0; i < n; i++) {
        const ccb_case *c = cases[i];
        int last = ccb_nfy(c) - 1;
        const ccy_stats *npv = ccb_stat(c, CCB_NPV, last);
        double pv = 0, cash = 0, non = 0;
        for (int y = 0; y <= last; y++) {
            pv += ccb_stat(c, CCB_LEVER_COST, y)->mean * ccb_discount(ccb_rate(c), y);
            cash += ccb_stat(c, CCB_CASHABLE, y)->mean;
            non += ccb_stat(c, CCB_NON_CASHABLE, y)->mean;
        }
        worksheet_write_string(ws, (lxw_row_t)row, 0, ccb_name(c), b->text);
        worksheet_write_number(ws, (lxw_row_t)row, 1, npv->mean, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 2, npv->p05, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 3, npv->p50, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 4, npv->p95, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 5, ccb_stat(c, CCB_PAID, last)->mean, b->num);
        const ccy_stats *pb = ccb_payback_stats(c);
        if (pb->p50 < ccb_nfy(c)) {
            char label[64];
            fy_label(ccb_fy0(c) + (int)pb->p50, label);
            snprintf(label + strlen(label), sizeof label - strlen(label), " (year %d)", (int)pb->p50);
            worksheet_write_string(ws, (lxw_row_t)row, 6, label, b->text);
        } else {
            worksheet_write_string(ws, (lxw_row_t)row, 6, "not within the run", b->text);
        }
        worksheet_write_number(ws, (lxw_row_t)row, 7, pv, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 8, cash, b->money);
        worksheet_write_number(ws, (lxw_row_t)row, 9, non, b->money);
        double cpw = ccb_cost_per_gap_week(c);
        if (cpw == cpw)
            worksheet_write_number(ws, (lxw_row_t)row, 10, cpw, b->money2);
        else
            worksheet_write_string(ws, (lxw_row_t)row, 10, "no gap closed", b->text);
        row++;
    }
    /* the terms and each lever's stated costs */
    row += 2;
    if (n > 0) {
        char t[256];
        snprintf(t, sizeof t,
                 "Real terms: %d-%02d prices (cash deflated by %.4g%% a year); discounted at %.4g%% a year (real); year "
                 "0 = %d-%02d, not discounted; flows of year y discounted by (1 + r)^-y",
                 ccb_price_year(cases[0]), (ccb_price_year(cases[0]) + 1) % 100, 100 * ccb_deflator(cases[0]),
                 100 * ccb_rate(cases[0]), ccb_fy0(cases[0]), (ccb_fy0(cases[0]) + 1) % 100);
        worksheet_write_string(ws, (lxw_row_t)row++, 0, t, b->text);
        row++;
    }
    static const char *const lev[] = {"Scenario", "Lever", "Name", "Scenario file line", "Date", "Capital",
                                      "One-off", "Revenue a year", "Ramp-up (months)"};
    for (int k = 0; k < 9; k++)
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)k, lev[k], b->head);
    row++;
    for (int i = 0; i < n; i++) {
        int nc = 0;
        const csn_cost *lc = ccb_costs(cases[i], &nc);
        for (int k = 0; k < nc; k++) {
            char date[16];
            ccd_format(lc[k].from_day, date);
            worksheet_write_string(ws, (lxw_row_t)row, 0, ccb_name(cases[i]), b->text);
            worksheet_write_string(ws, (lxw_row_t)row, 1, lc[k].kind, b->text);
            worksheet_write_string(ws, (lxw_row_t)row, 2, lc[k].label, b->text);
            worksheet_write_number(ws, (lxw_row_t)row, 3, lc[k].line, b->num);
            worksheet_write_string(ws, (lxw_row_t)row, 4, date, b->text);
            worksheet_write_number(ws, (lxw_row_t)row, 5, lc[k].capital, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 6, lc[k].one_off, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 7, lc[k].revenue, b->money);
            worksheet_write_number(ws, (lxw_row_t)row, 8, lc[k].ramp_months, b->num);
            row++;
        }
    }
}

static int write_book(const char *path, const cce_result *r, ccb_case *const *cases, int ncases, char *err)

{
    cco_fy *fy = cco_fy_summary(r);
    if (!fy) {
        snprintf(err, 512, "%s: no spend to write (out of memory, or no costs section)", path);
        return -1;
    }
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    book b;
    b.wb = workbook_new_opt(path, &opt);
    if (!b.wb) {
        snprintf(err, 512, "%s: cannot create the workbook", path);
        cco_fy_free(fy);
        return -1;
    }
    b.head = workbook_add_format(b.wb);
    format_set_bold(b.head);
    format_set_bottom(b.head, LXW_BORDER_THIN);
    format_set_text_wrap(b.head);
    b.money = workbook_add_format(b.wb);
    format_set_num_format(b.money, "\xc2\xa3#,##0");
    b.money2 = workbook_add_format(b.wb);
    format_set_num_format(b.money2, "\xc2\xa3#,##0.00");
    b.text = workbook_add_format(b.wb);
    b.num = workbook_add_format(b.wb);
    format_set_num_format(b.num, "General");
    workbook_set_properties(b.wb, &(lxw_doc_properties){.title = "carecap placement spend",
                                                       .comments = "Generated by carecap; annual.csv is the source of truth"});
    annual_sheet(&b, r, fy);
    int rc = monthly_sheet(&b, r);
    unit_sheet(&b, r, fy);
    assumptions_sheet(&b, r);
    if (cases)
        business_sheet(&b, cases, ncases);
    cco_fy_free(fy);
    lxw_error e = workbook_close(b.wb);
    if (rc != 0 || e != LXW_NO_ERROR) {
        snprintf(err, 512, "%s: cannot write the workbook: %s", path, rc ? "out of memory" : lxw_strerror(e));
        return -1;
    }
    return 0;
}

int ccw_write(const char *path, const cce_result *r, char *err) { return write_book(path, r, NULL, 0, err); }

int ccw_write_compare(const char *path, const cce_result *base, ccb_case *const *cases, int n, char *err)
{
    return write_book(path, base, cases, n, err);
}
