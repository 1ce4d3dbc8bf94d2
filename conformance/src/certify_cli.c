/* certify_cli.c - options, case selection and the run of `pgw certify`. */
#define _POSIX_C_SOURCE 200809L
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "certify.h"
#include "certify_cli.h"
#include "certify_client.h"
#include "certify_report.h"
#include "pgw/pgw.h"
#include "util.h"

typedef struct cert_opts {
  cert_target t;
  const char *cases, *json, *junit;
  int strict, list, markdown;
  int stop_after_hang; /* a server that hung may be wedged: stop there */
} cert_opts;

static int usage(const char *why, const char *arg) {
  fprintf(stderr,
          "pgw certify: %s%s%s\nusage:\n"
          "  pgw certify server HOST:PORT [--user U] [--password P]"
          " [--database D]\n"
          "       [--cases PATTERN] [--strict] [--list [--markdown]]"
          " [--json FILE]\n"
          "       [--junit FILE] [--record DIR] [--timeout SECONDS]"
          " [--stop-after-hang]\n"
          "       [--tls | --sslnegotiation=direct] [--tls-ca FILE]"
          " [--tls-host NAME]\n"
          "  pgw certify session FILE.pgs\n"
          "  pgw certify rules\n",
          why, arg ? ": " : "", arg ? arg : "");
  return 2;
}

static int flag(cert_opts *o, const char *a) {
  if (strcmp(a, "--strict") == 0) return o->strict = 1;
  if (strcmp(a, "--list") == 0) return o->list = 1;
  if (strcmp(a, "--markdown") == 0) return o->markdown = 1;
  if (strcmp(a, "--stop-after-hang") == 0) return o->stop_after_hang = 1;
  if (strcmp(a, "--tls") == 0) {
    if (o->t.tls == CERT_TLS_OFF) o->t.tls = CERT_TLS_REQUEST;
    return 1;
  }
  return 0;
}

static int parse(cert_opts *o, int argc, char **argv) {
  int i;
  const char *v, *tmo = NULL;
  memset(o, 0, sizeof o[0]);
  o->t.user = getenv("PGUSER") ? getenv("PGUSER") : "postgres";
  o->t.password = getenv("PGPASSWORD");
  o->t.database = getenv("PGDATABASE");
  for (i = 0; i < argc; i++) {
    if (flag(o, argv[i])) continue;
    if ((v = cli_optval(argc, argv, &i, "--user")))
      o->t.user = v;
    else if ((v = cli_optval(argc, argv, &i, "--password")))
      o->t.password = v;
    else if ((v = cli_optval(argc, argv, &i, "--database")))
      o->t.database = v;
    else if ((v = cli_optval(argc, argv, &i, "--cases")))
      o->cases = v;
    else if ((v = cli_optval(argc, argv, &i, "--json")))
      o->json = v;
    else if ((v = cli_optval(argc, argv, &i, "--junit")))
      o->junit = v;
    else if ((v = cli_optval(argc, argv, &i, "--record")))
      o->t.record_dir = v;
    else if ((v = cli_optval(argc, argv, &i, "--timeout")))
      tmo = v;
    else if ((v = cli_optval(argc, argv, &i, "--sslnegotiation"))) {
      if (strcmp(v, "direct") == 0)
        o->t.tls = CERT_TLS_DIRECT;
      else if (strcmp(v, "postgres") == 0)
        o->t.tls = o->t.tls ? o->t.tls : CERT_TLS_OFF;
      else
        return usage("--sslnegotiation is postgres or direct", v);
    } else if ((v = cli_optval(argc, argv, &i, "--tls-ca")))
      o->t.tls_ca = v;
    else if ((v = cli_optval(argc, argv, &i, "--tls-host")))
      o->t.tls_host = v;
    else if (argv[i][0] == '-')
      return usage("unknown or incomplete option", argv[i]);
    else if (o->t.addr)
      return usage("more than one address", argv[i]);
    else
      o->t.addr = argv[i];
  }
  o->t.timeout_ms = tmo ? (int)(atof(tmo) * 1000) : 10000;
  if (o->t.timeout_ms <= 0) return usage("bad --timeout", tmo);
  if (!o->list && !o->t.addr)
    return usage("certify server needs HOST:PORT", NULL);
  return 0;
}

/* PATTERN: a glob (fnmatch), or a prefix ("extended/" or "extended"),
 * or several of them separated by commas. */
int cert_selected(const char *pattern, const char *id) {
  char *buf, *p, *save = NULL;
  int hit = 0;
  if (!pattern) return 1;
  buf = strdup(pattern);
  for (p = buf ? strtok_r(buf, ",", &save) : NULL; p && !hit;
       p = strtok_r(NULL, ",", &save)) {
    size_t n = strlen(p);
    hit = fnmatch(p, id, 0) == 0 ||
          (!strpbrk(p, "*?[") && strncmp(id, p, n) == 0 &&
           (id[n] == '\0' || id[n] == '/' || p[n - 1] == '/'));
  }
  free(buf);
  return hit;
}

/* Inside --tls the cases that negotiate encryption themselves are left
 * out (*skipped counts them). */
static size_t select_cases(const cert_opts *o, const cert_case **out,
                           size_t *skipped) {
  size_t i, n = 0;
  *skipped = 0;
  for (i = 0; i < cert_case_count; i++) {
    if (!cert_selected(o->cases, cert_cases[i].id)) continue;
    if (o->t.tls && cert_case_negotiates(&cert_cases[i]))
      ++*skipped;
    else
      out[n++] = &cert_cases[i];
  }
  return n;
}

static int run(const cert_opts *o, const cert_case **sel, size_t n) {
  cert_done *d = calloc(n ? n : 1, sizeof *d);
  size_t i, must_failed;
  if (!d) return 1;
  if (o->t.record_dir) mkdir(o->t.record_dir, 0777);
  printf("pgw %s certify server %s (user %s, %zu cases)\n", pgw_version(),
         o->t.addr, o->t.user, n);
  for (i = 0; i < n; i++) {
    d[i].c = sel[i];
    cert_run_case(sel[i], &o->t, &d[i].r);
    if (o->strict && d[i].r.verdict == CERT_NON_STRICT)
      d[i].r.verdict = CERT_FAIL;
    cert_report_line(stdout, &d[i]);
    fflush(stdout);
    if (o->stop_after_hang && strstr(d[i].r.detail, "hang: ")) {
      printf("stopped after a hang: %zu of %zu cases run\n", i + 1, n);
      n = i + 1;
    }
  }
  must_failed = cert_report_summary(stdout, d, n);
  if (o->strict)
    for (i = 0; i < n; i++)
      must_failed +=
          d[i].r.verdict == CERT_FAIL && d[i].c->level == CERT_SHOULD;
  if (o->json) cert_report_write(o->json, d, n, o->t.addr, 0);
  if (o->junit) cert_report_write(o->junit, d, n, o->t.addr, 1);
  free(d);
  return must_failed ? 1 : 0;
}

/* Every rule a case names must be known (ours or the library's). */
static int check_rules(void) {
  size_t i, bad = 0;
  for (i = 0; i < cert_case_count; i++) {
    const char *r = cert_cases[i].rules;
    while (*r) {
      size_t n = strcspn(r, " ");
      if (n && !cert_rule_known(r, n)) {
        fprintf(stderr, "pgw certify: case %s names unknown rule %.*s\n",
                cert_cases[i].id, (int)n, r);
        bad++;
      }
      r += n + (r[n] == ' ');
    }
  }
  return bad ? 1 : 0;
}

static int server(int argc, char **argv) {
  cert_opts o;
  const cert_case **sel = malloc(cert_case_count * sizeof *sel);
  size_t n;
  int rc = parse(&o, argc, argv);
  if (rc == 0 && check_rules() != 0) rc = 2;
  if (rc == 0 && sel) {
    size_t skipped;
    n = select_cases(&o, sel, &skipped);
    if (skipped && !o.list)
      printf("inside TLS: %zu case%s that negotiate encryption themselves "
             "left out\n",
             skipped, skipped == 1 ? "" : "s");
    if (o.list && o.markdown)
      cert_list_markdown(stdout, sel, n);
    else if (o.list)
      cert_list_text(stdout, sel, n);
    else
      rc = run(&o, sel, n);
  }
  free(sel);
  return rc;
}

static int rules(void) {
  size_t i;
  for (i = 0; i < cert_rule_count; i++)
    printf("%-34s %s\n", cert_rules[i].id, cert_rules[i].statement);
  return check_rules();
}

int cli_certify(int argc, char **argv) {
  if (argc >= 1 && strcmp(argv[0], "server") == 0)
    return server(argc - 1, argv + 1);
  if (argc >= 1 && strcmp(argv[0], "client") == 0)
    return cli_certify_client(argc - 1, argv + 1);
  if (argc == 1 && strcmp(argv[0], "rules") == 0) return rules();
  if (argc == 2 && strcmp(argv[0], "session") == 0)
    return cli_certify_session(argv[1]);
  return usage("certify server HOST:PORT or certify session FILE", NULL);
}
