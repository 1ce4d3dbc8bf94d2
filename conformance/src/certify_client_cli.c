/*
 * certify_client_cli.c - `pgw certify client`: options, the listener,
 * SIGINT/SIGTERM, and the report (text, --json, --junit) written when the
 * connections are done or a signal came, whichever is first. Exit 0 only
 * when no MUST case failed.
 */
#define _POSIX_C_SOURCE 200809L
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "certify_cli.h"
#include "util.h"
#include "certify_client.h"
#include "pgw/pgw.h"

static volatile int stop_flag;

static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static int usage(const char *why, const char *arg) {
  fprintf(stderr,
          "pgw certify client: %s%s%s\nusage:\n"
          "  pgw certify client --listen ADDR:PORT (--upstream HOST:PORT |"
          " --serve)\n"
          "       [--password P] [--cases PATTERN] [--json FILE]"
          " [--junit FILE]\n"
          "       [--record DIR] [--connections N] [--timeout SECONDS]\n"
          "  pgw certify client --list [--markdown] [--cases PATTERN]\n",
          why, arg ? ": " : "", arg ? arg : "");
  return 2;
}

static int parse(cc_opts *o, int argc, char **argv) {
  const char *v, *tmo = NULL, *conns = NULL;
  int i;
  memset(o, 0, sizeof o[0]);
  o->password = "certify";
  for (i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--serve"))
      o->serve = 1;
    else if (!strcmp(argv[i], "--list"))
      o->list = 1;
    else if (!strcmp(argv[i], "--markdown"))
      o->markdown = 1;
    else if ((v = cli_optval(argc, argv, &i, "--listen")))
      o->listen = v;
    else if ((v = cli_optval(argc, argv, &i, "--upstream")))
      o->upstream = v;
    else if ((v = cli_optval(argc, argv, &i, "--password")))
      o->password = v;
    else if ((v = cli_optval(argc, argv, &i, "--cases")))
      o->cases = v;
    else if ((v = cli_optval(argc, argv, &i, "--json")))
      o->json = v;
    else if ((v = cli_optval(argc, argv, &i, "--junit")))
      o->junit = v;
    else if ((v = cli_optval(argc, argv, &i, "--record")))
      o->record_dir = v;
    else if ((v = cli_optval(argc, argv, &i, "--connections")))
      conns = v;
    else if ((v = cli_optval(argc, argv, &i, "--timeout")))
      tmo = v;
    else
      return usage("unknown or incomplete option", argv[i]);
  }
  o->timeout_ms = tmo ? (int)(atof(tmo) * 1000) : 10000;
  o->connections = conns ? atol(conns) : 0;
  if (o->timeout_ms <= 0) return usage("bad --timeout", tmo);
  if (conns && o->connections <= 0) return usage("bad --connections", conns);
  if (o->list) return 0;
  if (!o->listen) return usage("--listen ADDR:PORT is required", NULL);
  if (!o->serve == !o->upstream)
    return usage("give one of --serve and --upstream", NULL);
  return 0;
}

static int listen_on(const char *addr) {
  struct sockaddr_in sa;
  int fd, one = 1;
  if (cli_parse_addr(addr, &sa) != 0) return -1;
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16)) {
    close(fd);
    return -1;
  }
  return fd;
}

static int report(const cc_opts *o, const cert_done *d, size_t n) {
  size_t must_failed = cert_report_summary(stdout, d, n);
  const char *target = o->serve ? "certify client --serve" : o->upstream;
  if (o->json) cert_report_write(o->json, d, n, target, 0);
  if (o->junit) cert_report_write(o->junit, d, n, target, 1);
  return must_failed ? 1 : 0;
}

/* Every rule a case names must be known: 0, or 2 with the unknown ones. */
static int check_rules(void) {
  size_t i, bad = 0;
  for (i = 0; i < cc_case_count; i++) {
    const char *r = cc_cases[i].c.rules;
    while (*r) {
      size_t n = strcspn(r, " ");
      if (n && !cc_rule_known(r, n)) {
        fprintf(stderr, "pgw certify client: case %s names unknown rule %.*s\n",
                cc_cases[i].c.id, (int)n, r);
        bad++;
      }
      r += n + (r[n] == ' ');
    }
  }
  return bad ? 2 : 0;
}

static void md_rules(void) {
  size_t i;
  fputs("\n## client rules\n\nBehaviours the cases name besides the "
        "library's rules (`pgw rules`) and\n`pgw certify rules` (which, named "
        "by a client case, say what the scripted\nserver does).\n\n"
        "| rule | statement |\n|---|---|\n",
        stdout);
  for (i = 0; i < cc_rule_count; i++)
    printf("| `%s` | %s |\n", cc_rules[i].id, cc_rules[i].statement);
}

static void list(const cc_opts *o) {
  size_t i;
  for (i = 0; i < cc_case_count; i++)
    if (cert_selected(o->cases, cc_cases[i].c.id))
      printf("%-6s %-9s %s  %s\n", cert_level_name(cc_cases[i].c.level),
             cc_cases[i].action, cc_cases[i].c.id, cc_cases[i].c.says);
}

static void md(const char *s) {
  for (; *s; s++)
    fputs(*s == '|' ? "\\|" : (char[2]){*s, 0}, stdout);
}

static void list_markdown(const cc_opts *o) {
  size_t i, gl;
  const char *prev = "";
  fputs("# pgw certify client: the catalogue\n\n"
        "Generated by `pgw certify client --list --markdown`; do not edit.\n"
        "Each connection a client makes to `pgw certify client --serve` gets "
        "the next case:\nthe scripted server does what *server* says, the "
        "client's driver program\ndoes *action* (conformance/certify/clients/),"
        " and the verdict says whether\nthe client did what *checks* says. "
        "Every client message also goes through\npgw's strict backend conn: "
        "any rule broken is a FAIL naming the rule, the\noffset and the bytes."
        " NOT-SHOWN: the client never did what the case waits\nfor (it asked "
        "for protocol 3.0 only, sent no SSLRequest, ...).\n",
        stdout);
  for (i = 0; i < cc_case_count; i++) {
    const cert_case *c = &cc_cases[i].c;
    if (!cert_selected(o->cases, c->id)) continue;
    gl = cert_group_len(c->id);
    if (strncmp(prev, c->id, gl + 1) != 0)
      printf("\n## %.*s\n\n| id | level | checks | rules | server | action |"
             "\n|---|---|---|---|---|---|\n",
             (int)gl, c->id);
    prev = c->id;
    printf("| `%s` | %s | ", c->id, cert_level_name(c->level));
    md(c->says);
    printf(" | %s | ", c->rules);
    md(c->script);
    printf(" | %s |\n", cc_cases[i].action);
  }
}

static int serve(const cc_opts *o, int lfd) {
  const cc_case **sel = malloc(cc_case_count * sizeof *sel);
  cert_done *d = calloc(cc_case_count, sizeof *d);
  size_t i, n = 0, ran;
  int rc;
  if (!sel || !d) return 1;
  for (i = 0; i < cc_case_count; i++)
    if (cert_selected(o->cases, cc_cases[i].c.id)) sel[n++] = &cc_cases[i];
  if (o->connections && (size_t)o->connections < n) n = (size_t)o->connections;
  printf("pgw %s certify client --serve %s (%zu cases, one per connection)\n",
         pgw_version(), o->listen, n);
  fflush(stdout);
  ran = cc_serve(lfd, sel, n, o, d, &stop_flag);
  if (ran < n) printf("stopped after %zu of %zu cases\n", ran, n);
  rc = report(o, d, ran);
  free(sel);
  free(d);
  return rc;
}

static int proxy(const cc_opts *o, int lfd) {
  cert_done *d = NULL;
  size_t cap = 0, n;
  int rc;
  printf("pgw %s certify client --listen %s --upstream %s\n", pgw_version(),
         o->listen, o->upstream);
  fflush(stdout);
  n = cc_proxy(lfd, o, &d, &cap, &stop_flag);
  rc = report(o, d, n);
  cc_proxy_free(d, n);
  free(d);
  return rc;
}

int cli_certify_client(int argc, char **argv) {
  cc_opts o;
  struct sigaction sa;
  int rc = parse(&o, argc, argv), lfd;
  if (rc) return rc;
  if ((rc = check_rules()) != 0) return rc;
  if (o.list) {
    if (o.markdown)
      list_markdown(&o), md_rules();
    else
      list(&o);
    return 0;
  }
  if (o.record_dir) mkdir(o.record_dir, 0777);
  lfd = listen_on(o.listen);
  if (lfd < 0) {
    fprintf(stderr, "pgw certify client: cannot listen on %s\n", o.listen);
    return 2;
  }
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  rc = o.serve ? serve(&o, lfd) : proxy(&o, lfd);
  close(lfd);
  return rc;
}
