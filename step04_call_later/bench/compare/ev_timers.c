/*
 * ev_timers: bench_timers.c's workloads with libev's timers, for
 * comparison only (the project does not depend on libev).
 *
 *   cc -O2 -o /tmp/ev_timers ev_timers.c -lev
 *   /tmp/ev_timers [N]             a million timers (N defaults to 1000000)
 *   /tmp/ev_timers --cancel [N]    schedule + cancel, N pairs (10000000)
 *
 * A million timers: N watchers in a malloc'd array of ev_timer, the
 * timeout growing by 1 ms every 1000 timers, run by ev_run until all have
 * fired.  It measures the CPU time (CLOCK_PROCESS_CPUTIME_ID) to schedule
 * and to run, timers fired out of scheduling order
 * (libev does not promise FIFO order for equal timeouts: this counts what
 * happens), and peak RSS growth (ru_maxrss, taken before the array is
 * allocated and after the run) divided by N, so the ev_timer array
 * counts.  Schedule + cancel: bench_timing.h.  With -DREACTOR_BENCH_COMPARE
 * these are functions of bench_timers (peers_timers.h), and there is no main.
 */
#define _POSIX_C_SOURCE 200809L

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "peers_timers.h"

static ev_timer *timers;
static long n_fired, next_expected, out_of_order;

/* The watcher's index in the array is its scheduling order. */
static void fired(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    long i = (long)(w - timers);
    if (i != next_expected)
        out_of_order++;
    next_expected = i + 1;
    n_fired++;
}

int ev_million_timers(long n, struct timer_figures *f)
{
    struct ev_loop *loop = ev_default_loop(0);
    if (!loop)
        return 1;

    double rss0 = peak_rss();
    double t0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    timers = malloc((size_t)n * sizeof *timers);
    if (!timers)
        return 1;
    long ms = 0;
    for (long i = 0; i < n; i++) {
        if (i % 1000 == 0)
            ms++;
        ev_timer_init(&timers[i], fired, (ev_tstamp)ms / 1000.0, 0.);
        ev_timer_start(loop, &timers[i]);
    }
    f->schedule = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    ev_run(loop, 0); /* returns when no watcher is active */
    f->run = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    f->per_call = (peak_rss() - rss0) / (double)n;
    f->out_of_order = (double)out_of_order;
    free(timers);
    return n_fired != n;
}

static void never(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop, (void)w, (void)revents;
}

int ev_schedule_cancel(long n, struct timer_figures *f)
{
    struct ev_loop *loop = ev_default_loop(0);
    static ev_timer alive[CANCEL_ALIVE];
    if (!loop)
        return 1;
    for (int k = 0; k < CANCEL_ALIVE; k++)
        ev_timer_init(&alive[k], never, 1.0, 0.);
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < n; i++) {
        ev_timer *w = &alive[i % CANCEL_ALIVE];
        ev_timer_stop(loop, w); /* nothing, the first time round */
        ev_timer_set(w, 1.0 + (double)(i % 977), 0.);
        ev_timer_start(loop, w);
        if (i % CANCEL_ALIVE == CANCEL_ALIVE - 1)
            ev_run(loop, EVRUN_NOWAIT);
    }
    f->pair_ns =
        (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / (double)n * 1e9;
    for (int k = 0; k < CANCEL_ALIVE; k++)
        ev_timer_stop(loop, &alive[k]);
    return 0;
}

const char *ev_name(void)
{
    static char name[32];
    snprintf(name, sizeof name, "libev %d.%d", ev_version_major(),
             ev_version_minor());
    return name;
}

#ifndef REACTOR_BENCH_COMPARE
int main(int argc, char **argv)
{
    return peer_timers_main(argc, argv, ev_million_timers,
                            ev_schedule_cancel);
}
#endif
