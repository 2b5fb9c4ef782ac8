/*
 * uv_timers: bench_timers.c's workloads with libuv's timers (libuv's own
 * benchmark-million-timers), for comparison only (the project does not
 * depend on libuv).
 *
 *   cc -O2 -o /tmp/uv_timers uv_timers.c $(pkg-config --cflags --libs libuv)
 *   /tmp/uv_timers [N]             a million timers (N defaults to 1000000)
 *   /tmp/uv_timers --cancel [N]    schedule + cancel, N pairs (10000000)
 *
 * A million timers: N handles in a malloc'd array of uv_timer_t, started
 * with uv_timer_start, the timeout growing by 1 ms every 1000 timers, run
 * by uv_run until none is active.  It measures what ev_timers.c measures;
 * libuv breaks ties by start order.  Schedule + cancel: bench_timing.h.
 * With -DREACTOR_BENCH_COMPARE these are functions of bench_timers
 * (peers_timers.h), and there is no main.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

#include "peers_timers.h"

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

int uv_million_timers(long n, struct timer_figures *f)
{
    uv_loop_t *loop = uv_default_loop();

    double rss0 = peak_rss();
    double t0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
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
    f->schedule = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    uv_run(loop, UV_RUN_DEFAULT); /* returns when no timer is active */
    f->run = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    f->per_call = (peak_rss() - rss0) / (double)n;
    f->out_of_order = (double)out_of_order;
    return n_fired != n; /* the handles stay: the process ends */
}

static void never(uv_timer_t *t) { (void)t; }

int uv_schedule_cancel(long n, struct timer_figures *f)
{
    uv_loop_t *loop = uv_default_loop();
    static uv_timer_t alive[CANCEL_ALIVE];
    for (int k = 0; k < CANCEL_ALIVE; k++)
        uv_timer_init(loop, &alive[k]);
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < n; i++) {
        uv_timer_t *t = &alive[i % CANCEL_ALIVE];
        uv_timer_stop(t); /* nothing, the first time round */
        uv_timer_start(t, never, (uint64_t)(1 + i % 977) * 1000, 0);
        if (i % CANCEL_ALIVE == CANCEL_ALIVE - 1)
            uv_run(loop, UV_RUN_NOWAIT);
    }
    f->pair_ns =
        (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / (double)n * 1e9;
    for (int k = 0; k < CANCEL_ALIVE; k++)
        uv_timer_stop(&alive[k]);
    return 0;
}

const char *uv_name(void)
{
    static char name[32];
    snprintf(name, sizeof name, "libuv %s", uv_version_string());
    return name;
}

#ifndef REACTOR_BENCH_COMPARE
int main(int argc, char **argv)
{
    return peer_timers_main(argc, argv, uv_million_timers,
                            uv_schedule_cancel);
}
#endif
