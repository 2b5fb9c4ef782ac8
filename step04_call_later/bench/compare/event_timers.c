/*
 * event_timers: bench_timers.c's workloads with libevent 2's timers, for
 * comparison only (the project does not depend on libevent).
 *
 *   cc -O2 -o /tmp/event_timers event_timers.c \
 *       $(pkg-config --cflags --libs libevent)
 *   /tmp/event_timers [N]           a million timers (N defaults to 1000000)
 *   /tmp/event_timers --cancel [N]  schedule + cancel, N pairs (10000000)
 *
 * A million timers: N events in a malloc'd array of struct event (from
 * event2/event_struct.h), set with evtimer_assign and evtimer_add, the
 * timeout growing by 1 ms every 1000 timers, run by event_base_dispatch
 * until none is pending.  It measures what ev_timers.c measures; libevent
 * does not promise FIFO order for equal timeouts either.  Schedule +
 * cancel: bench_timing.h.  With -DREACTOR_BENCH_COMPARE these are
 * functions of bench_timers (peers_timers.h), and there is no main.
 */
#define _POSIX_C_SOURCE 200809L

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "peers_timers.h"
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

int event_million_timers(long n, struct timer_figures *f)
{
    struct event_base *base = event_base_new();
    if (!base)
        return 1;

    double rss0 = peak_rss();
    double t0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
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
    f->schedule = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    event_base_dispatch(base); /* returns when no event is pending */
    f->run = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    f->per_call = (peak_rss() - rss0) / (double)n;
    f->out_of_order = (double)out_of_order;
    event_base_free(base);
    free(timers);
    return n_fired != n;
}

static void never(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
}

int event_schedule_cancel(long n, struct timer_figures *f)
{
    struct event_base *base = event_base_new();
    static struct event alive[CANCEL_ALIVE];
    if (!base)
        return 1;
    for (int k = 0; k < CANCEL_ALIVE; k++)
        evtimer_assign(&alive[k], base, never, NULL);
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < n; i++) {
        struct event *ev = &alive[i % CANCEL_ALIVE];
        struct timeval tv = {1 + i % 977, 0};
        event_del(ev); /* nothing, the first time round */
        evtimer_add(ev, &tv);
        if (i % CANCEL_ALIVE == CANCEL_ALIVE - 1)
            event_base_loop(base, EVLOOP_NONBLOCK);
    }
    f->pair_ns =
        (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / (double)n * 1e9;
    for (int k = 0; k < CANCEL_ALIVE; k++)
        event_del(&alive[k]);
    event_base_free(base);
    return 0;
}

const char *event_name(void)
{
    static char name[48];
    snprintf(name, sizeof name, "libevent %s", event_get_version());
    return name;
}

#ifndef REACTOR_BENCH_COMPARE
int main(int argc, char **argv)
{
    return peer_timers_main(argc, argv, event_million_timers,
                            event_schedule_cancel);
}
#endif
