/* target: dated conditions on a run's output series, as seek and
 * sensitivity take them from the command line. A quantity is a series
 * (metric/group, as in monthly.csv) or a ratio of two, read at one month end
 * or over a window; a target puts a condition on it and asks for a
 * probability across replications or for the mean. Text in, a parsed list
 * out; each replication's values are then reduced to one number per target
 * (ctg_eval), so no replication need be kept.
 *
 *   [mean] SERIES [/ SERIES] OP NUMBER WHEN [with p >= P]
 *   OP    <=, <, >= or >
 *   WHEN  at DATE               the value at that month end
 *         from DATE [to DATE]   at every month end from DATE (to DATE, else
 *                               to the end of the run)
 *         over DATE to DATE     flows summed (stocks averaged) over the
 *                               month ends in the window; a ratio of sums
 *
 * A probability target (no `mean`) needs `with p >= P`; a mean target has
 * none and takes `at` or `over`. A quantity alone (SERIES [/ SERIES] WHEN,
 * with `at` or `over`) is what sensitivity measures. */
#ifndef TARGET_H
#define TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

typedef struct ctg_list ctg_list;

enum { CTG_PROB = 0, CTG_MEAN = 1, CTG_QUANTITY = 2 };

/* An empty list for a run of layout L (kept, not owned) from start_day.
 * NULL when memory is short. */
ctg_list *ctg_new(const ccx_layout *L, int32_t start_day);
void ctg_free(ctg_list *t);
/* Parse one target (quantity: 1 for a quantity alone) and append it.
 * Returns 0, or -1 with what is wrong and what was expected in err (errlen
 * bytes); the text is not repeated in err. */
int ctg_add(ctg_list *t, const char *text, int quantity, char *err, size_t errlen);
int ctg_count(const ctg_list *t);
/* Months from the start date to the latest date a target reads (so a run
 * of ceil(months / 12) years covers every target). */
int ctg_months(const ctg_list *t);
/* Target i's text as given (owned by the list). */
const char *ctg_text(const ctg_list *t, int i);
/* CTG_PROB, CTG_MEAN or CTG_QUANTITY. */
int ctg_kind(const ctg_list *t, int i);
/* The probability asked for (CTG_PROB) or the bound (CTG_MEAN). */
double ctg_required(const ctg_list *t, int i);
/* For a mean target: 1 when the mean must be at most the bound, 0 at least. */
int ctg_lower_is_better(const ctg_list *t, int i);
/* One replication's outcome for target i from values (series-major,
 * values[series * ndates + date], as a cce_rep_sink gets them): 1 or 0 for a
 * probability target (the condition held), the quantity for the others. */
double ctg_eval(const ctg_list *t, int i, const double *values, int ndates);
/* Does x meet mean target i's bound? */
int ctg_meets(const ctg_list *t, int i, double x);

#endif
