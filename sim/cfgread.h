/* cfgread: typed, range-checked reading of libconfig settings that collects
 * every problem into a diag list as "file:line: setting: what is wrong
 * (expected ...)" instead of stopping at the first. The functions never
 * abort: on error they record a message and leave *out untouched. */
#ifndef CFGREAD_H
#define CFGREAD_H

#include <libconfig.h>
#include <stddef.h>

#include "diag.h"

typedef struct {
    cc_diag *diag;
    const char *file; /* the top-level config file, for settings with no line */
    int fill;         /* write each default used into the tree (check --resolved) */
} ccc_reader;

/* Dotted path of a setting ("exits.sgo.rate.age_0_3", "districts[2]"). */
void ccc_path(const config_setting_t *s, char *buf, size_t n);
/* Record an error at setting `at` (or, when name is given, at its child
 * `name`, which may not exist, in which case the parent's line is used). */
void ccc_error(ccc_reader *r, const config_setting_t *at, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Child `name` of group `parent` that must be a group. NULL if absent (an
 * error when required) or of the wrong type (always an error). */
config_setting_t *ccc_group(ccc_reader *r, const config_setting_t *parent, const char *name, int required);
/* An optional group whose absence means "every member at its default". When
 * r->fill is set an absent group is added to the tree (empty; the readers
 * then add each default, and a required member of such a group takes the
 * value the caller put in *out), so the tree shows what was used. */
config_setting_t *ccc_group_defaults(ccc_reader *r, const config_setting_t *parent, const char *name);
/* With r->fill: add string setting name = value to parent when absent. */
void ccc_fill_string(ccc_reader *r, const config_setting_t *parent, const char *name, const char *value);
/* Child that must be a list or array. */
config_setting_t *ccc_list(ccc_reader *r, const config_setting_t *parent, const char *name, int required);
/* A number in [lo, hi]. Returns 1 when *out was set from the file. With
 * r->fill, an absent optional number whose default (*out) is in range is
 * added to the tree; the same holds for ccc_int, ccc_bool and ccc_choice. */
int ccc_number(ccc_reader *r, const config_setting_t *parent, const char *name, double lo, double hi,
               int required, double *out);
/* The same for an element (list/array member) already in hand. */
int ccc_number_at(ccc_reader *r, const config_setting_t *s, double lo, double hi, double *out);
/* A whole number in [lo, hi]. */
int ccc_int(ccc_reader *r, const config_setting_t *parent, const char *name, long lo, long hi,
            int required, long *out);
/* Longest string a setting takes (names, labels, dates); see ccc_text. */
enum { CCC_MAX_NAME = 200 };
/* A string of at most CCC_MAX_NAME characters; the pointer lives as long as
 * the config_t. */
const char *ccc_string(ccc_reader *r, const config_setting_t *parent, const char *name, int required);
/* The same for a longer text of at most max characters (descriptions). */
const char *ccc_text(ccc_reader *r, const config_setting_t *parent, const char *name, int required, size_t max);
int ccc_bool(ccc_reader *r, const config_setting_t *parent, const char *name, int required, int *out);
/* A string that must be one of names[0..n-1]; *out is its index. */
int ccc_choice(ccc_reader *r, const config_setting_t *parent, const char *name, const char *const *names,
               size_t n, int required, int *out);
/* Report every child of group g whose name is not in names[0..n-1]. */
void ccc_known(ccc_reader *r, const config_setting_t *g, const char *const *names, size_t n);
/* Index of name in names, or -1. */
int ccc_find(const char *name, const char *const *names, size_t n);

#endif
