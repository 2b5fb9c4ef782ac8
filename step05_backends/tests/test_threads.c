/*
 * Tests of callFromThread: calls handed to the reactor from other
 * threads run in the loop's thread, in order, and wake a sleeping loop.
 *
 *   REACTOR=epoll test_threads NAME
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../reactors.h"
#include "check.h"

static struct reactor_base *reactor;
static pthread_t loop_thread;

/* ---- several threads, many calls each, all in order ----------------- */

enum { THREADS = 4, CALLS = 2000 };
static int next_from[THREADS]; /* touched only in the loop's thread */
static int out_of_order, wrong_thread, done_calls;

struct handed {
    int thread, seq;
};
static struct handed handed[THREADS][CALLS];

static void arrive(void *arg)
{
    struct handed *h = arg;
    if (!pthread_equal(pthread_self(), loop_thread))
        wrong_thread++;
    if (h->seq != next_from[h->thread])
        out_of_order++;
    next_from[h->thread] = h->seq + 1;
    if (++done_calls == THREADS * CALLS)
        reactor_stop(reactor);
}

static void *worker(void *arg)
{
    int t = (int)(long)arg;
    for (int i = 0; i < CALLS; i++) {
        handed[t][i] = (struct handed){.thread = t, .seq = i};
        if (reactor_call_from_thread(reactor, arrive, &handed[t][i]))
            abort();
    }
    return NULL;
}

static void start_workers(void *arg)
{
    pthread_t *threads = arg;
    for (long t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, worker, (void *)t);
}

static void test_calls_from_several_threads_all_run_in_order(void)
{
    reactor = new_reactor();
    loop_thread = pthread_self();
    pthread_t threads[THREADS];
    reactor_call_when_running(reactor, start_workers, threads, NULL);
    CHECK_ERR(reactor_run(reactor, false), REACTOR_OK);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    CHECK_EQ(done_calls, THREADS * CALLS);
    CHECK_EQ(out_of_order, 0);
    CHECK_EQ(wrong_thread, 0);
    reactor_free(reactor);
}

/* ---- a sleeping loop wakes at once ---------------------------------- */

static double handed_at, ran_at;

static void note_and_stop(void *arg)
{
    (void)arg;
    ran_at = now();
    reactor_stop(reactor);
}

static void *hand_over_later(void *arg)
{
    (void)arg;
    /* Let the loop fall asleep first: nothing is scheduled, so it
     * waits forever unless the waker wakes it. */
    nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
    handed_at = now();
    reactor_call_from_thread(reactor, note_and_stop, NULL);
    return NULL;
}

static void test_a_sleeping_loop_wakes_within_milliseconds(void)
{
    reactor = new_reactor();
    pthread_t t;
    pthread_create(&t, NULL, hand_over_later, NULL);
    CHECK_ERR(reactor_run(reactor, false), REACTOR_OK);
    pthread_join(t, NULL);
    double latency = ran_at - handed_at;
    printf("  woke %.3f ms after the call was handed over\n", latency * 1e3);
    CHECK(latency >= 0 && latency < 0.030);
    reactor_free(reactor);
}

/* ---- from the loop's own thread, and a call that hands over more ---- */

static char order[64];

static void second(void *arg)
{
    (void)arg;
    strcat(order, "second,");
    reactor_stop(reactor);
}

static void first(void *arg)
{
    (void)arg;
    strcat(order, "first,");
    reactor_call_from_thread(reactor, second, NULL); /* a later pass */
    strcat(order, "handed,");
}

static void test_call_handed_over_by_a_call_runs_in_a_later_pass(void)
{
    reactor = new_reactor();
    CHECK(reactor_call_from_thread(reactor, first, NULL) == REACTOR_OK);
    CHECK(reactor_call_from_thread(reactor, NULL, NULL) ==
          ERR_INVALID_ARGUMENT);
    reactor_run_until_current(reactor);
    CHECK_EQ(order, "first,handed,");
    CHECK_ERR(reactor_run(reactor, false), REACTOR_OK);
    CHECK_EQ(order, "first,handed,second,");
    reactor_free(reactor);
}

/* ---- an idle pass takes no lock ------------------------------------- */

/* Another thread holds the queue's lock through the loop's pass: a pass
 * that took it would wait forever (and the alarm fail the test).  No
 * thread has called, so the pass reads the flag and leaves the lock. */
static atomic_int lock_state; /* 0 not yet held, 1 held, 2 pass done */

static void *hold_the_lock(void *arg)
{
    struct reactor_base *r = arg;
    pthread_mutex_lock(&r->thread_lock);
    atomic_store(&lock_state, 1);
    while (atomic_load(&lock_state) != 2)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    pthread_mutex_unlock(&r->thread_lock);
    return NULL;
}

static void test_an_idle_pass_takes_no_lock(void)
{
    reactor = new_reactor();
    pthread_t holder;
    if (pthread_create(&holder, NULL, hold_the_lock, reactor) != 0)
        abort();
    while (atomic_load(&lock_state) != 1)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    CHECK_ERR(reactor_iterate(reactor, 0), REACTOR_OK);
    atomic_store(&lock_state, 2);
    pthread_join(holder, NULL);
    reactor_free(reactor);
}

static const struct test tests[] = {
    TEST(calls_from_several_threads_all_run_in_order),
    TEST(a_sleeping_loop_wakes_within_milliseconds),
    TEST(call_handed_over_by_a_call_runs_in_a_later_pass),
    TEST(an_idle_pass_takes_no_lock),
};

int main(int argc, char **argv)
{
    return run_tests(tests, sizeof tests / sizeof tests[0], argc, argv, NULL);
}
