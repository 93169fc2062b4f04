/* test_dfe: the reader of the DfE's published tables: suppression codes are
 * missing (never zero), the newer release wins, a council is found by code
 * or name, derived measures, and every kind of bad file with its message
 * (which never repeats a cell's value). Small tables are written to a
 * temporary folder; the last checks read the filtered copies of the real
 * files in tests/data/dfe. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "check.h"
#include "dfe.h"

static char dir[256];

#define STD "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name," \
            "old_la_code,la_name,new_la_code"
#define NOTTS "Local authority,E92000001,England,E12000004,East Midlands,891,Nottinghamshire,E10000024"
#define DERBY "Local authority,E92000001,England,E12000004,East Midlands,830,Derbyshire,E10000007"
#define ENGLAND "National,E92000001,England,,,,,"
#define EMIDS "Regional,E92000001,England,E12000004,East Midlands,,,"

static const char *put_file(const char *name, const char *text)
{
    static char path[16][512];
    static int k;
    char *p = path[k++ % 16];
    snprintf(p, 512, "%s/%s", dir, name);
    for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(p, 0777);
        *s = '/';
    }
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return p;
}

typedef struct {
    cc_diag *errs, *notes;
    cdf_set *d;
    int rc;
} loaded;

static loaded load(const char *const *paths, int n, const char *la)
{
    loaded l;
    l.errs = ccg_new();
    l.notes = ccg_new();
    l.d = NULL;
    l.rc = cdf_load(paths, n, la, l.errs, l.notes, &l.d);
    return l;
}

static void unload(loaded *l)
{
    cdf_free(l->d);
    ccg_free(l->errs);
    ccg_free(l->notes);
}

static double get(const loaded *l, cdf_measure m, int year, int *st)
{
    double v = NAN;
    *st = l->d ? cdf_get(l->d, m, year, &v) : -1;
    return v;
}

/* No message holds text: every message checked for a cell's value. */
static int mentions(const cc_diag *g, const char *s)
{
    for (size_t i = 0; i < ccg_count(g); i++)
        if (strstr(ccg_get(g, i), s))
            return 1;
    return 0;
}

static void suppression(void)
{
    const char *p = put_file("supp/la_cla_placement_stability.csv",
                          STD ",cla_group,placement_stability,number,percentage\n"
                              "2018,Reporting year," NOTTS ",CLA on 31 March,Total children,c,c\n"
                              "2019,Reporting year," NOTTS ",CLA on 31 March,Total children,z,z\n"
                              "2020,Reporting year," NOTTS ",CLA on 31 March,Total children,x,x\n"
                              "2021,Reporting year," NOTTS ",CLA on 31 March,Total children,k,k\n"
                              "2022,Reporting year," NOTTS ",CLA on 31 March,Total children,low,low\n"
                              "2023,Reporting year," NOTTS ",CLA on 31 March,Total children,u,u\n"
                              "2024,Reporting year," NOTTS ",CLA on 31 March,Total children,,\n"
                              "2025,Reporting year," NOTTS ",CLA on 31 March,Total children,n/a,\n"
                              "2026,Reporting year," NOTTS ",CLA on 31 March,Total children,0,0\n"
                              "2027,Reporting year," NOTTS ",CLA on 31 March,Total children, 12 ,1\n");
    loaded l = load(&p, 1, "891");
    CHECK(l.rc == CDF_OK, "rc %d", l.rc);
    int st;
    for (int y = 2018; y <= 2025; y++) {
        double v = get(&l, CDF_IN_CARE, y, &st);
        CHECK(st == CDF_SUPPRESSED, "year %d: status %d (value %g): a suppression code is missing, not zero", y, st, v);
    }
    double v = get(&l, CDF_IN_CARE, 2026, &st);
    CHECK(st == CDF_PUBLISHED && v == 0, "a published 0 is 0 (status %d, %g)", st, v);
    v = get(&l, CDF_IN_CARE, 2027, &st);
    CHECK(st == CDF_PUBLISHED && v == 12, "12 with spaces (status %d, %g)", st, v);
    get(&l, CDF_IN_CARE, 2017, &st);
    CHECK(st == CDF_ABSENT, "a year not in the file is absent (%d)", st);
    get(&l, CDF_STARTS, 2022, &st);
    CHECK(st == CDF_ABSENT, "a measure not in the file is absent (%d)", st);
    int f0, f1;
    CHECK(cdf_years(l.d, &f0, &f1) && f0 == 2018 && f1 == 2027, "years %d-%d", f0, f1);
    unload(&l);
}

/* Two releases of a table: the one whose window of years ends later (then
 * starts later) wins, in whichever order the files are read. */
static void newer_release(void)
{
    const char *old = put_file("rel/r2022/la_cla_placement_stability.csv",
                            STD ",cla_group,placement_stability,number\n"
                                "2018,Reporting year," NOTTS ",CLA on 31 March,Total children,900\n"
                                "2021,Reporting year," NOTTS ",CLA on 31 March,Total children,950\n"
                                "2022,Reporting year," NOTTS ",CLA on 31 March,Total children,962\n"
                                "2022,Reporting year," NOTTS ",CLA on 31 March,With 3 or more placements during the year,20\n");
    const char *newer = put_file("rel/r2024/la_cla_placement_stability.csv",
                              STD ",cla_group,placement_stability,number\n"
                                  "2022,Reporting year," NOTTS ",CLA on 31 March,Total children,958\n"
                                  "2022,Reporting year," NOTTS ",CLA on 31 March,With 3 or more placements during the year,c\n"
                                  "2023,Reporting year," DERBY ",CLA on 31 March,Total children,1\n");
    /* the same window as the older file (2018-2022), but later in order */
    const char *trimmed = put_file("rel/r2024b/la_cla_placement_stability.csv",
                                STD ",cla_group,placement_stability,number\n"
                                    "2020,Reporting year," NOTTS ",CLA on 31 March,Total children,957\n"
                                    "2022,Reporting year," NOTTS ",CLA on 31 March,Total children,956\n");
    const char *a[] = {old, newer}, *b[] = {newer, old};
    for (int k = 0; k < 2; k++) {
        loaded l = load(k ? b : a, 2, "891");
        int st;
        double v = get(&l, CDF_IN_CARE, 2022, &st);
        CHECK(st == CDF_PUBLISHED && v == 958, "order %d: the newer release (to 2023) wins: %g", k, v);
        v = get(&l, CDF_IN_CARE, 2021, &st);
        CHECK(st == CDF_PUBLISHED && v == 950, "order %d: a year only the older has stays: %g", k, v);
        get(&l, CDF_PL3, 2022, &st);
        CHECK(st == CDF_SUPPRESSED, "order %d: the newer release's suppression wins (%d)", k, st);
        unload(&l);
    }
    /* windows 2018-2022 and 2020-2022: the later start is the newer */
    const char *c[] = {trimmed, old}, *d[] = {old, trimmed};
    for (int k = 0; k < 2; k++) {
        loaded l = load(k ? d : c, 2, "891");
        int st;
        double v = get(&l, CDF_IN_CARE, 2022, &st);
        CHECK(v == 956, "order %d: same last year, later first year wins: %g", k, v);
        unload(&l);
    }
    /* the totals table wins over a breakdown table of the same release */
    const char *tot = put_file("rel/tot/cla_number_and_rate_per_10k_children.csv",
                            STD ",population_count,population_estimate,number,rate_per_10000\n"
                                "2018,Reporting year," NOTTS ",Children looked after at 31 March each year,160000,961,60\n"
                                "2022,Reporting year," NOTTS ",Children looked after at 31 March each year,163312,960,59\n");
    const char *e[] = {tot, old}, *f[] = {old, tot};
    for (int k = 0; k < 2; k++) {
        loaded l = load(k ? f : e, 2, "891");
        int st;
        double v = get(&l, CDF_IN_CARE, 2022, &st);
        CHECK(v == 960, "order %d: totals table before breakdown: %g", k, v);
        unload(&l);
    }
    /* the same table twice: the later file wins */
    const char *g[] = {old, put_file("rel/copy/la_cla_placement_stability.csv",
                                  STD ",cla_group,placement_stability,number\n"
                                      "2018,Reporting year," NOTTS ",CLA on 31 March,Total children,1\n"
                                      "2022,Reporting year," NOTTS ",CLA on 31 March,Total children,963\n")};
    loaded l = load(g, 2, "891");
    int st;
    CHECK(get(&l, CDF_IN_CARE, 2022, &st) == 963, "equal windows: the later file wins");
    unload(&l);
    /* a folder: files in name order, so r2024 after r2022 */
    char folder[300];
    snprintf(folder, sizeof folder, "%s/rel", dir);
    const char *h[] = {folder};
    l = load(h, 1, "891");
    CHECK(l.rc == CDF_OK && get(&l, CDF_IN_CARE, 2022, &st) == 958, "folder: the newest release wins");
    unload(&l);
}

static void selection(void)
{
    const char *p = put_file("sel/la_cla_on_31_march_la_of_placement_netgain.csv",
                          STD ",characteristic,number\n"
                              "2022,Reporting year," NOTTS ",2. Children who are the responsibility of this LA placed outside the LA boundary,395\n"
                              "2022,Reporting year," DERBY ",2. Children who are the responsibility of this LA placed outside the LA boundary,301\n"
                              "2022,Reporting year," ENGLAND ",2. Children who are the responsibility of this LA placed outside the LA boundary,34000\n"
                              "2022,Reporting year," EMIDS ",2. Children who are the responsibility of this LA placed outside the LA boundary,2500\n"
                              "2022,Reporting year," NOTTS ",1. Children who are the responsibility of other LAs placed within this LA boundary,708\n");
    static const struct {
        const char *la;
        double want;
    } cases[] = {{"891", 395},           {"E10000024", 395}, {"Nottinghamshire", 395}, {"NOTTINGHAMSHIRE", 395},
                 {"830", 301},           {"derbyshire", 301}, {"England", 34000},       {"E92000001", 34000},
                 {"East Midlands", 2500}, {"e12000004", 2500}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        loaded l = load(&p, 1, cases[k].la);
        int st;
        double v = get(&l, CDF_OUTSIDE, 2022, &st);
        CHECK(l.rc == CDF_OK && st == CDF_PUBLISHED && v == cases[k].want, "--la %s: rc %d, %g (expected %g)",
              cases[k].la, l.rc, v, cases[k].want);
        unload(&l);
    }
    const char *bad[] = {"Nottingham", "89", "", "Notts"};
    for (size_t k = 0; k < 4; k++) {
        loaded l = load(&p, 1, bad[k]);
        CHECK(l.rc == CDF_ENOLA && l.d == NULL, "--la '%s': rc %d (expected no council)", bad[k], l.rc);
        char want[400];
        snprintf(want, sizeof want,
                 "--la %s: no figures for that council in the files (expected an old_la_code such as 891, a "
                 "new_la_code such as E10000024, a council or region name, or England)",
                 bad[k]);
        CHECK(ccg_count(l.errs) == 1 && strcmp(ccg_get(l.errs, 0), want) == 0, "message: %s",
              ccg_count(l.errs) ? ccg_get(l.errs, 0) : "(none)");
        unload(&l);
    }
}

/* Measures made of several cells, and a by-age table told apart by name. */
static void derived(void)
{
    const char *ceased = put_file("der/la_children_who_ceased_during_the_year.csv",
                               STD ",cla_group,characteristic,number,percentage\n"
                                   "2022,Reporting year," NOTTS ",Reason episode ceased,Total,380,100\n"
                                   "2022,Reporting year," NOTTS ",Reason episode ceased,\"Returned home to live with parents or other person with parental responsibility which was part of the care planning process\",76,20\n"
                                   "2022,Reporting year," NOTTS ",Reason episode ceased,Returned home to live with parents or other person with parental responsibility which was not part of the care planning process,16,4\n"
                                   "2022,Reporting year," NOTTS ",Reason episode ceased,Adopted,29,8\n"
                                   "2022,Reporting year," NOTTS ",Reason episode ceased,Special guardianship orders,49,13\n"
                                   "2022,Reporting year," NOTTS ",Reason episode ceased,Residence order or child arrangement order granted,33,9\n"
                                   "2022,Reporting year," NOTTS ",Age on ceasing,18 years and over,150,39\n"
                                   "2021,Reporting year," NOTTS ",Reason episode ceased,Returned home to live with parents or other person with parental responsibility which was part of the care planning process,52,17\n"
                                   "2021,Reporting year," NOTTS ",Reason episode ceased,Returned home to live with parents or other person with parental responsibility which was not part of the care planning process,c,c\n");
    const char *sp = put_file("der/la_care_leavers_stayput.csv",
                           STD ",age,stay_put,number,percentage\n"
                               "2022,Reporting year," NOTTS ",Aged 18,Total living with former foster carers in the current year,39,81\n"
                               "2022,Reporting year," NOTTS ",Aged 18,Young people who ceased to be looked after in a foster placement on their 18th birthday and were eligible for care leavers support,48,100\n"
                               "2021,Reporting year," NOTTS ",Aged 18,Total living with former foster carers in the current year,3,81\n"
                               "2021,Reporting year," NOTTS ",Aged 18,Young people who ceased to be looked after in a foster placement on their 18th birthday and were eligible for care leavers support,0,100\n");
    /* by age, in a table whose name says starts, and in one that does not */
    const char *st1 = put_file("der/la_cla_who_started_to_be_looked_after.csv",
                            STD ",cla_group,characteristic,number,percentage\n"
                                "2022,Reporting year," NOTTS ",Age group,Under 1 year,60,17\n"
                                "2022,Reporting year," NOTTS ",Age group,Total,346,100\n");
    const char *st2 = put_file("der/la_cla_on_31_march_by_characteristics.csv",
                            STD ",cla_group,characteristic,number,percentage\n"
                                "2021,Reporting year," NOTTS ",Age group,Under 1 year,44,5\n");
    const char *all[] = {ceased, sp, st1, st2};
    loaded l = load(all, 4, "891");
    CHECK(l.rc == CDF_OK, "rc %d", l.rc);
    int st;
    double v = get(&l, CDF_CEASED_HOME, 2022, &st);
    CHECK(st == CDF_PUBLISHED && v == 92, "returned home = planned + not planned: %g", v);
    get(&l, CDF_CEASED_HOME, 2021, &st);
    CHECK(st == CDF_SUPPRESSED, "returned home with a suppressed part is suppressed (%d)", st);
    v = get(&l, CDF_CEASED_OTHER, 2022, &st);
    CHECK(st == CDF_PUBLISHED && v == 380 - 92 - 29 - 49 - 33 - 150, "ceased other = the rest: %g", v);
    get(&l, CDF_CEASED_OTHER, 2021, &st);
    CHECK(st == CDF_ABSENT, "ceased other without a total is absent (%d)", st);
    v = get(&l, CDF_STAYPUT_PCT, 2022, &st);
    CHECK_NEAR(v, 100.0 * 39 / 48, 1e-12, "staying put % from the counts, not the rounded percentage");
    get(&l, CDF_STAYPUT_PCT, 2021, &st);
    CHECK(st == CDF_SUPPRESSED, "staying put with no eligible leaver has no figure (%d)", st);
    v = get(&l, CDF_STARTS_U1, 2022, &st);
    CHECK(st == CDF_PUBLISHED && v == 60, "starts under 1 from the starts table: %g", v);
    get(&l, CDF_STARTS_U1, 2021, &st);
    CHECK(st == CDF_ABSENT, "by age at 31 March is not starts by age (%d)", st);
    CHECK(cdf_nfiles_used(l.d) == 3, "files used %d", cdf_nfiles_used(l.d));
    unload(&l);
}

static void expect_error(const char *what, const char *const *paths, int n, int rc, const char *msg,
                         const char *secret)
{
    loaded l = load(paths, n, "891");
    CHECK(l.rc == rc && l.d == NULL, "%s: rc %d (expected %d)", what, l.rc, rc);
    CHECK(ccg_count(l.errs) >= 1 && strcmp(ccg_get(l.errs, 0), msg) == 0, "%s: message\n  %s\nexpected\n  %s", what,
          ccg_count(l.errs) ? ccg_get(l.errs, 0) : "(none)", msg);
    if (secret)
        CHECK(!mentions(l.errs, secret), "%s: a message repeats a cell's value", what);
    unload(&l);
}

static void bad_files(void)
{
    char msg[1024];
    const char *p = put_file("bad/episodes.csv", "CHILD,DECOM,RNE\n1,01/01/2020,S\n");
    snprintf(msg, sizeof msg,
             "%s:1: not a DfE table (expected a header row time_period,time_identifier,geographic_level,"
             "country_code,country_name,... with a number column)",
             p);
    expect_error("not a DfE table", &p, 1, CDF_EINVAL, msg, "DECOM");
    p = put_file("bad/empty.csv", "");
    snprintf(msg, sizeof msg,
             "%s:1: not a DfE table (expected a header row time_period,time_identifier,geographic_level,"
             "country_code,country_name,... with a number column)",
             p);
    expect_error("empty file", &p, 1, CDF_EINVAL, msg, NULL);
    p = put_file("bad/nonumber.csv", STD ",characteristic,count\n");
    snprintf(msg, sizeof msg,
             "%s:1: not a DfE table (expected a header row time_period,time_identifier,geographic_level,"
             "country_code,country_name,... with a number column)",
             p);
    expect_error("no number column", &p, 1, CDF_EINVAL, msg, NULL);
    p = put_file("bad/year/la_cla_on_31_march_la_of_placement_netgain.csv",
              STD ",characteristic,number\n"
                  "2022,Reporting year," NOTTS ",Net gain of children by responsible LA,313\n"
                  "SECRET1,Reporting year," NOTTS ",Net gain of children by responsible LA,313\n");
    snprintf(msg, sizeof msg,
             "%s:3:1: time_period: not a year ending 31 March 1990-2100 (expected YYYY such as 2022, or YYYYYY "
             "such as 202122)",
             p);
    expect_error("bad time_period", &p, 1, CDF_EINVAL, msg, "SECRET1");
    p = put_file("bad/year2/la_cla_on_31_march_la_of_placement_netgain.csv",
              STD ",characteristic,number\n202123,Reporting year," NOTTS ",Net gain of children by responsible LA,3\n");
    snprintf(msg, sizeof msg,
             "%s:2:1: time_period: not a year ending 31 March 1990-2100 (expected YYYY such as 2022, or YYYYYY "
             "such as 202122)",
             p);
    expect_error("202123 is not a year", &p, 1, CDF_EINVAL, msg, "202123");
    p = put_file("bad/ti/la_cla_on_31_march_la_of_placement_netgain.csv",
              STD ",characteristic,number\n"
                  "2022,SECRET2," NOTTS ",2. Children who are the responsibility of this LA placed outside the LA boundary,395\n");
    snprintf(msg, sizeof msg,
             "%s:2:2: time_identifier: not an April-March year (expected \"Reporting year\" or \"Financial year\")",
             p);
    expect_error("bad time_identifier", &p, 1, CDF_EINVAL, msg, "SECRET2");
    p = put_file("bad/dup/la_cla_on_31_march_la_of_placement_netgain.csv",
              STD ",characteristic,number\n"
                  "2022,Reporting year," NOTTS ",2. Children who are the responsibility of this LA placed outside the LA boundary,395\n"
                  "2021,Reporting year," NOTTS ",2. Children who are the responsibility of this LA placed outside the LA boundary,390\n"
                  "2022,Reporting year," NOTTS ",2. Children who are the responsibility of this LA placed outside the LA boundary,777\n");
    snprintf(msg, sizeof msg, "%s:4: the same year and breakdown as line 2 (expected one row for each)", p);
    expect_error("duplicate row", &p, 1, CDF_EINVAL, msg, "777");
    snprintf(msg, sizeof msg, "%s/none.csv", dir);
    const char *missing = msg;
    char want[1200];
    snprintf(want, sizeof want, "%s: cannot read: %s", missing, strerror(ENOENT));
    expect_error("missing file", &missing, 1, CDF_EIO, want, NULL);
    char fifo[400];
    snprintf(fifo, sizeof fifo, "%s/fifo.csv", dir);
    if (mkfifo(fifo, 0600) == 0) {
        const char *q = fifo;
        snprintf(want, sizeof want,
                 "%s: not a regular file or folder (expected a DfE CSV file or a folder of them)", fifo);
        expect_error("fifo", &q, 1, CDF_EINVAL, want, NULL);
    }
    /* a folder: unknown files are listed in a note, not an error; a DfE
     * table without any measure is passed over quietly */
    put_file("mixed/README.md", "# notes\n");
    put_file("mixed/sub/episodes.csv", "CHILD,DECOM\n");
    put_file("mixed/national_cla_started_to_be_looked_after.csv",
          "time_period,time_identifier,geographic_level,country_code,country_name,cla_group,characteristic,number\n"
          "2022,Reporting year,National,E92000001,England,Age on starting,1 to 4 years,4770\n");
    put_file("mixed/la_cla_placement_stability.csv", STD ",cla_group,placement_stability,number\n"
                                                  "2022,Reporting year," NOTTS ",CLA on 31 March,Total children,958\n");
    char folder[400];
    snprintf(folder, sizeof folder, "%s/mixed", dir);
    const char *fp = folder;
    loaded l = load(&fp, 1, "891");
    CHECK(l.rc == CDF_OK, "folder with other files: rc %d", l.rc);
    snprintf(want, sizeof want, "2 files in the folders are not a DfE table and were not read: %s/README.md, %s/sub/episodes.csv",
             folder, folder);
    CHECK(ccg_count(l.notes) == 1 && strcmp(ccg_get(l.notes, 0), want) == 0, "note: %s",
          ccg_count(l.notes) ? ccg_get(l.notes, 0) : "(none)");
    CHECK(ccg_count(l.errs) == 0, "no errors (%zu)", ccg_count(l.errs));
    unload(&l);
}

/* The filtered copies of the published files (tests/data/dfe). */
static void real_files(void)
{
    const char *root = getenv("CARECAP_TESTS");
    if (!root) {
        CHECK(0, "CARECAP_TESTS is not set");
        return;
    }
    char folder[1024];
    snprintf(folder, sizeof folder, "%s/data/dfe", root);
    const char *fp = folder;
    loaded l = load(&fp, 1, "Nottinghamshire");
    CHECK(l.rc == CDF_OK, "rc %d", l.rc);
    if (!l.d)
        return;
    int st;
    /* release 2024 (to 2022, from 2020) revised 962 to 958 and 376 to 380 */
    CHECK(get(&l, CDF_IN_CARE, 2022, &st) == 958, "in care 2022 from the 2024 release");
    CHECK(get(&l, CDF_CEASED, 2022, &st) == 380, "ceased 2022 from the 2024 release");
    CHECK(get(&l, CDF_STARTS, 2018, &st) > 0 && st == CDF_PUBLISHED, "starts 2018 from the 2022 release");
    double sum = 0;
    for (int m = CDF_STARTS_U1; m <= CDF_STARTS_16; m++)
        sum += get(&l, (cdf_measure)m, 2022, &st);
    CHECK(sum == get(&l, CDF_STARTS, 2022, &st), "starts by age add up to the total: %g", sum);
    int f0, f1;
    CHECK(cdf_years(l.d, &f0, &f1) && f0 == 2018 && f1 == 2022, "years %d-%d", f0, f1);
    unload(&l);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_dfe.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    suppression();
    newer_release();
    selection();
    derived();
    bad_files();
    real_files();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_dfe");
}
