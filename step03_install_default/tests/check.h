/*
 * check.h: what the test programs of this step share: CHECK, CHECK_ERR,
 * and a runner that runs one test by name (as CTest asks) or all.
 *
 * Each test is a function named after the behaviour it pins down, and
 * its program lists it with TEST(name); CMakeLists.txt reads those lines
 * and makes one CTest test of each.
 */
#ifndef CHECK_H
#define CHECK_H

#include <signal.h>
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
