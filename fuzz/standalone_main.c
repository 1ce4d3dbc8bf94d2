/*
 * standalone_main.c - a main() for the harnesses without libFuzzer (gcc
 * builds, coverage builds): runs LLVMFuzzerTestOneInput on every file
 * named on the command line and on every regular file inside every named
 * directory (recursively, in sorted order). Arguments that start with '-'
 * are ignored, so libFuzzer-style flags do no harm. A failing input
 * aborts (the harnesses call abort()); exit status 1 if a file could not
 * be read, 0 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int verbose;
static size_t runs;

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return 1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = (uint8_t *)malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *p = (uint8_t *)realloc(buf, cap * 2);
      if (p == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = p;
      cap *= 2;
    }
  }
  int bad = ferror(f) || buf == NULL;
  fclose(f);
  if (bad) {
    fprintf(stderr, "%s: read error\n", path);
    free(buf);
    return 1;
  }
  /* Exact-size copy so that ASan catches reads past the input. */
  uint8_t *exact = (uint8_t *)malloc(len ? len : 1);
  if (exact == NULL) {
    free(buf);
    return 1;
  }
  memcpy(exact, buf, len);
  free(buf);
  if (verbose) fprintf(stderr, "Running: %s (%zu bytes)\n", path, len);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  runs++;
  return 0;
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    perror(path);
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) return run_file(path);
  DIR *d = opendir(path);
  if (d == NULL) {
    perror(path);
    return 1;
  }
  char **names = NULL;
  size_t count = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      char **p = (char **)realloc(names, cap * sizeof *names);
      if (p == NULL) break;
      names = p;
    }
    size_t l = strlen(path) + strlen(e->d_name) + 2;
    names[count] = (char *)malloc(l);
    if (names[count] == NULL) break;
    snprintf(names[count], l, "%s/%s", path, e->d_name);
    count++;
  }
  closedir(d);
  qsort(names, count, sizeof *names, cmp);
  int rc = 0;
  for (size_t i = 0; i < count; i++) {
    rc |= run_path(names[i]);
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  int rc = 0;
  verbose = getenv("PGW_FUZZ_VERBOSE") != NULL;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-') continue;
    rc |= run_path(argv[i]);
  }
  fprintf(stderr, "%s: %zu inputs replayed\n", argv[0], runs);
  return rc;
}
