/*
 * check.h: what the test programs of this step share: CHECK, CHECK_EQ,
 * CHECK_ERR, and a runner that runs one test by name (as CTest asks) or
 * all.
 *
 * Each test is a function named after the behaviour it pins down, and
 * its program lists it with TEST(name); CMakeLists.txt reads those lines
 * and makes one CTest test of each.
 */
#ifndef CHECK_H
#define CHECK_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../error.h"

static int failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__,        \
                   #cond);                                                   \
            failures++;                                                      \
        }                                                                    \
    } while (0)

#define CHECK_ERR(call, expected)                                            \
    do {                                                                     \
        int got_ = (call);                                                   \
        if (got_ != (expected)) {                                            \
            printf("  %s:%d: %s returned %s, expected %s\n", __FILE__,       \
                   __LINE__, #call, reactor_error_name(got_),                \
                   reactor_error_name(expected));                            \
            failures++;                                                      \
        }                                                                    \
    } while (0)

/* CHECK_EQ(actual, expected): equal numbers, or equal strings (compared
 * with strcmp); a failure prints both values, so a learner sees what
 * happened, not only that something did. */
static inline bool check_int_(long long got, long long want, const char *what,
                              const char *file, int line)
{
    if (got == want)
        return true;
    printf("  %s:%d: %s: got %lld, expected %lld\n", file, line, what, got,
           want);
    return false;
}
static inline bool check_uint_(unsigned long long got,
                               unsigned long long want, const char *what,
                               const char *file, int line)
{
    if (got == want)
        return true;
    printf("  %s:%d: %s: got %llu, expected %llu\n", file, line, what, got,
           want);
    return false;
}
static inline bool check_double_(double got, double want, const char *what,
                                 const char *file, int line)
{
    if (got == want)
        return true;
    printf("  %s:%d: %s: got %.17g, expected %.17g\n", file, line, what, got,
           want);
    return false;
}
static inline bool check_str_(const char *got, const char *want,
                              const char *what, const char *file, int line)
{
    if (got && want && strcmp(got, want) == 0)
        return true;
    printf("  %s:%d: %s: got \"%s\", expected \"%s\"\n", file, line, what,
           got ? got : "(null)", want ? want : "(null)");
    return false;
}
/* clang-format off */
#define CHECK_EQ(actual, expected)                                           \
    do {                                                                     \
        if (!_Generic((actual),                                              \
                char *: check_str_, const char *: check_str_,                \
                double: check_double_, float: check_double_,                 \
                unsigned: check_uint_, unsigned long: check_uint_,           \
                unsigned long long: check_uint_,                             \
                default: check_int_)((actual), (expected), #actual,          \
                                     __FILE__, __LINE__))                    \
            failures++;                                                      \
    } while (0)
/* clang-format on */

struct test {
    const char *name;
    void (*fn)(void);
};
/* clang-format off */
#define TEST(name) {#name, test_##name}
/* clang-format on */

/* A test that would hang (a wake-up that never comes) fails instead. */
static void on_alarm(int signo)
{
    (void)signo;
    static const char msg[] = "FAIL: timed out after 10 s\n";
    (void)!write(1, msg, sizeof msg - 1);
    _exit(1);
}

/* Run the test named argv[1], or every test, each after `before_each`
 * (NULL: nothing).  Exit status: 0 passed, 1 failed, 2 no such test. */
static int run_tests(const struct test *tests, size_t n, int argc,
                     char **argv, void (*before_each)(void))
{
    signal(SIGPIPE, SIG_IGN); /* a write to a closed peer: EPIPE */
    signal(SIGALRM, on_alarm);
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
            continue;
        if (before_each)
            before_each();
        int before = failures;
        alarm(10);
        tests[i].fn();
        alarm(0);
        printf("%s: %s\n", failures == before ? "PASS" : "FAIL",
               tests[i].name);
        ran++;
    }
    if (ran == 0) {
        printf("no test named %s\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    return failures ? 1 : 0;
}

#endif
