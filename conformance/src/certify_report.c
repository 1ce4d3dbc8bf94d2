/* certify_report.c - the text report, JSON lines, JUnit XML, catalogue. */
#include "certify_report.h"

#include <string.h>

#include "render.h"

const char *cert_verdict_name(cert_verdict v) {
  static const char *const names[] = {"PASS", "FAIL", "NON-STRICT",
                                      "UNSUPPORTED", "NOT-SHOWN"};
  return v < CERT_VERDICT_COUNT ? names[v] : "?";
}

const char *cert_level_name(cert_level l) {
  return l == CERT_MUST ? "MUST" : "SHOULD";
}

size_t cert_group_len(const char *id) {
  return strcspn(id, "/");
}

void cert_report_line(FILE *f, const cert_done *d) {
  fprintf(f, "%-11s %-6s %s  %s\n", cert_verdict_name(d->r.verdict),
          cert_level_name(d->c->level), d->c->id, d->c->says);
  if (d->r.verdict != CERT_PASS && d->r.detail[0])
    fprintf(f, "            rule %s: %s\n", d->r.rule, d->r.detail);
}

static size_t count(const cert_done *d, size_t n, const char *group,
                    size_t glen, int level, int verdict) {
  size_t i, k = 0;
  for (i = 0; i < n; i++)
    if ((!group || (cert_group_len(d[i].c->id) == glen &&
                    !strncmp(d[i].c->id, group, glen))) &&
        (level < 0 || (int)d[i].c->level == level) &&
        (verdict < 0 || (int)d[i].r.verdict == verdict))
      k++;
  return k;
}

static void summary_row(FILE *f, const cert_done *d, size_t n,
                        const char *group, size_t glen) {
  int lv, v;
  for (lv = 0; lv < 2; lv++) {
    if (!count(d, n, group, glen, lv, -1)) continue;
    fprintf(f, "  %-14.*s %-6s", (int)(group ? glen : 5),
            group ? group : "total", cert_level_name((cert_level)lv));
    for (v = 0; v < CERT_VERDICT_COUNT; v++)
      if (v < CERT_NOT_SHOWN || count(d, n, NULL, 0, -1, v))
        fprintf(f, " %s %zu", cert_verdict_name((cert_verdict)v),
                count(d, n, group, glen, lv, v));
    fputc('\n', f);
  }
}

size_t cert_report_summary(FILE *f, const cert_done *d, size_t n) {
  size_t i, j;
  fprintf(f, "\nsummary (group, level, verdicts):\n");
  for (i = 0; i < n; i++) {
    size_t gl = cert_group_len(d[i].c->id);
    for (j = 0; j < i; j++)
      if (cert_group_len(d[j].c->id) == gl &&
          !strncmp(d[j].c->id, d[i].c->id, gl))
        break;
    if (j == i) summary_row(f, d, n, d[i].c->id, gl);
  }
  summary_row(f, d, n, NULL, 0);
  return count(d, n, NULL, 0, CERT_MUST, CERT_FAIL);
}

static void json_str(FILE *f, const char *s) {
  cli_json_string(f, s, strlen(s));
}

void cert_report_json(FILE *f, const cert_done *d, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    fputs("{\"id\":", f);
    json_str(f, d[i].c->id);
    fprintf(f, ",\"level\":\"%s\",\"verdict\":\"%s\",\"rule\":",
            cert_level_name(d[i].c->level), cert_verdict_name(d[i].r.verdict));
    json_str(f, d[i].r.rule);
    fputs(",\"detail\":", f);
    json_str(f, d[i].r.detail);
    fprintf(f, ",\"duration_ms\":%ld}\n", d[i].r.duration_ms);
  }
}

static void xml_str(FILE *f, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '<')
      fputs("&lt;", f);
    else if (c == '>')
      fputs("&gt;", f);
    else if (c == '&')
      fputs("&amp;", f);
    else if (c == '"')
      fputs("&quot;", f);
    else if (c < 0x20 && c != '\n' && c != '\t')
      fputc('?', f);
    else if (c >= 0x7f)
      fputc('?', f);
    else
      fputc(c, f);
  }
}

static void junit_case(FILE *f, const cert_done *d) {
  fputs("    <testcase classname=\"", f);
  fprintf(f, "%.*s\" name=\"", (int)cert_group_len(d->c->id), d->c->id);
  xml_str(f, d->c->id);
  fprintf(f, "\" time=\"%.3f\">", (double)d->r.duration_ms / 1000.0);
  if (d->r.verdict == CERT_FAIL || d->r.verdict == CERT_NON_STRICT) {
    fprintf(f, "\n      <failure type=\"%s\" message=\"",
            cert_verdict_name(d->r.verdict));
    xml_str(f, d->r.rule);
    fputs(": ", f);
    xml_str(f, d->r.detail);
    fputs("\"/>\n    ", f);
  } else if (d->r.verdict == CERT_UNSUPPORTED ||
             d->r.verdict == CERT_NOT_SHOWN) {
    fprintf(f,
            "\n      <skipped message=\"%s: ", cert_verdict_name(d->r.verdict));
    xml_str(f, d->r.detail[0] ? d->r.detail : d->c->says);
    fputs("\"/>\n    ", f);
  }
  fputs("</testcase>\n", f);
}

void cert_report_junit(FILE *f, const cert_done *d, size_t n,
                       const char *target) {
  size_t i, j;
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
  xml_str(f, target);
  fputs("\">\n", f);
  for (i = 0; i < n; i = j) {
    size_t gl = cert_group_len(d[i].c->id), fails = 0, skips = 0;
    long ms = 0;
    for (j = i; j < n && cert_group_len(d[j].c->id) == gl &&
                !strncmp(d[j].c->id, d[i].c->id, gl);
         j++) {
      fails += d[j].r.verdict == CERT_FAIL || d[j].r.verdict == CERT_NON_STRICT;
      skips += d[j].r.verdict == CERT_UNSUPPORTED ||
               d[j].r.verdict == CERT_NOT_SHOWN;
      ms += d[j].r.duration_ms;
    }
    fprintf(f,
            "  <testsuite name=\"%.*s\" tests=\"%zu\" failures=\"%zu\" "
            "errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
            (int)gl, d[i].c->id, j - i, fails, skips, (double)ms / 1000.0);
    for (; i < j; i++)
      junit_case(f, &d[i]);
    fputs("  </testsuite>\n", f);
  }
  fputs("</testsuites>\n", f);
}

int cert_report_write(const char *path, const cert_done *d, size_t n,
                      const char *target, int junit) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "pgw certify: cannot write %s\n", path);
    return -1;
  }
  if (junit)
    cert_report_junit(f, d, n, target);
  else
    cert_report_json(f, d, n);
  return fclose(f);
}

void cert_list_text(FILE *f, const cert_case *const *c, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    fprintf(f, "%-6s %s  %s  [%s]\n", cert_level_name(c[i]->level), c[i]->id,
            c[i]->says, c[i]->rules);
}

/* The script as a markdown code span per line. */
static void md_escape(FILE *f, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n && s[i]; i++) {
    if (s[i] == '|')
      fputs("\\|", f);
    else
      fputc(s[i], f);
  }
}

static void md_script(FILE *f, const char *s) {
  const char *sep = "";
  while (*s) {
    size_t n = strcspn(s, "\n");
    fprintf(f, "%s`", sep);
    md_escape(f, s, n);
    fputc('`', f);
    sep = "<br>";
    s += n + (s[n] == '\n');
  }
}

void cert_list_markdown(FILE *f, const cert_case *const *c, size_t n) {
  size_t i;
  fputs("# pgw certify server: the catalogue\n\n"
        "Generated by `pgw certify server --list --markdown`; do not edit.\n"
        "The script language is described in "
        "`conformance/src/certify_script.h`.\n",
        f);
  for (i = 0; i < n; i++) {
    size_t gl = cert_group_len(c[i]->id);
    if (i == 0 || cert_group_len(c[i - 1]->id) != gl ||
        strncmp(c[i - 1]->id, c[i]->id, gl))
      fprintf(f,
              "\n## %.*s\n\n| id | level | checks | rules | script |\n"
              "|---|---|---|---|---|\n",
              (int)gl, c[i]->id);
    fprintf(f, "| `%s` | %s | ", c[i]->id, cert_level_name(c[i]->level));
    md_escape(f, c[i]->says, strlen(c[i]->says));
    if (c[i]->note) {
      fputs(" *PostgreSQL:* ", f);
      md_escape(f, c[i]->note, strlen(c[i]->note));
    }
    fprintf(f, " | %s | ", c[i]->rules);
    if (c[i]->sweep) fprintf(f, "for $ in `%s`:", c[i]->sweep);
    md_script(f, c[i]->script);
    fputs(" |\n", f);
  }
}
