/*
 * base.c: ReactorBase and _SignalReactorMixin (twisted/internet/base.py).
 *
 * Read it in this order: the system event triggers, the state machine
 * (start_running, stop, crash), then the main loop that ties them to
 * do_iteration.
 */
#define _POSIX_C_SOURCE 200809L

#include "base.h"

#include <limits.h>
#include <math.h> /* INFINITY, NAN: macros, no libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- system event triggers (_ThreePhaseEvent) ----------------------- */

static struct three_phase_event *find_event(struct reactor_base *r,
                                            const char *event_type)
{
    for (size_t i = 0; i < r->n_events; i++)
        if (strcmp(r->events[i].event_type, event_type) == 0)
            return &r->events[i];
    return NULL;
}

/* The event called `event_type`, created empty on first use. */
static struct three_phase_event *get_event(struct reactor_base *r,
                                           const char *event_type)
{
    struct three_phase_event *ev = find_event(r, event_type);
    if (ev)
        return ev;
    struct three_phase_event *events =
        realloc(r->events, (r->n_events + 1) * sizeof *events);
    if (!events)
        return NULL;
    r->events = events;
    ev = &events[r->n_events];
    *ev = (struct three_phase_event){.event_type = strdup(event_type)};
    if (!ev->event_type)
        return NULL;
    r->n_events++;
    return ev;
}

int reactor_add_system_event_trigger(struct reactor_base *r, enum phase phase,
                                     const char *event_type, trigger_fn fn,
                                     void *arg, uint64_t *id)
{
    if (!r || (unsigned)phase >= N_PHASES || !event_type || !fn)
        return ERR_INVALID_ARGUMENT; /* Twisted: KeyError("invalid phase") */
    struct three_phase_event *ev = get_event(r, event_type);
    if (!ev)
        return ERR_NO_MEMORY;
    if (ev->len[phase] == ev->cap[phase]) {
        size_t cap = ev->cap[phase] ? 2 * ev->cap[phase] : 4;
        struct trigger *t = realloc(ev->phases[phase], cap * sizeof *t);
        if (!t)
            return ERR_NO_MEMORY;
        ev->phases[phase] = t;
        ev->cap[phase] = cap;
    }
    uint64_t new_id = ++r->last_trigger_id;
    ev->phases[phase][ev->len[phase]++] =
        (struct trigger){.id = new_id, .fn = fn, .arg = arg};
    if (id)
        *id = new_id;
    return REACTOR_OK;
}

/* Remove list[i], keeping the order of the rest. */
static struct trigger pop_at(struct three_phase_event *ev, int phase,
                             size_t i)
{
    struct trigger t = ev->phases[phase][i];
    memmove(&ev->phases[phase][i], &ev->phases[phase][i + 1],
            (ev->len[phase] - i - 1) * sizeof t);
    ev->len[phase]--;
    return t;
}

int reactor_remove_system_event_trigger(struct reactor_base *r, uint64_t id)
{
    if (!r)
        return ERR_INVALID_ARGUMENT;
    for (size_t e = 0; e < r->n_events; e++)
        for (int p = 0; p < N_PHASES; p++)
            for (size_t i = 0; i < r->events[e].len[p]; i++)
                if (r->events[e].phases[p][i].id == id) {
                    if (p == PHASE_BEFORE && i < r->events[e].fired_before) {
                        /* removeTrigger_BEFORE: it ran in the "before"
                         * phase firing now; Twisted warns and succeeds. */
                        fprintf(stderr, "DeprecationWarning: %s\n",
                                "Removing already-fired system event "
                                "triggers will raise an exception in a "
                                "future version of Twisted.");
                        return REACTOR_OK;
                    }
                    pop_at(&r->events[e], p, i);
                    return REACTOR_OK;
                }
    return ERR_NO_SUCH_TRIGGER; /* already fired, removed, or never added */
}

/* fireEvent and _continueFiring: each phase is popped from the front
 * until empty, so a trigger runs once, a trigger added to the phase that
 * is firing still runs, and one removed before its turn does not. */
void reactor_fire_system_event(struct reactor_base *r, const char *event_type)
{
    if (!r || !event_type)
        return;
    /* "before" is read from the front instead, its triggers kept until
     * the phase is over (finishedBefore). */
    struct three_phase_event *ev;
    while ((ev = find_event(r, event_type)) &&
           ev->fired_before < ev->len[PHASE_BEFORE]) {
        struct trigger t = ev->phases[PHASE_BEFORE][ev->fired_before++];
        t.fn(t.arg);
    }
    if ((ev = find_event(r, event_type)))
        ev->len[PHASE_BEFORE] = ev->fired_before = 0; /* all of it ran */
    for (int phase = PHASE_DURING; phase < N_PHASES; phase++) {
        /* Look the event up each time: a trigger may add an event and
         * move the array. */
        while ((ev = find_event(r, event_type)) && ev->len[phase] > 0) {
            struct trigger t = pop_at(ev, phase, 0);
            t.fn(t.arg);
        }
    }
}

/* ---- the state machine ---------------------------------------------- */

static void really_start_running(void *arg);
static void crash_trigger(void *arg) { reactor_crash(arg); }
static void disconnect_all_trigger(void *arg) { reactor_disconnect_all(arg); }

int reactor_base_init(struct reactor_base *r, const struct reactor_ops *ops)
{
    if (!r || !ops)
        return ERR_INVALID_ARGUMENT;
    *r = (struct reactor_base){
        .ops = ops, .stopped = true, .seconds = monotonic_seconds};
    const char *trace = getenv("REACTOR_TRACE");
    r->trace = trace && *trace && strcmp(trace, "0") != 0;
    /* "running" becomes true in the "during startup" phase, and the
     * "during shutdown" phase ends the loop and disconnects everyone. */
    int err = reactor_add_system_event_trigger(r, PHASE_DURING, "startup",
                                               really_start_running, r, NULL);
    if (!err)
        err = reactor_add_system_event_trigger(r, PHASE_DURING, "shutdown",
                                               crash_trigger, r, NULL);
    if (!err)
        err = reactor_add_system_event_trigger(
            r, PHASE_DURING, "shutdown", disconnect_all_trigger, r, NULL);
    if (err)
        reactor_base_destroy(r);
    return err;
}

void reactor_base_destroy(struct reactor_base *r)
{
    if (!r)
        return;
    delayed_calls_destroy(r);
    for (size_t e = 0; e < r->n_events; e++) {
        free(r->events[e].event_type);
        for (int p = 0; p < N_PHASES; p++)
            free(r->events[e].phases[p]);
    }
    free(r->events);
    r->events = NULL;
    r->n_events = 0;
    free(r->old_clocks);
    r->old_clocks = NULL;
}

void reactor_free(struct reactor_base *r)
{
    if (r)
        r->ops->destroy(r);
}

/* _SignalReactorMixin._reallyStartRunning */
static void really_start_running(void *arg)
{
    struct reactor_base *r = arg;
    r->running = true;
    if (r->install_signal_handlers && r->ops->handle_signals)
        r->ops->handle_signals(r);
}

int reactor_start_running(struct reactor_base *r,
                          bool install_signal_handlers)
{
    if (!r)
        return ERR_INVALID_ARGUMENT;
    if (r->started)
        return ERR_REACTOR_ALREADY_RUNNING;
    if (r->started_before)
        return ERR_REACTOR_NOT_RESTARTABLE;
    r->install_signal_handlers = install_signal_handlers;
    r->started = true;
    r->stopped = false;
    reactor_fire_system_event(r, "startup");
    return REACTOR_OK;
}

/* stop() only marks the reactor: the next run_until_current fires
 * "shutdown", whose "during" phase crashes the loop. */
int reactor_stop(struct reactor_base *r)
{
    if (!r)
        return ERR_INVALID_ARGUMENT;
    if (r->stopped)
        return ERR_REACTOR_NOT_RUNNING;
    r->stopped = true;
    r->just_stopped = true;
    r->started_before = true;
    return REACTOR_OK;
}

/* crash() ends the loop at once, with no shutdown triggers.  The startup
 * trigger it re-adds was used up when "startup" fired. */
void reactor_crash(struct reactor_base *r)
{
    if (!r)
        return;
    r->started = false;
    r->running = false;
    reactor_add_system_event_trigger(r, PHASE_DURING, "startup",
                                     really_start_running, r, NULL);
}

bool reactor_is_internal(const struct reactor_base *r,
                         const struct descriptor *d)
{
    if (!r || !d)
        return false;
    for (size_t i = 0; i < r->n_internal; i++)
        if (r->internal_readers[i] == d)
            return true;
    return false;
}

/* A registered descriptor that is not the reactor's own, or NULL. */
static struct descriptor *first_program_descriptor(struct reactor_base *r)
{
    struct descriptor *some[4];
    for (int writers = 0; writers < 2; writers++) {
        size_t n = writers ? reactor_get_writers(r, some, 4)
                           : reactor_get_readers(r, some, 4);
        for (size_t i = 0; i < n && i < 4; i++)
            if (!reactor_is_internal(r, some[i]))
                return some[i];
    }
    return NULL;
}

/* disconnectAll: every descriptor but the reactor's own is removed and
 * told its connection was lost, one at a time from the live tables: a
 * connection_lost may free another that a copied list would still hold.
 * The count at the start bounds the work: what a connection_lost adds is
 * its adder's business. */
void reactor_disconnect_all(struct reactor_base *r)
{
    if (!r)
        return;
    size_t budget =
        reactor_get_readers(r, NULL, 0) + reactor_get_writers(r, NULL, 0);
    struct descriptor *d;
    while (budget-- > 0 && (d = first_program_descriptor(r))) {
        reactor_remove_reader(r, d);
        reactor_remove_writer(r, d);
        d->ops->connection_lost(d, CONNECTION_LOST);
    }
}

int reactor_call_when_running(struct reactor_base *r, trigger_fn fn,
                              void *arg, uint64_t *id)
{
    if (id)
        *id = 0;
    if (!r || !fn) /* refused while running too: Twisted's assert */
        return ERR_INVALID_ARGUMENT;
    if (r->running) {
        fn(arg);
        return REACTOR_OK;
    }
    return reactor_add_system_event_trigger(r, PHASE_AFTER, "startup", fn,
                                            arg, id);
}

/* ---- time ----------------------------------------------------------- */

/* runtime.py: seconds, on CLOCK_MONOTONIC, not the wall clock: setting
 * the system clock moves no call. */
double monotonic_seconds(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double reactor_seconds(struct reactor_base *r)
{
    if (!r)
        return NAN; /* no reactor, no time */
    return r->seconds(r->seconds_ctx);
}

/* The clock it replaces is kept for the calls made with it.  (After
 * 255 replacements, or out of memory, it is replaced in place: the
 * calls made with it read the new clock.) */
void reactor_set_seconds(struct reactor_base *r, double (*seconds)(void *),
                         void *ctx)
{
    if (!r)
        return;
    seconds = seconds ? seconds : monotonic_seconds;
    if (seconds == r->seconds && ctx == r->seconds_ctx)
        return;
    struct reactor_clock *old =
        r->clock < UCHAR_MAX
            ? realloc(r->old_clocks, (r->clock + 1u) * sizeof *old)
            : NULL;
    if (old) {
        r->old_clocks = old;
        old[r->clock++] = (struct reactor_clock){.seconds = r->seconds,
                                                 .ctx = r->seconds_ctx};
    }
    r->seconds = seconds;
    r->seconds_ctx = ctx;
}

double reactor_clock_seconds(struct reactor_base *r, unsigned char clock)
{
    if (!r || clock > r->clock)
        return NAN; /* no reactor, or no such clock: no time */
    if (clock == r->clock)
        return reactor_seconds(r);
    return r->old_clocks[clock].seconds(r->old_clocks[clock].ctx);
}

/* runUntilCurrent: run every call that is due, then, after a stop(),
 * fire "shutdown".  A call made by a callback here, even with delay 0,
 * is only a new call: it runs in a later pass, so a call that keeps
 * rescheduling itself cannot starve I/O.  (As in Twisted, a callback
 * that calls timeout() itself moves new calls into the heap early.) */
void reactor_run_until_current(struct reactor_base *r)
{
    if (!r)
        return;
    insert_new_delayed_calls(r);
    size_t ran = run_due_calls(r);
    if (r->trace)
        fprintf(stderr,
                "[trace] runUntilCurrent: %zu calls run, %zu in "
                "the heap, %zu new\n",
                ran, r->pending_timed_calls.len, r->n_new);
    if (r->just_stopped) {
        r->just_stopped = false;
        reactor_fire_system_event(r, "shutdown");
    }
}

/* timeout: how long do_iteration may wait: until the earliest call is
 * due, never negative, at most 2147483 s (epoll_wait's int milliseconds),
 * and INFINITY, "forever" (Python's None), when nothing is pending.
 * Cancelled calls have left the heap already, so the earliest entry is a
 * call that will run. */
double reactor_timeout(struct reactor_base *r)
{
    if (!r)
        return INFINITY; /* nothing pending */
    insert_new_delayed_calls(r);
    if (r->pending_timed_calls.len == 0)
        return INFINITY;
    double delay = r->pending_timed_calls.items[0].time - reactor_seconds(r);
    if (delay > 2147483.0)
        delay = 2147483.0;
    return delay > 0 ? delay : 0.0;
}

/* ---- the main loop -------------------------------------------------- */

/* iterate: one pass by hand.  `delay` is how long it may wait: 0 or
 * more, or INFINITY; anything else is refused. */
int reactor_iterate(struct reactor_base *r, double delay)
{
    if (!r || !(delay >= 0))
        return ERR_INVALID_ARGUMENT; /* negative or NaN */
    reactor_run_until_current(r);
    return reactor_do_iteration(r, delay);
}

void reactor_main_loop(struct reactor_base *r)
{
    while (r && r->started) {
        reactor_run_until_current(r);
        double t = reactor_timeout(r);
        /* Twisted's `t = self.running and t2`: once "shutdown" has
         * crashed the loop (running is false), this last pass must not
         * wait. */
        reactor_do_iteration(r, r->running ? t : 0.0);
    }
}

int reactor_run(struct reactor_base *r, bool install_signal_handlers)
{
    if (!r)
        return ERR_INVALID_ARGUMENT;
    int err = reactor_start_running(r, install_signal_handlers);
    if (err)
        return err;
    reactor_main_loop(r);
    /* Restore the handlers run() replaced, for what runs after it. */
    if (install_signal_handlers && r->ops->uninstall_signals)
        r->ops->uninstall_signals(r);
    return REACTOR_OK;
}

/* ---- IReactorFDSet, through the method table ------------------------ */

int reactor_do_iteration(struct reactor_base *r, double timeout)
{
    if (!r || !(timeout >= 0))
        return ERR_INVALID_ARGUMENT; /* negative or NaN */
    r->passes++;
    r->ops->do_iteration(r, timeout);
    return REACTOR_OK;
}

/* A descriptor gets its number the first time it is added. */
static void assign_serial(struct reactor_base *r, struct descriptor *d)
{
    if (d->serial == 0)
        d->serial = ++r->last_serial;
}

/* A reader needs do_read, a writer do_write; both fileno and
 * connection_lost.  (Python would raise AttributeError at the first
 * call; C would call through NULL.) */
static bool has_method_for(const struct descriptor *d, bool reading)
{
    return d && d->ops && d->ops->fileno && d->ops->connection_lost &&
           (reading ? d->ops->do_read != NULL : d->ops->do_write != NULL);
}

int reactor_add_reader(struct reactor_base *r, struct descriptor *d)
{
    if (!r || !has_method_for(d, true))
        return ERR_INVALID_ARGUMENT;
    assign_serial(r, d);
    return r->ops->add_reader(r, d);
}

int reactor_add_writer(struct reactor_base *r, struct descriptor *d)
{
    if (!r || !has_method_for(d, false))
        return ERR_INVALID_ARGUMENT;
    assign_serial(r, d);
    return r->ops->add_writer(r, d);
}

/* A descriptor that can never have been added is not looked for. */
void reactor_remove_reader(struct reactor_base *r, struct descriptor *d)
{
    if (r && d && d->ops && d->ops->fileno)
        r->ops->remove_reader(r, d);
}

void reactor_remove_writer(struct reactor_base *r, struct descriptor *d)
{
    if (r && d && d->ops && d->ops->fileno)
        r->ops->remove_writer(r, d);
}

/* No reactor: none.  No `out`: only counted, as with cap 0. */
size_t reactor_remove_all(struct reactor_base *r, struct descriptor **out,
                          size_t cap)
{
    return r ? r->ops->remove_all(r, out, out ? cap : 0) : 0;
}

size_t reactor_get_readers(struct reactor_base *r, struct descriptor **out,
                           size_t cap)
{
    return r ? r->ops->get_readers(r, out, out ? cap : 0) : 0;
}

size_t reactor_get_writers(struct reactor_base *r, struct descriptor **out,
                           size_t cap)
{
    return r ? r->ops->get_writers(r, out, out ? cap : 0) : 0;
}
