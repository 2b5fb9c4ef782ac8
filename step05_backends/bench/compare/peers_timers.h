/*
 * peers_timers.h: the timer workloads of bench_timers.c, on libev,
 * libevent and libuv (ev_timers.c, event_timers.c, uv_timers.c).  Built into
 * bench_timers with -DREACTOR_BENCH_COMPARE=ON; each file is also a
 * program of its own, built by hand (README.md here).
 *
 * Each function runs one workload in a fresh loop and fills what it
 * measures in `f` (bench_timing.h); it returns 0, or 1 if the timers did
 * not all fire.  N timers: the million-timers workload; N pairs:
 * schedule + cancel with CANCEL_ALIVE alive.
 */
#ifndef PEERS_TIMERS_H
#define PEERS_TIMERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench_timing.h"

int ev_million_timers(long n, struct timer_figures *f);
int ev_schedule_cancel(long n, struct timer_figures *f);
const char *ev_name(void);

int event_million_timers(long n, struct timer_figures *f);
int event_schedule_cancel(long n, struct timer_figures *f);
const char *event_name(void);

int uv_million_timers(long n, struct timer_figures *f);
int uv_schedule_cancel(long n, struct timer_figures *f);
const char *uv_name(void);

/* A peer file built by hand as a program of its own: its main.
 *   PROGRAM [N]           a million timers (N defaults to 1000000)
 *   PROGRAM --cancel [N]  schedule + cancel, N pairs (10000000) */
static inline int
peer_timers_main(int argc, char **argv,
                 int (*million)(long, struct timer_figures *),
                 int (*cancel_pairs)(long, struct timer_figures *))
{
    int cancel = argc > 1 && strcmp(argv[1], "--cancel") == 0;
    long n = argc > 1 + cancel ? atol(argv[1 + cancel]) : 0;
    struct timer_figures f = {0};
    if (cancel) {
        int err = cancel_pairs(n > 0 ? n : 10000000, &f);
        printf("schedule + cancel:      %.1f CPU ns per pair\n", f.pair_ns);
        return err;
    }
    n = n > 0 ? n : 1000000;
    int err = million(n, &f);
    print_timer_figures(n, f.schedule, f.run, (long)f.out_of_order,
                        f.per_call);
    return err;
}

#endif
