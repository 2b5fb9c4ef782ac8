/*
 * base.h: ReactorBase, the part of a reactor that knows nothing of
 * select() or file descriptors (twisted/internet/base.py).
 *
 * It owns the run/stop state machine, the system event triggers and the
 * main loop (_SignalReactorMixin.run and mainLoop); a concrete reactor
 * embeds it as its first member and supplies the methods in
 * reactor_ops.
 *
 * NULL where a reactor, a descriptor, a function or an event name is
 * expected is refused, never followed: a function that returns an error
 * code returns ERR_INVALID_ARGUMENT; one that returns void does nothing;
 * a count is 0, reactor_is_internal false, reactor_timeout INFINITY, and
 * reactor_seconds and reactor_clock_seconds NAN.  An `id` or `out` may be
 * NULL: no id is stored, and the lists are only counted.
 */
#ifndef BASE_H
#define BASE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delayedcall.h"
#include "error.h"
#include "heapq.h"
#include "interfaces.h"

typedef void (*trigger_fn)(void *arg);

enum phase { PHASE_BEFORE, PHASE_DURING, PHASE_AFTER, N_PHASES };

struct trigger {
    uint64_t id;
    trigger_fn fn;
    void *arg;
};

/* _ThreePhaseEvent: three FIFO lists, each emptied as it fires.  While
 * "before" fires, the triggers that ran stay at its front, as Twisted's
 * finishedBefore, so that removing one then is no error. */
struct three_phase_event {
    char *event_type; /* "startup", "shutdown", ... */
    struct trigger *phases[N_PHASES];
    size_t len[N_PHASES], cap[N_PHASES];
    size_t fired_before; /* how many of phases[PHASE_BEFORE] ran */
};

struct reactor_base {
    const struct reactor_ops *ops; /* the "class" of this object */

    /* The state machine, with Twisted's flags and meanings. */
    bool started;        /* from run() until the loop ends */
    bool stopped;        /* true until run(), true again after stop() */
    bool just_stopped;   /* stop() called, "shutdown" not yet fired */
    bool started_before; /* stop() was called once: no restart */
    bool running;        /* set in the "during startup" phase */
    bool install_signal_handlers;

    struct three_phase_event *events;
    size_t n_events;
    uint64_t last_trigger_id;
    uint64_t last_serial; /* descriptors numbered so far */
    /* _internalReaders: the reactor's own descriptors (the waker), which
     * removeAll and disconnectAll leave alone. */
    struct descriptor *internal_readers[2];
    size_t n_internal;

    /* Time: reactor.seconds, _pendingTimedCalls, _newTimedCalls. */
    double (*seconds)(void *ctx);
    void *seconds_ctx;
    /* The clocks replaced so far, numbered 0, 1, ...: a DelayedCall keeps
     * the clock it was made with (callLater hands it seconds=self.seconds)
     * by its number, `clock` being the current one's. */
    struct reactor_clock {
        double (*seconds)(void *ctx);
        void *ctx;
    } * old_clocks;
    unsigned char clock;
    struct timer_heap pending_timed_calls;
    struct call_pool *calls; /* where the DelayedCalls live */
    /* _newTimedCalls, for the calls made while due calls run. */
    struct new_call {
        uint32_t slot, seq; /* slot: UINT32_MAX once cancelled */
    } * new_timed_calls;
    size_t n_new, cap_new;
    size_t n_new_cancelled; /* cancelled slots in new_timed_calls */
    uint32_t last_seq;      /* the last call made: ties run in this order */
    uint32_t insert_seq;    /* last_seq at the last timeout() or
                               runUntilCurrent: what is NEW came since */
    bool running_calls;     /* run_due_calls is calling */

    /* threadCallQueue: calls handed over by other threads.  The flag,
     * set (release) once a call is queued and cleared when the queue is
     * taken, lets an idle pass skip the lock (it reads it with acquire). */
    atomic_bool thread_calls_queued;
    pthread_mutex_t thread_lock;
    struct thread_call {
        call_fn fn;
        void *arg;
    } * thread_calls;
    size_t n_thread_calls, cap_thread_calls;

    bool trace;           /* REACTOR_TRACE=1: a line per pass */
    unsigned long passes; /* doIteration calls, for the trace */
};

/* ReactorBase.__init__: the state, and the three built-in triggers. */
int reactor_base_init(struct reactor_base *r, const struct reactor_ops *ops);
void reactor_base_destroy(struct reactor_base *r);
void reactor_free(struct reactor_base *r);

/* IReactorTime: the clock the reactor reads.  CLOCK_MONOTONIC unless a
 * test swaps in a fake one (task.h), as assigning reactor.seconds does.
 * A call keeps the clock it was made with, so a clock and its ctx must
 * outlive every call made while it was installed. */
double reactor_seconds(struct reactor_base *r);
void reactor_set_seconds(struct reactor_base *r, double (*seconds)(void *),
                         void *ctx);
double monotonic_seconds(void *ctx);
/* The reactor's clock number `clock` (a DelayedCall's), read now. */
double reactor_clock_seconds(struct reactor_base *r, unsigned char clock);

/* IReactorCore */
int reactor_run(struct reactor_base *r, bool install_signal_handlers);
int reactor_start_running(struct reactor_base *r,
                          bool install_signal_handlers);
void reactor_main_loop(struct reactor_base *r);
int reactor_stop(struct reactor_base *r);
void reactor_crash(struct reactor_base *r);
int reactor_iterate(struct reactor_base *r, double delay);
void reactor_run_until_current(struct reactor_base *r);
double reactor_timeout(struct reactor_base *r); /* INFINITY: forever */
void reactor_disconnect_all(struct reactor_base *r);
bool reactor_is_internal(const struct reactor_base *r,
                         const struct descriptor *d);

int reactor_add_system_event_trigger(struct reactor_base *r, enum phase phase,
                                     const char *event_type, trigger_fn fn,
                                     void *arg, uint64_t *id);
int reactor_remove_system_event_trigger(struct reactor_base *r, uint64_t id);
void reactor_fire_system_event(struct reactor_base *r,
                               const char *event_type);
int reactor_call_when_running(struct reactor_base *r, trigger_fn fn,
                              void *arg, uint64_t *id);

/* IReactorThreads.callFromThread: safe from any thread.  Calls run in
 * the order they were handed over, in the loop's next pass.  Every other
 * thread must have stopped calling it before the reactor is freed. */
int reactor_call_from_thread(struct reactor_base *r, call_fn fn, void *arg);
void reactor_wake_up(struct reactor_base *r);

/* IReactorFDSet and doIteration: each calls the concrete reactor's
 * method through r->ops. */
int reactor_do_iteration(struct reactor_base *r, double timeout);
int reactor_add_reader(struct reactor_base *r, struct descriptor *d);
int reactor_add_writer(struct reactor_base *r, struct descriptor *d);
void reactor_remove_reader(struct reactor_base *r, struct descriptor *d);
void reactor_remove_writer(struct reactor_base *r, struct descriptor *d);
size_t reactor_remove_all(struct reactor_base *r, struct descriptor **out,
                          size_t cap);
size_t reactor_get_readers(struct reactor_base *r, struct descriptor **out,
                           size_t cap);
size_t reactor_get_writers(struct reactor_base *r, struct descriptor **out,
                           size_t cap);

#endif
