/* workbook: spend.xlsx for finance teams (libxlsxwriter): the assumptions
 * (every price, its cost line, inflation and the source written beside it
 * in the config), annual spend by financial year and cost line with
 * percentiles, monthly totals, and unit costs per child-week. The CSVs stay
 * the source of truth; the workbook holds the same numbers. `compare` adds
 * a business case sheet for its scenarios. */
#ifndef WORKBOOK_H
#define WORKBOOK_H

#include "bizcase.h"
#include "experiment.h"

/* Write the workbook to `path`. 0, or -1 with a message in err (512 bytes). */
int ccw_write(const char *path, const cce_result *r, char *err);
/* compare's workbook: the baseline's sheets, then a "Business case" sheet
 * with each scenario's business case (cases[0..n-1]). 0, or -1 as above. */
int ccw_write_compare(const char *path, const cce_result *base, ccb_case *const *cases, int n, char *err);

#endif
