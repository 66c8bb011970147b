/* report.h - how problems and progress look: FILE:LINE: error: TEXT,
 * colour only on a terminal and never with NO_COLOR. */
#ifndef DNSDROP_REPORT_H
#define DNSDROP_REPORT_H

#include <stdio.h>

#include "problem.h"

#define REPORT_MAX_SHOWN 200	/* past this, a count: 100k bad lines stay readable */

/* Nonzero when FP is a terminal, NO_COLOR is unset and NO_COLOR_FLAG is 0. */
int report_color_wanted(FILE *fp, int no_color_flag);

/* Print PR (sorted by line) to FP, at most REPORT_MAX_SHOWN, then a count of
 * the rest. Warnings are left out when QUIET. */
void report_problems(FILE *fp, const struct problems *pr, int color, int quiet);

#endif
