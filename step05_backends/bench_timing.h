/*
 * bench_timing.h: what the timer benchmarks share (bench_timers.c and
 * the other loops' versions in bench/compare/): clocks, peak memory, and
 * the lines they all print, so that their figures line up.
 */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static inline double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident memory so far, in bytes. */
static inline double peak_rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
#ifdef __APPLE__
    return (double)ru.ru_maxrss; /* bytes on macOS */
#else
    return (double)ru.ru_maxrss * 1024.0; /* kilobytes elsewhere */
#endif
}

/* What one run of a workload measured: the million timers fill the
 * first four, schedule + cancel the last. */
struct timer_figures {
    double schedule; /* s, CPU time to schedule */
    double run;      /* s, CPU time of the run */
    double per_call; /* bytes of peak memory growth per pending call */
    double out_of_order;
    double pair_ns; /* schedule + cancel: CPU ns per pair */
};

/* The schedule + cancel workload's shape, the same in every loop: ALIVE
 * timers, each cancelled and scheduled again in turn, at 1 + i % 977 s,
 * with one non-blocking pass of the loop every ALIVE pairs. */
enum { CANCEL_ALIVE = 1000 };

static inline void print_timer_figures(long n, double schedule, double run,
                                       long out_of_order, double per_call)
{
    printf("calls:                  %ld\n", n);
    printf("schedule (CPU time):    %.3f s (%.0f ns per call)\n", schedule,
           schedule / (double)n * 1e9);
    printf("run (CPU time):         %.3f s (%.0f ns per call)\n", run,
           run / (double)n * 1e9);
    printf("out of order:           %ld\n", out_of_order);
    printf("peak memory per call:   %.1f bytes\n", per_call);
}

#endif
