/*
 * event_timers: bench_timers.c's million-timers workload with libevent 2's
 * timers, for comparison only (the project does not depend on libevent).
 *
 *   cc -O2 -o /tmp/event_timers event_timers.c $(pkg-config --cflags --libs
 * libevent) /tmp/event_timers [N]     (N defaults to 1000000)
 *
 * N timer events in a malloc'd array of struct event (set up with
 * evtimer_assign, as libevent's own benchmark preallocates its events),
 * the timeout growing by 1 ms every 1000 timers, run by
 * event_base_dispatch until all have fired. Prints the same lines as
 * bench_timers: schedule time (CLOCK_MONOTONIC), CPU time to run
 * (CLOCK_PROCESS_CPUTIME_ID), timers fired out of scheduling order (libevent
 * does not promise FIFO order for equal timeouts: this counts what happens),
 * and peak RSS growth (ru_maxrss, taken before the array is allocated and
 * after the run) divided by N, so the struct event array counts.
 * Exits 1 if not all N timers fired.
 */
#define _POSIX_C_SOURCE 200809L

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "../../bench_timing.h"
#include <event2/event_struct.h> /* struct event, to preallocate an array */

static struct event *timers;
static long n_fired, next_expected, out_of_order;

/* arg is the timer's index in the array: its scheduling order. */
static void fired(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    long i = (long)arg;
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
    struct event_base *base = event_base_new();
    if (!base)
        return 1;

    double rss0 = peak_rss();
    double t0 = clock_seconds(CLOCK_MONOTONIC);
    timers = malloc((size_t)n * sizeof *timers);
    if (!timers)
        return 1;
    struct timeval tv = {0, 0};
    for (long i = 0; i < n; i++) {
        if (i % 1000 == 0) {
            tv.tv_usec += 1000;
            if (tv.tv_usec == 1000000) {
                tv.tv_sec++;
                tv.tv_usec = 0;
            }
        }
        evtimer_assign(&timers[i], base, fired, (void *)i);
        if (evtimer_add(&timers[i], &tv)) {
            fprintf(stderr, "evtimer_add failed at timer %ld\n", i);
            return 1;
        }
    }
    double scheduled = clock_seconds(CLOCK_MONOTONIC) - t0;
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    event_base_dispatch(base); /* returns when no event is pending */
    double cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    double per_call = (peak_rss() - rss0) / (double)n;

    print_timer_figures(n, scheduled, cpu, out_of_order, per_call);
    return n_fired != n;
}
