/*
 * scenario.c: the C half of the scenario twin (scenario_twin.py).
 *
 * Reads a script of timed-call operations on stdin and performs them on
 * a SelectReactor whose clock is fake (task.h) and starts at 0.  Every
 * operation, and every call when it runs, prints one line.  scenario.py
 * performs the same script on Twisted's own reactor: the two outputs
 * must be the same, line for line.
 *
 *   later ID DELAY      callLater(DELAY), keeping the DelayedCall as ID
 *   cancel ID           call.cancel()
 *   reset ID SECONDS    call.reset(SECONDS)
 *   delay ID SECONDS    call.delay(SECONDS)
 *   active ID           call.active()
 *   gettime ID          call.getTime()
 *   timeout             reactor.timeout()
 *   sleep SECONDS       move the clock, nothing else: time spent in a
 *                       callback, while runUntilCurrent's "now" stays
 *   advance SECONDS     move the clock, then runUntilCurrent
 *   run                 runUntilCurrent, the clock standing still
 *   on ID OP            when call ID runs, it performs OP: any of the
 *                       first eight above.  Several run in script order.
 *
 * What a callback does is printed indented under its "ran" line.  Times
 * are printed with 17 significant digits, so that a double differing in
 * its last bit shows.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../selectreactor.h"
#include "../task.h"

enum { MAX_IDS = 1024, MAX_HOOKS = 4096, LINE = 128 };

static struct reactor_base *reactor;
static struct fake_clock clock_;            /* now = 0 */
static struct delayed_call *calls[MAX_IDS]; /* the kept calls, by ID */
static int ids[MAX_IDS]; /* ids[i] == i: each call's argument points here */
static struct {
    int id;
    char op[LINE];
} hooks[MAX_HOOKS]; /* the "on ID OP" lines */
static size_t n_hooks;

static void perform(const char *line, const char *indent);

/* Every call runs this: it says so, then performs its hooks. */
static void call_ran(void *arg)
{
    int id = *(const int *)arg;
    printf("ran %d at %.17g\n", id, clock_.now);
    for (size_t i = 0; i < n_hooks; i++)
        if (hooks[i].id == id)
            perform(hooks[i].op, "  ");
}

static void bad(const char *line)
{
    fprintf(stderr, "scenario: bad line: %s\n", line);
    exit(2);
}

static void print_result(const char *indent, const char *op, int id, int err)
{
    printf("%s%s %d: %s\n", indent, op, id,
           err ? reactor_error_name(err) : "ok");
}

/* One line of the script; indent is "" at the top, "  " in a callback. */
static void perform(const char *line, const char *indent)
{
    char op[16];
    int id, n = 0;
    double x;
    int top = indent[0] == '\0';
    if (sscanf(line, "%15s", op) != 1)
        return; /* a blank line */

    /* The operations without an ID. */
    if (strcmp(op, "timeout") == 0) {
        double t = reactor_timeout(reactor); /* INFINITY: Python's None */
        if (isinf(t))
            printf("%stimeout: None\n", indent);
        else
            printf("%stimeout: %.17g\n", indent, t);
        return;
    }
    if (strcmp(op, "sleep") == 0 && sscanf(line, "%*s %lf", &x) == 1) {
        clock_.now += x;
        printf("%ssleep %.17g: now %.17g\n", indent, x, clock_.now);
        return;
    }
    if (strcmp(op, "advance") == 0 && top &&
        sscanf(line, "%*s %lf", &x) == 1) {
        printf("advance %.17g: now %.17g\n", x, clock_.now + x);
        fake_clock_advance(&clock_, reactor, x);
        return;
    }
    if (strcmp(op, "run") == 0 && top) {
        printf("run: now %.17g\n", clock_.now);
        reactor_run_until_current(reactor);
        return;
    }

    /* The rest name a call. */
    int fields = sscanf(line, "%*s %d %n%lf", &id, &n, &x);
    if (fields < 1 || id < 0 || id >= MAX_IDS)
        bad(line);
    if (strcmp(op, "on") == 0 && top) {
        if (n_hooks == MAX_HOOKS || strlen(line + n) >= LINE)
            bad(line);
        hooks[n_hooks].id = id;
        strcpy(hooks[n_hooks++].op, line + n);
        printf("on %d: ok\n", id);
        return;
    }
    if (strcmp(op, "later") == 0 && fields == 2) {
        delayed_call_release(calls[id]); /* an ID used again: drop the old */
        ids[id] = id;
        print_result(
            indent, op, id,
            reactor_call_later(reactor, x, call_ran, &ids[id], &calls[id]));
        return;
    }
    int moves = strcmp(op, "reset") == 0 || strcmp(op, "delay") == 0;
    if (moves ? fields != 2
              : strcmp(op, "cancel") && strcmp(op, "active") &&
                    strcmp(op, "gettime"))
        bad(line);
    struct delayed_call *call = calls[id];
    if (!call) { /* never scheduled (yet): its hook has not run, say */
        printf("%s%s %d: unknown\n", indent, op, id);
        return;
    }
    if (strcmp(op, "cancel") == 0)
        print_result(indent, op, id, delayed_call_cancel(call));
    else if (strcmp(op, "reset") == 0)
        print_result(indent, op, id, delayed_call_reset(call, x));
    else if (strcmp(op, "delay") == 0)
        print_result(indent, op, id, delayed_call_delay(call, x));
    else if (strcmp(op, "active") == 0)
        printf("%sactive %d: %s\n", indent, id,
               delayed_call_active(call) ? "True" : "False");
    else
        printf("%sgettime %d: %.17g\n", indent, id,
               delayed_call_get_time(call));
}

int main(void)
{
    reactor = select_reactor_new();
    if (!reactor) {
        perror("select_reactor_new");
        return 1;
    }
    fake_clock_install(&clock_, reactor);
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        perform(line, "");
    }
    for (int i = 0; i < MAX_IDS; i++) /* give back what we kept */
        delayed_call_release(calls[i]);
    reactor_free(reactor);
    return 0;
}
