/* certify_report.h - what certify prints and writes: one line per case,
 * the summary, JSON lines, JUnit XML, and the catalogue. */
#ifndef PGW_CLI_CERTIFY_REPORT_H
#define PGW_CLI_CERTIFY_REPORT_H

#include <stdio.h>

#include "certify.h"

typedef struct cert_done {
  const cert_case *c;
  cert_result r;
} cert_done;

void cert_report_line(FILE *f, const cert_done *d);
/* Verdict counts per group and level; returns the MUST failures. */
size_t cert_report_summary(FILE *f, const cert_done *d, size_t n);
void cert_report_json(FILE *f, const cert_done *d, size_t n);
void cert_report_junit(FILE *f, const cert_done *d, size_t n,
                       const char *target);
/* Write the JSON lines (junit 0) or the JUnit XML (junit 1) to path. 0, or
 * -1 with a message on standard error. */
int cert_report_write(const char *path, const cert_done *d, size_t n,
                      const char *target, int junit);
/* --list: id, level, rules and the line; markdown: the catalogue. */
void cert_list_text(FILE *f, const cert_case *const *c, size_t n);
void cert_list_markdown(FILE *f, const cert_case *const *c, size_t n);

#endif
