/*
 * uv_timers: bench_timers.c's million-timers workload with libuv's timers,
 * for comparison only (the project does not depend on libuv).
 *
 *   cc -O2 -o /tmp/uv_timers uv_timers.c $(pkg-config --cflags --libs libuv)
 *   /tmp/uv_timers [N]        (N defaults to 1000000)
 *
 * N timers in a malloc'd array of uv_timer_t, the timeout growing by 1 ms
 * every 1000 timers, run by uv_run until all have fired. Prints the same
 * lines as bench_timers: schedule time (CLOCK_MONOTONIC), CPU time to run
 * (CLOCK_PROCESS_CPUTIME_ID), timers fired out of scheduling order, and
 * peak RSS growth (ru_maxrss, taken before the array is allocated and
 * after the run) divided by N, so the uv_timer_t array counts.
 * Exits 1 if not all N timers fired.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

#include "../../bench_timing.h"

static uv_timer_t *timers;
static long n_fired, next_expected, out_of_order;

/* The timer's index in the array is its scheduling order. */
static void fired(uv_timer_t *t)
{
    long i = (long)(t - timers);
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
    uv_loop_t *loop = uv_default_loop();

    double rss0 = peak_rss();
    double t0 = clock_seconds(CLOCK_MONOTONIC);
    timers = malloc((size_t)n * sizeof *timers);
    if (!timers)
        return 1;
    uint64_t timeout = 0; /* ms */
    for (long i = 0; i < n; i++) {
        if (i % 1000 == 0)
            timeout++;
        uv_timer_init(loop, &timers[i]);
        uv_timer_start(&timers[i], fired, timeout, 0);
    }
    double scheduled = clock_seconds(CLOCK_MONOTONIC) - t0;
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    uv_run(loop, UV_RUN_DEFAULT); /* returns when no timer is active */
    double cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    double per_call = (peak_rss() - rss0) / (double)n;

    print_timer_figures(n, scheduled, cpu, out_of_order, per_call);
    return n_fired != n;
}
