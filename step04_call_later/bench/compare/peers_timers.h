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

#endif
