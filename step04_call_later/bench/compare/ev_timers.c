/*
 * ev_timers: bench_timers.c's million-timers workload with libev's timers,
 * for comparison only (the project does not depend on libev).
 *
 *   cc -O2 -o /tmp/ev_timers ev_timers.c -lev
 *   /tmp/ev_timers [N]        (N defaults to 1000000)
 *
 * N watchers in a malloc'd array of ev_timer, the timeout growing by 1 ms
 * every 1000 timers, run by ev_run until all have fired. Prints the same
 * lines as bench_timers: schedule time (CLOCK_MONOTONIC), CPU time to run
 * (CLOCK_PROCESS_CPUTIME_ID), timers fired out of scheduling order (libev
 * does not promise FIFO order for equal timeouts: this counts what happens),
 * and peak RSS growth (ru_maxrss, taken before the array is allocated and
 * after the run) divided by N, so the ev_timer array counts.
 * Exits 1 if not all N timers fired.
 */
#define _POSIX_C_SOURCE 200809L

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "../../bench_timing.h"

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

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 0;
    if (n <= 0)
        n = 1000000;
    struct ev_loop *loop = ev_default_loop(0);
    if (!loop)
        return 1;

    double rss0 = peak_rss();
    double t0 = clock_seconds(CLOCK_MONOTONIC);
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
    double scheduled = clock_seconds(CLOCK_MONOTONIC) - t0;
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    ev_run(loop, 0); /* returns when no watcher is active */
    double cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    double per_call = (peak_rss() - rss0) / (double)n;

    print_timer_figures(n, scheduled, cpu, out_of_order, per_call);
    return n_fired != n;
}
