/*
 * bench_timers: how fast are callLater and the heap?
 *
 *   bench_timers [N]           a million timers (libuv's
 *                              benchmark-million-timers): N calls, the
 *                              delay growing by 1 ms every 1000 calls,
 *                              run until all have fired
 *   bench_timers --cancel [N]  schedule and cancel N calls, 1000 alive at
 *                              a time: memory must stay flat
 *
 * It prints the time to schedule, the CPU time to run, the calls run out
 * of order (must be 0), and the peak memory per pending call.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_timing.h"

#include "main.h"
#include "reactor.h"

/* AddressSanitizer keeps freed memory aside for a while (its quarantine),
 * so under it the peak memory says nothing about this program. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static long n_calls, next_expected, out_of_order;

/* Calls were made with growing times, so they must run in the order they
 * were made: 0, 1, 2, ... */
static void fired(void *arg)
{
    long i = (long)arg;
    if (i != next_expected)
        out_of_order++;
    next_expected = i + 1;
    if (i == n_calls - 1)
        reactor_stop(global_reactor());
}

static int million_timers(long n)
{
    struct reactor_base *r = global_reactor();
    n_calls = n;
    double rss0 = peak_rss();
    double t0 = clock_seconds(CLOCK_MONOTONIC);
    double delay = 0;
    for (long i = 0; i < n; i++) {
        if (i % 1000 == 0)
            delay += 0.001;
        if (reactor_call_later(r, delay, fired, (void *)i, NULL)) {
            fprintf(stderr, "callLater failed at call %ld\n", i);
            return 1;
        }
    }
    double scheduled = clock_seconds(CLOCK_MONOTONIC) - t0;
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    reactor_run(r, false);
    double cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    double per_call = (peak_rss() - rss0) / (double)n;
    print_timer_figures(n, scheduled, cpu, out_of_order, per_call);
    return out_of_order != 0 || next_expected != n;
}

static void never(void *arg) { (void)arg; }

static int schedule_and_cancel(long n)
{
    enum { ALIVE = 1000 };
    struct reactor_base *r = global_reactor();
    struct delayed_call *alive[ALIVE] = {0};
    double first_peak = 0;
    size_t most_pending = 0, most_room = 0;
    for (long i = 0; i < n; i++) {
        long k = i % ALIVE;
        if (alive[k]) {
            delayed_call_cancel(alive[k]);
            delayed_call_release(alive[k]);
        }
        reactor_call_later(r, 1.0 + (double)(i % 977), never, NULL,
                           &alive[k]);
        if (i % 1000 == 999) {
            reactor_iterate(r, 0); /* a pass: new calls join the heap */
            if (r->pending_timed_calls.len > most_pending)
                most_pending = r->pending_timed_calls.len;
            if (r->pending_timed_calls.cap > most_room)
                most_room = r->pending_timed_calls.cap;
        }
        if (i == n / 10)
            first_peak = peak_rss();
        if (i % (n / 5) == 0 || i == n - 1)
            printf("after %9ld calls: peak memory %.1f MiB\n", i + 1,
                   peak_rss() / 1048576.0);
    }
    for (long k = 0; k < ALIVE; k++) {
        delayed_call_cancel(alive[k]);
        delayed_call_release(alive[k]);
    }
    double growth = peak_rss() - first_peak;
    printf("growth after the first tenth: %.1f KiB\n", growth / 1024.0);
    printf("the heap held at most %zu calls, with room for %zu\n",
           most_pending, most_room);
    if (most_pending > ALIVE || most_room > 4 * ALIVE)
        return 1; /* cancelled calls piled up */
    if (UNDER_ASAN) {
        printf("(peak memory not judged under AddressSanitizer)\n");
        return 0;
    }
    return growth > 1024 * 1024; /* flat: less than 1 MiB */
}

int main(int argc, char **argv)
{
    int cancel = argc > 1 && strcmp(argv[1], "--cancel") == 0;
    long n = argc > 1 + cancel ? atol(argv[1 + cancel]) : 0;
    if (n <= 0)
        n = cancel ? 10000000 : 1000000;
    if (!global_reactor())
        return 1;
    int status = cancel ? schedule_and_cancel(n) : million_timers(n);
    uninstall_reactor();
    return status;
}
