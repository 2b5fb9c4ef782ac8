/*
 * thread_demo: a worker thread hands its results back to the loop.
 *
 * The reactor is not thread-safe: only its own thread may touch it.  The
 * one door is callFromThread, which queues a call and wakes the loop; the
 * call then runs in the loop's thread, in the order it was handed over.
 * (Twisted's deferToThread is built on this door.)
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "reactor.h"
#include "reactors.h"

enum { JOBS = 5 };

struct result {
    int job;
    unsigned long value;
};
static struct result results[JOBS];
static int delivered;

/* In the loop's thread. */
static void deliver(void *arg)
{
    struct result *res = arg;
    printf("loop: job %d finished: %lu\n", res->job, res->value);
    if (++delivered == JOBS) {
        printf("loop: all %d results in: reactor.stop()\n", JOBS);
        reactor_stop(global_reactor());
    }
}

/* Slow work: the sum of the first n squares, the long way. */
static unsigned long slow_sum_of_squares(unsigned long n)
{
    unsigned long sum = 0;
    for (unsigned long i = 1; i <= n; i++)
        sum += i * i;
    nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
    return sum;
}

/* In the worker thread: never touch the reactor except through
 * callFromThread (not even global_reactor(), which may install one). */
static void *worker(void *arg)
{
    struct reactor_base *reactor = arg;
    for (int job = 0; job < JOBS; job++) {
        results[job] = (struct result){
            .job = job + 1, .value = slow_sum_of_squares(1000ul * (job + 1))};
        reactor_call_from_thread(reactor, deliver, &results[job]);
    }
    return NULL;
}

static bool worker_started;

static void start_worker(void *arg)
{
    printf("loop: running; starting a worker thread with %d jobs\n", JOBS);
    int failed = pthread_create(arg, NULL, worker, global_reactor());
    worker_started = !failed;
    if (failed) {
        fprintf(stderr, "pthread_create: %s\n", strerror(failed));
        reactor_stop(global_reactor());
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *name = getenv("REACTOR"); /* as echo_server takes it */
    if (name && *name && install_reactor_by_name(name)) {
        fprintf(stderr, "thread_demo: cannot install reactor '%s'\n", name);
        return 2;
    }
    struct reactor_base *r = global_reactor();
    if (!r)
        return 1;
    printf("step05: callFromThread on %s\n", r->ops->name);
    pthread_t thread;
    reactor_call_when_running(r, start_worker, &thread, NULL);
    int err = reactor_run(r, true);
    if (worker_started)
        pthread_join(thread, NULL);
    uninstall_reactor();
    return err || !worker_started ? 1 : 0;
}
