/*
 * check.h — the plain-C test harness shared by the C ABI tests: pass/fail
 * counters and CHECK macros that print file:line and the library's last
 * error. Each test ends by printing "N passed, M failed".
 */
#ifndef DEALCORE_TESTS_CHECK_H
#define DEALCORE_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

#include "dealcore.h"

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      ++passed;                                                                \
    } else {                                                                   \
      ++failed;                                                                \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_RC(expr, expected)                                                        \
  do {                                                                                  \
    int rc_ = (expr);                                                                   \
    if (rc_ == (expected)) {                                                            \
      ++passed;                                                                         \
    } else {                                                                            \
      ++failed;                                                                         \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s); last error: %s\n", \
              __FILE__, __LINE__, #expr, rc_, dealcore_status_str(rc_), (expected),     \
              dealcore_status_str(expected), dealcore_error_last());                    \
    }                                                                                   \
  } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, DEALCORE_OK)

#define CHECK_STR(actual, expected)                                                      \
  do {                                                                                   \
    const char *a_ = (actual);                                                           \
    const char *e_ = (expected);                                                         \
    if (a_ != NULL && strcmp(a_, e_) == 0) {                                             \
      ++passed;                                                                          \
    } else {                                                                             \
      ++failed;                                                                          \
      fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__,      \
              #actual, a_ != NULL ? a_ : "(NULL)", e_);                                  \
    }                                                                                    \
  } while (0)

#endif
