/*
 * Tests of callLater and DelayedCall.  Time comes from a fake clock
 * (task.h) that moves only when a test says so: no timer test sleeps.
 * (Two look at the real clock on purpose: the monotonic clock itself, and
 * a loop waiting 1.5 ms without spinning.)
 *
 *   test_call_later NAME    run one test (exit 0: passed)
 *   test_call_later         run them all
 */
#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <math.h> /* NAN, INFINITY, isinf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../selectreactor.h"
#include "../task.h"
#include "check.h"

/* A reactor on a fake clock that starts at t = 100. */
static struct fake_clock clock_;
static struct reactor_base *fake_reactor(void)
{
    struct reactor_base *r = select_reactor_new();
    if (!r)
        abort();
    clock_.now = 100.0;
    fake_clock_install(&clock_, r);
    return r;
}

static void advance(struct reactor_base *r, double amount)
{
    fake_clock_advance(&clock_, r, amount);
}

/* What ran, in order: each call appends its label. */
static char ran[1024];
static void record(void *label)
{
    strncat(ran, (const char *)label, sizeof ran - strlen(ran) - 1);
}

/* ---- the basics ------------------------------------------------------ */

static void test_call_runs_when_its_time_comes(void)
{
    struct reactor_base *r = fake_reactor();
    CHECK_ERR(reactor_call_later(r, 1.0, record, "a", NULL), REACTOR_OK);
    advance(r, 0.999);
    CHECK_EQ(ran, "");
    advance(r, 0.001);
    CHECK_EQ(ran, "a");
    advance(r, 10);
    CHECK_EQ(ran, "a"); /* once only */
    reactor_free(r);
}

static void test_negative_or_non_finite_delay_is_InvalidDelay(void)
{
    struct reactor_base *r = fake_reactor();
    struct delayed_call *call = (struct delayed_call *)1;
    CHECK_ERR(reactor_call_later(r, -0.001, record, "x", &call),
              ERR_INVALID_DELAY);
    CHECK(call == NULL);
    CHECK_ERR(reactor_call_later(r, NAN, record, "x", NULL),
              ERR_INVALID_DELAY);
    CHECK_ERR(reactor_call_later(r, INFINITY, record, "x", NULL),
              ERR_INVALID_DELAY);
    CHECK_ERR(reactor_call_later(r, 1, NULL, "x", NULL),
              ERR_INVALID_ARGUMENT);
    CHECK(isinf(reactor_timeout(r))); /* nothing was scheduled */
    CHECK_ERR(reactor_call_later(r, 1, record, "a", &call), REACTOR_OK);
    CHECK_ERR(delayed_call_reset(call, NAN), ERR_INVALID_DELAY);
    CHECK_ERR(delayed_call_delay(call, -INFINITY), ERR_INVALID_DELAY);
    CHECK(delayed_call_get_time(call) == 101.0); /* unchanged */
    CHECK_EQ(reactor_error_name(ERR_INVALID_DELAY), "InvalidDelay");
    delayed_call_release(call);
    reactor_free(r);
}

static void test_cancel_reset_delay_after_the_call_ran_are_AlreadyCalled(void)
{
    struct reactor_base *r = fake_reactor();
    struct delayed_call *call;
    reactor_call_later(r, 1, record, "a", &call);
    advance(r, 1);
    CHECK_EQ(ran, "a");
    CHECK_ERR(delayed_call_cancel(call), ERR_ALREADY_CALLED);
    CHECK_ERR(delayed_call_reset(call, 1), ERR_ALREADY_CALLED);
    CHECK_ERR(delayed_call_delay(call, 1), ERR_ALREADY_CALLED);
    CHECK(!delayed_call_active(call));
    CHECK_EQ(reactor_error_message(ERR_ALREADY_CALLED),
             "Tried to cancel an already-called event.");
    delayed_call_release(call);
    reactor_free(r);
}

static void test_cancel_reset_delay_after_cancel_are_AlreadyCancelled(void)
{
    struct reactor_base *r = fake_reactor();
    struct delayed_call *call;
    reactor_call_later(r, 1, record, "a", &call);
    CHECK(delayed_call_active(call));
    CHECK_ERR(delayed_call_cancel(call), REACTOR_OK);
    CHECK(!delayed_call_active(call));
    CHECK_ERR(delayed_call_cancel(call), ERR_ALREADY_CANCELLED);
    CHECK_ERR(delayed_call_reset(call, 1), ERR_ALREADY_CANCELLED);
    CHECK_ERR(delayed_call_delay(call, 1), ERR_ALREADY_CANCELLED);
    advance(r, 5);
    CHECK_EQ(ran, "");
    delayed_call_release(call);
    reactor_free(r);
}

/* ---- moving a call --------------------------------------------------- */

static void test_reset_later_and_delay_move_the_call_later(void)
{
    struct reactor_base *r = fake_reactor();
    struct delayed_call *call;
    reactor_call_later(r, 1, record, "a", &call);
    advance(r, 0.5);
    CHECK_ERR(delayed_call_reset(call, 2), REACTOR_OK); /* from now */
    CHECK_EQ(delayed_call_get_time(call), 102.5);
    CHECK_ERR(delayed_call_delay(call, 1), REACTOR_OK); /* from its time */
    CHECK_EQ(delayed_call_get_time(call), 103.5);
    advance(r, 2.9); /* t = 103.4 */
    CHECK_EQ(ran, "");
    advance(r, 0.1);
    CHECK_EQ(ran, "a");
    delayed_call_release(call);
    reactor_free(r);
}

static void test_reset_sooner_and_negative_delay_move_the_call_sooner(void)
{
    struct reactor_base *r = fake_reactor();
    struct delayed_call *a, *b;
    reactor_call_later(r, 10, record, "a", &a);
    reactor_call_later(r, 20, record, "b", &b);
    reactor_call_later(r, 5, record, "x", NULL);
    CHECK_EQ(reactor_timeout(r), 5);
    CHECK_ERR(delayed_call_reset(b, 1), REACTOR_OK);
    CHECK_ERR(delayed_call_delay(a, -8), REACTOR_OK);
    CHECK_EQ(delayed_call_get_time(b), 101);
    CHECK_EQ(delayed_call_get_time(a), 102);
    CHECK(reactor_timeout(r) == 1); /* the heap's top is b now */
    advance(r, 1);
    CHECK_EQ(ran, "b");
    advance(r, 1);
    CHECK_EQ(ran, "ba");
    advance(r, 3);
    CHECK_EQ(ran, "bax");
    delayed_call_release(a);
    delayed_call_release(b);
    reactor_free(r);
}

/* ---- Twisted's arithmetic ------------------------------------------- */

/* A DelayedCall keeps `time` and `delayed_time` apart and adds them when
 * asked (base.py: DelayedCall.getTime); a reset to a later time records
 * the difference.  0.3 + (0.9 - 0.3) is 0.9000000000000001, so a clock
 * landing exactly on 0.9 does not run the call yet (Twisted neither). */
static void test_reset_later_adds_the_difference_as_twisted_does(void)
{
    struct reactor_base *r = fake_reactor();
    clock_.now = 0.0;
    struct delayed_call *call;
    reactor_call_later(r, 0.3, record, "a", &call);
    CHECK_ERR(delayed_call_reset(call, 0.9), REACTOR_OK);
    printf("  getTime %.17g\n", delayed_call_get_time(call));
    CHECK_EQ(delayed_call_get_time(call), 0.9000000000000001);
    advance(r, 0.9); /* now = 0.9 exactly */
    CHECK_EQ(ran, "");
    advance(r, 1e-16); /* the next double */
    CHECK_EQ(ran, "a");
    delayed_call_release(call);
    reactor_free(r);
}

/* Two delays add up in delayed_time first: 0.1 + (0.1 + 2/3), which is
 * 0.8666666666666666, where (0.1 + 0.1) + 2/3 is one bit later. */
static void test_two_delays_add_up_before_the_time_as_twisted_does(void)
{
    struct reactor_base *r = fake_reactor();
    clock_.now = 0.0;
    struct delayed_call *call;
    reactor_call_later(r, 0.1, record, "a", &call);
    delayed_call_delay(call, 0.1);
    delayed_call_delay(call, 2.0 / 3);
    printf("  getTime %.17g\n", delayed_call_get_time(call));
    CHECK_EQ(delayed_call_get_time(call), 0.8666666666666666);
    advance(r, 0.8666666666666666);
    CHECK_EQ(ran, "a");
    delayed_call_release(call);
    reactor_free(r);
}

/* A new call's parts are folded as it enters the heap
 * (_insertNewDelayedCalls: activate_delay), so a later delay adds to the
 * folded time: (0.1 + 0.1) + 2/3 = 0.8666666666666667 in Twisted too. */
static void test_parts_fold_when_a_new_call_enters_the_heap(void)
{
    struct reactor_base *r = fake_reactor();
    clock_.now = 0.0;
    struct delayed_call *call;
    reactor_call_later(r, 0.1, record, "a", &call);
    delayed_call_reset(call, 0.2); /* time 0.1, delayed_time 0.1 */
    reactor_timeout(r);            /* into the heap: time 0.2 */
    delayed_call_delay(call, 2.0 / 3);
    printf("  getTime %.17g\n", delayed_call_get_time(call));
    CHECK_EQ(delayed_call_get_time(call), 0.8666666666666667);
    delayed_call_release(call);
    reactor_free(r);
}

/* The one fold this heap cannot make (README, "What Twisted does
 * differently"): a pending call moved later keeps its parts here, where
 * Twisted folds them once its old time reaches the top of its heap.
 * After that, Twisted's delay(2/3) gives 0.8666666666666667. */
static void test_pending_call_keeps_its_parts_when_its_old_time_passes(void)
{
    struct reactor_base *r = fake_reactor();
    clock_.now = 0.0;
    struct delayed_call *call;
    reactor_call_later(r, 0.1, record, "a", &call);
    reactor_timeout(r);            /* in the heap at 0.1 */
    delayed_call_reset(call, 0.2); /* delayed_time 0.1 */
    advance(r, 0.1);               /* Twisted folds here: time 0.2 */
    CHECK_EQ(ran, "");
    delayed_call_delay(call, 2.0 / 3);
    printf("  getTime %.17g\n", delayed_call_get_time(call));
    CHECK_EQ(delayed_call_get_time(call), 0.8666666666666666);
    delayed_call_release(call);
    reactor_free(r);
}

/* callLater hands each DelayedCall seconds=self.seconds: replacing the
 * reactor's clock later does not change the clock a call's reset reads. */
static struct fake_clock other_clock; /* now = 0 */
static void test_call_keeps_the_clock_it_was_made_with(void)
{
    struct reactor_base *r = fake_reactor(); /* its clock reads 100 */
    struct delayed_call *call;
    reactor_call_later(r, 5, record, "a", &call);
    fake_clock_install(&other_clock, r);
    CHECK_ERR(delayed_call_reset(call, 1), REACTOR_OK);
    printf("  getTime %.17g\n", delayed_call_get_time(call));
    CHECK(delayed_call_get_time(call) == 101.0); /* 100 + 1, as Twisted */
    struct delayed_call *later;
    reactor_call_later(r, 1, record, "b", &later); /* the new clock's */
    CHECK_EQ(delayed_call_get_time(later), 1.0);
    delayed_call_release(call);
    delayed_call_release(later);
    reactor_free(r);
}

/* A call names its clock in one byte: a reactor keeps 255 clocks.  Past
 * them, a new clock replaces the current one in place, and the calls
 * made with that one read the new clock (in Twisted they keep theirs:
 * README, "What Twisted does differently"). */
static void test_clock_past_the_255th_replaces_the_current_one_in_place(void)
{
    static struct fake_clock clocks[UCHAR_MAX + 1];
    struct reactor_base *r = fake_reactor(); /* its clock reads 100 */
    struct delayed_call *early, *late;
    reactor_call_later(r, 5, record, "a", &early);
    for (int i = 0; r->clock < UCHAR_MAX; i++) {
        clocks[i].now = 1000.0 + i;
        fake_clock_install(&clocks[i], r);
    }
    reactor_call_later(r, 5, record, "b", &late); /* the 255th's */
    clocks[UCHAR_MAX].now = 5000.0;
    fake_clock_install(&clocks[UCHAR_MAX], r);
    CHECK_EQ(r->clock, UCHAR_MAX); /* no room: replaced in place */
    CHECK_ERR(delayed_call_reset(early, 1), REACTOR_OK);
    CHECK_EQ(delayed_call_get_time(early), 101.0); /* its own clock */
    CHECK_ERR(delayed_call_reset(late, 1), REACTOR_OK);
    CHECK_EQ(delayed_call_get_time(late), 5001.0); /* the new one */
    delayed_call_release(early);
    delayed_call_release(late);
    reactor_free(r);
}

/* ---- what runs in which pass ----------------------------------------- */

static struct reactor_base *the_reactor;

static void schedule_another_now(void *arg)
{
    record(arg);
    reactor_call_later(the_reactor, 0, record, "new", NULL);
}

static void test_call_made_during_run_until_current_runs_in_a_later_pass(void)
{
    struct reactor_base *r = the_reactor = fake_reactor();
    reactor_call_later(r, 0, schedule_another_now, "first,", NULL);
    reactor_run_until_current(r);
    CHECK_EQ(ran, "first,");        /* not "first,new" */
    CHECK(reactor_timeout(r) == 0); /* due, in the next pass */
    reactor_run_until_current(r);   /* the clock has not moved */
    CHECK_EQ(ran, "first,new");
    reactor_free(r);
}

/* A call that reschedules itself at 0 forever, beside a reader with
 * data waiting: each pass runs the call once and then does the I/O. */
static int self_calls;
static void again_and_again(void *arg)
{
    (void)arg;
    self_calls++;
    reactor_call_later(the_reactor, 0, again_and_again, NULL, NULL);
}

struct counting_reader {
    struct descriptor base;
    int fd, reads;
};
static int cr_fileno(struct descriptor *d)
{
    return ((struct counting_reader *)d)->fd;
}
static int cr_do_read(struct descriptor *d)
{
    ((struct counting_reader *)d)->reads++;
    return 0;
}
static void cr_lost(struct descriptor *d, int reason)
{
    (void)d, (void)reason;
}
static const struct descriptor_ops cr_ops = {
    .fileno = cr_fileno, .do_read = cr_do_read, .connection_lost = cr_lost};

static void test_zero_delay_rescheduling_does_not_starve_io(void)
{
    struct reactor_base *r = the_reactor = fake_reactor();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
        write(sv[1], "x", 1) != 1)
        abort();
    struct counting_reader reader = {.base.ops = &cr_ops, .fd = sv[0]};
    reactor_add_reader(r, &reader.base);
    reactor_call_later(r, 0, again_and_again, NULL, NULL);
    for (int i = 0; i < 10; i++)
        reactor_iterate(r, reactor_timeout(r));
    CHECK_EQ(self_calls, 10);
    CHECK_EQ(reader.reads, 10);
    reactor_remove_reader(r, &reader.base);
    reactor_free(r);
    close(sv[0]), close(sv[1]);
}

static struct delayed_call *victim;
static void cancel_victim(void *arg)
{
    record(arg);
    CHECK_ERR(delayed_call_cancel(victim), REACTOR_OK);
}
static void postpone_victim(void *arg)
{
    record(arg);
    CHECK_ERR(delayed_call_delay(victim, 0.5), REACTOR_OK);
}
static void hurry_victim(void *arg)
{
    record(arg);
    CHECK_ERR(delayed_call_reset(victim, 0), REACTOR_OK); /* to "now" */
}

static void
test_call_cancelled_by_an_earlier_call_in_the_same_pass_does_not_run(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 1, cancel_victim, "canceller,", NULL);
    reactor_call_later(r, 2, record, "victim", &victim);
    advance(r, 5); /* both due in this one pass */
    CHECK_EQ(ran, "canceller,");
    advance(r, 5);
    CHECK_EQ(ran, "canceller,");
    delayed_call_release(victim);
    reactor_free(r);
}

static void
test_call_moved_later_by_an_earlier_call_in_the_same_pass_does_not_run(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 1, postpone_victim, "postponer,", NULL);
    reactor_call_later(r, 1.2, record, "victim", &victim);
    advance(r, 1.5); /* both due; the victim moves to 101.7 */
    CHECK_EQ(ran, "postponer,");
    advance(r, 0.2);
    CHECK_EQ(ran, "postponer,victim");
    delayed_call_release(victim);
    reactor_free(r);
}

/* As in Twisted: moved sooner, to a time that is due, it is back in the
 * heap at once and runs in the same pass. */
static void
test_call_moved_sooner_by_an_earlier_call_in_the_same_pass_runs(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 1, hurry_victim, "hurrier,", NULL);
    reactor_call_later(r, 50, record, "victim", &victim);
    advance(r, 1);
    CHECK_EQ(ran, "hurrier,victim");
    delayed_call_release(victim);
    reactor_free(r);
}

static void cancel_self(void *arg)
{
    (void)arg;
    record("ran,");
    CHECK_ERR(delayed_call_cancel(victim), ERR_ALREADY_CALLED);
}

static void
test_call_that_cancels_itself_while_running_gets_AlreadyCalled(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 1, cancel_self, NULL, &victim);
    advance(r, 1);
    CHECK_EQ(ran, "ran,");
    delayed_call_release(victim);
    reactor_free(r);
}

/* A deliberate difference: Twisted's heap compares times only, and 20
 * calls due at one time come out scrambled.  Here they keep their order. */
static void test_equal_times_run_in_the_order_they_were_scheduled(void)
{
    struct reactor_base *r = fake_reactor();
    static const char *labels[] = {"a", "b", "c", "d", "e", "f", "g",
                                   "h", "i", "j", "k", "l", "m", "n",
                                   "o", "p", "q", "r", "s", "t"};
    for (int i = 0; i < 20; i++)
        reactor_call_later(r, 1, record, (void *)labels[i], NULL);
    advance(r, 1);
    CHECK_EQ(ran, "abcdefghijklmnopqrst");
    reactor_free(r);
}

/* seq is 32 bits and wraps: ties still run in callLater order across
 * the wrap, because seq_before compares the difference (heapq.h). */
static void test_equal_times_keep_their_order_when_seq_wraps_around(void)
{
    struct reactor_base *r = fake_reactor();
    static const char *labels[] = {"a", "b", "c", "d", "e", "f", "g",
                                   "h", "i", "j", "k", "l", "m", "n",
                                   "o", "p", "q", "r", "s", "t"};
    r->last_seq = UINT32_MAX - 9; /* ten calls before the wrap, ten after */
    for (int i = 0; i < 20; i++)
        reactor_call_later(r, 1, record, (void *)labels[i], NULL);
    printf("  last seq: %u\n", (unsigned)r->last_seq);
    advance(r, 1);
    CHECK_EQ(ran, "abcdefghijklmnopqrst");
    reactor_free(r);
}

/* Random schedules, resets, delays and cancels, on calls in the heap,
 * with time moving on between them, checked against a plain model (which
 * keeps a time and a delay, and adds them as Twisted's DelayedCall does):
 * every live call runs once, never before its time, and each pass runs
 * its calls in time order.  The drain at the end advances exactly to
 * each next call, so those run exactly at their time. */
enum { N_MODEL = 3000 };
static struct {
    struct delayed_call *call;
    double time, delayed;
    int cancelled, runs, in_drain;
    double ran_at;
} model[N_MODEL];
static double last_time;
static int out_of_order, draining;

static void model_ran(void *arg)
{
    int i = (int)(long)arg;
    model[i].runs++;
    model[i].ran_at = clock_.now;
    model[i].in_drain = draining;
    double due = model[i].time + model[i].delayed;
    if (due < last_time)
        out_of_order++;
    last_time = due;
}

static void advance_one_pass(struct reactor_base *r, double amount)
{
    last_time = -INFINITY; /* order is checked within a pass */
    advance(r, amount);
}

static void test_heap_keeps_order_under_random_moves_and_cancels(void)
{
    struct reactor_base *r = fake_reactor();
    unsigned seed = 12345;
#define RAND() ((int)((seed = seed * 1103515245u + 12345u) >> 16 & 0x7fff))
    for (int i = 0; i < N_MODEL; i++) {
        double delay = RAND() % 1000 / 10.0;
        reactor_call_later(r, delay, model_ran, (void *)(long)i,
                           &model[i].call);
        model[i].time = clock_.now + delay;
    }
    reactor_timeout(r); /* all in the heap: what follows moves heap entries */
    for (int k = 0; k < 5 * N_MODEL; k++) {
        if (k % 250 == 0)
            advance_one_pass(r, 0.5); /* some run along the way */
        int i = RAND() % N_MODEL;
        if (model[i].cancelled || model[i].runs)
            continue;
        switch (RAND() % 3) {
        case 0: {
            double s = RAND() % 1000 / 10.0;
            delayed_call_reset(model[i].call, s);
            double t = clock_.now + s; /* DelayedCall.reset */
            if (t < model[i].time)
                model[i].time = t, model[i].delayed = 0;
            else
                model[i].delayed = t - model[i].time;
            break;
        }
        case 1: {
            double s = (RAND() % 200 - 100) / 10.0; /* sooner or later */
            delayed_call_delay(model[i].call, s);
            model[i].delayed += s; /* DelayedCall.delay */
            if (model[i].delayed < 0)
                model[i].time += model[i].delayed, model[i].delayed = 0;
            break;
        }
        default:
            if (RAND() % 4 == 0) {
                delayed_call_cancel(model[i].call);
                model[i].cancelled = 1;
            }
        }
    }
    draining = 1;
    while (!isinf(reactor_timeout(r)))
        advance_one_pass(r, reactor_timeout(r));
    int wrong = 0;
    for (int i = 0; i < N_MODEL; i++) {
        int want = !model[i].cancelled;
        double due = model[i].time + model[i].delayed;
        if (model[i].runs != want || (want && model[i].ran_at < due) ||
            (want && model[i].in_drain && model[i].ran_at != due))
            wrong++;
        delayed_call_release(model[i].call);
    }
    CHECK_EQ(wrong, 0);
    CHECK_EQ(out_of_order, 0);
    reactor_free(r);
#undef RAND
}

/* Moving a call sooner climbs one path of the heap: at most a move per
 * level, log4(n) + 1 of them, not Twisted's linear heap.index search.
 * (The moves are counted here, by comparing the heap before and after,
 * so that the heap itself does not count them on every move.) */
static void test_moving_a_call_sooner_is_logarithmic(void)
{
    struct reactor_base *r = fake_reactor();
    enum { N = 100000 };
    static uint32_t slots[N];
    struct delayed_call *last = NULL;
    for (int i = 0; i < N; i++)
        reactor_call_later(r, 1 + i, record, "", i == N - 1 ? &last : NULL);
    reactor_timeout(r); /* all in the heap; the last call is a leaf */
    struct timer_heap *heap = &r->pending_timed_calls;
    for (size_t i = 0; i < heap->len; i++)
        slots[i] = heap->items[i].slot;
    CHECK_ERR(delayed_call_reset(last, 0.5), REACTOR_OK); /* to the top */
    unsigned long moves = 0;
    for (size_t i = 0; i < heap->len; i++)
        moves += heap->items[i].slot != slots[i];
    printf("  %lu entries moved in a heap of %d\n", moves, N);
    CHECK(moves >= 2 && moves <= 12); /* 9 levels for 100000, and itself */
    CHECK(pool_call(heap->pool, heap->items[0].slot) == last);
    CHECK_EQ(last->index, 0);
    delayed_call_release(last);
    reactor_free(r);
}

/* A burst of calls grows the heap and the pool of calls; once they
 * have run, the memory goes back. */
static void test_memory_is_given_back_after_a_burst_of_calls(void)
{
    struct reactor_base *r = fake_reactor();
    for (int i = 0; i < 100000; i++)
        reactor_call_later(r, 1 + i % 100, record, "", NULL);
    reactor_timeout(r);
    CHECK(r->pending_timed_calls.cap >= 100000);
    CHECK(r->cap_new == 0); /* made outside a pass: never in the list */
    CHECK(r->calls->live_chunks >= 100000 / POOL_CHUNK);
    advance(r, 200); /* all of them run */
    printf("  chunks of calls left: %zu\n", r->calls->live_chunks);
    CHECK(r->calls->live_chunks <= 1); /* one spare stays */
    for (int i = 0; i < 20; i++)
        reactor_timeout(r); /* each pass may halve what is unused */
    CHECK_EQ(r->pending_timed_calls.len, 0);
    CHECK(r->pending_timed_calls.cap <= 64);
    reactor_free(r);
}

/* ---- timeout() ------------------------------------------------------- */

/* Rounded down, a wait would end a hair before the call is due, and the
 * loop would go round once more for nothing. */
static void test_select_timeout_is_rounded_up(void)
{
    struct timeval tv = select_timeval(1.5e-6);
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 2);
    tv = select_timeval(1e-7);
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 1);
    tv = select_timeval(2.0);
    CHECK_EQ(tv.tv_sec, 2);
    CHECK_EQ(tv.tv_usec, 0);
    tv = select_timeval(0);
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 0);
}

static void test_timeout_is_none_when_nothing_is_pending(void)
{
    struct reactor_base *r = fake_reactor();
    CHECK(isinf(reactor_timeout(r))); /* None: wait forever */
    struct delayed_call *call;
    reactor_call_later(r, 3, record, "a", &call);
    CHECK_EQ(reactor_timeout(r), 3);
    delayed_call_cancel(call);
    CHECK(isinf(reactor_timeout(r))); /* cancelled calls do not count */
    delayed_call_release(call);
    reactor_free(r);
}

static void test_timeout_is_time_to_the_earliest_call_never_negative(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 7, record, "a", NULL);
    reactor_call_later(r, 2, record, "b", NULL);
    CHECK_EQ(reactor_timeout(r), 2);
    clock_.now += 1.5; /* time passes, nothing runs */
    CHECK_EQ(reactor_timeout(r), 0.5);
    clock_.now += 10; /* both overdue */
    CHECK_EQ(reactor_timeout(r), 0);
    reactor_free(r);
}

static void test_timeout_is_clamped_to_2147483_seconds(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 1e12, record, "a", NULL);
    CHECK_EQ(reactor_timeout(r), 2147483.0);
    reactor_free(r);
}

/* ---- memory ---------------------------------------------------------- */

static void test_scheduling_and_cancelling_forever_keeps_memory_bounded(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 1000, record, "last", NULL);
    for (int i = 0; i < 1000000; i++) {
        struct delayed_call *call;
        reactor_call_later(r, 1 + i % 100, record, "x", &call);
        if (i % 2) /* cancelled while new, or once in the heap */
            reactor_timeout(r);
        delayed_call_cancel(call);
        delayed_call_release(call);
    }
    reactor_timeout(r);
    CHECK_EQ(r->pending_timed_calls.len, 1);
    CHECK(r->pending_timed_calls.cap <= 64);
    CHECK(r->cap_new <= 16);
    reactor_free(r);
}

/* A callback that makes 5000 calls in every pass: the list of new calls
 * keeps its room from pass to pass, instead of growing it again each
 * time; once the load stops, the room goes back. */
static int loaded_passes;
static void load(void *arg)
{
    struct reactor_base *r = arg;
    for (int i = 0; i < 5000; i++)
        reactor_call_later(r, 1000, record, "x", NULL);
    if (++loaded_passes < 3)
        reactor_call_later(r, 0, load, r, NULL);
}

static void test_steady_load_of_new_calls_keeps_their_list(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 0, load, r, NULL);
    reactor_run_until_current(r); /* load's first pass */
    size_t room = r->cap_new;
    CHECK(room >= 5000);
    reactor_timeout(r); /* the 5000 inserted: the room stays */
    CHECK_EQ(r->cap_new, room);
    reactor_run_until_current(r); /* load's second pass */
    reactor_run_until_current(r); /* and its last */
    reactor_timeout(r);           /* the last 5000 inserted */
    reactor_timeout(r);           /* a pass that made none */
    CHECK_EQ(r->cap_new, 0);
    CHECK_EQ(r->pending_timed_calls.len, 15000);
    reactor_free(r);
}

/* Issue 10, defect 3: a callback that schedules and cancels in a loop,
 * all within one pass.  The cancelled calls never reach the heap; their
 * slots in the new-call list, and the heap room reserved for them, must
 * go back at once, not at the next pass.  The calls that stay keep their
 * order. */
static size_t most_new_room, most_heap_room;
static void churn(void *arg)
{
    struct reactor_base *r = arg;
    reactor_call_later(r, 1, record, "a", NULL);
    for (int i = 0; i < 1000000; i++) {
        struct delayed_call *call;
        reactor_call_later(r, 1, record, "x", &call);
        if (i == 500000)
            reactor_call_later(r, 1, record, "b", NULL);
        delayed_call_cancel(call);
        delayed_call_release(call);
        if (r->cap_new > most_new_room)
            most_new_room = r->cap_new;
        if (r->pending_timed_calls.cap > most_heap_room)
            most_heap_room = r->pending_timed_calls.cap;
    }
    reactor_call_later(r, 1, record, "c", NULL);
}

static void test_cancelled_new_calls_give_their_room_back_within_a_pass(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 0, churn, r, NULL);
    reactor_run_until_current(r); /* churn runs: one pass */
    printf("  most room: %zu in the new-call list, %zu in the heap\n",
           most_new_room, most_heap_room);
    CHECK(most_new_room <= 64);
    CHECK(most_heap_room <= 64);
    advance(r, 1);
    CHECK_EQ(ran, "abc"); /* FIFO among equal times */
    reactor_free(r);
}

static void test_kept_call_answers_after_the_reactor_is_freed(void)
{
    struct reactor_base *r = fake_reactor();
    struct delayed_call *call;
    reactor_call_later(r, 5, record, "a", &call);
    reactor_free(r);
    CHECK(!delayed_call_active(call));
    CHECK_ERR(delayed_call_cancel(call), ERR_ALREADY_CANCELLED);
    delayed_call_release(call);
}

/* Kept calls spread over several chunks of the pool, one of them made
 * by a callback (still waiting in the new-call list): all answer after
 * the reactor is freed, and releasing them, in any order, frees the
 * pool (the sanitizer build checks that nothing leaks or dangles). */
static struct delayed_call *kept[5000];
static void keep_one_more(void *arg)
{
    reactor_call_later(arg, 1, record, "x", &kept[4999]);
}

static void test_kept_calls_of_a_burst_answer_after_the_reactor_is_freed(void)
{
    struct reactor_base *r = fake_reactor();
    for (int i = 0; i < 4998; i++)
        reactor_call_later(r, 1 + i % 7, record, "x", &kept[i]);
    reactor_call_later(r, 0, keep_one_more, r, &kept[4998]);
    reactor_run_until_current(r); /* kept[4998] runs, makes kept[4999] */
    CHECK(kept[4999] != NULL);
    CHECK(r->calls->live_chunks >= 4);
    delayed_call_cancel(kept[7]);
    reactor_free(r);
    int wrong = 0;
    for (int i = 0; i < 5000; i++) {
        int want = i == 4998 ? ERR_ALREADY_CALLED : ERR_ALREADY_CANCELLED;
        if (delayed_call_active(kept[i]) ||
            delayed_call_cancel(kept[i]) != want)
            wrong++;
    }
    CHECK_EQ(wrong, 0);
    for (int i = 0; i < 5000; i += 2) /* every other one, then the rest */
        delayed_call_release(kept[i]);
    for (int i = 1; i < 5000; i += 2)
        delayed_call_release(kept[i]);
}

/* ---- timed calls in the loop ----------------------------------------- */

static void stop_it(void *arg) { reactor_stop(arg); }

static void test_stop_from_a_timed_call_ends_run_with_shutdown(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_add_system_event_trigger(r, PHASE_BEFORE, "shutdown", record,
                                     "shutdown", NULL);
    reactor_call_later(r, 0, stop_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_EQ(ran, "shutdown");
    CHECK_ERR(reactor_run(r, false), ERR_REACTOR_NOT_RESTARTABLE);
    reactor_free(r);
}

static void test_iterate_runs_due_calls_then_one_pass(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_later(r, 1, record, "a", NULL);
    clock_.now += 1;
    unsigned long before = r->passes;
    reactor_iterate(r, 0);
    CHECK_EQ(ran, "a");
    CHECK_EQ(r->passes, before + 1);
    reactor_free(r);
}

static void schedule_from_startup(void *arg)
{
    record("running,");
    reactor_call_later(arg, 0, stop_it, arg, NULL);
}

static void test_call_when_running_still_works(void)
{
    struct reactor_base *r = fake_reactor();
    reactor_call_when_running(r, schedule_from_startup, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_EQ(ran, "running,");
    reactor_free(r);
}

/* On the real clock: a call 1.5 ms away.  The wait is rounded up, so
 * the loop wakes once, when the call is due, instead of spinning through
 * passes that wait 0 because the remainder was rounded down.  (Under
 * select, Linux's timer slack hides a microsecond short; poll and epoll
 * count in milliseconds, where truncating 1.5 ms would show here.) */
static void test_loop_does_not_spin_before_a_call_is_due(void)
{
    struct reactor_base *r = select_reactor_new();
    reactor_call_later(r, 0.0015, stop_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    printf("  passes: %lu\n", r->passes);
    CHECK(r->passes <= 3);
    reactor_free(r);
}

static void test_seconds_reads_the_monotonic_clock_by_default(void)
{
    struct reactor_base *r = select_reactor_new();
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    double t1 = reactor_seconds(r), t2 = reactor_seconds(r);
    CHECK(t1 - now < 1.0 && now - t1 < 1.0);
    CHECK(t2 >= t1);
    reactor_free(r);
}

/* ---- NULL arguments: refused, never followed ------------------------- */

/* A time must come due: a clock that reads NaN, or one so far on that
 * the sum is infinite, is refused as a bad delay would be. */
static void test_a_time_that_cannot_come_due_is_InvalidDelay(void)
{
    struct reactor_base *r = fake_reactor();
    clock_.now = NAN;
    CHECK_ERR(reactor_call_later(r, 1, record, "x", NULL), ERR_INVALID_DELAY);
    clock_.now = 1e308;
    CHECK_ERR(reactor_call_later(r, 1.7e308, record, "x", NULL),
              ERR_INVALID_DELAY);
    clock_.now = 100.0;
    advance(r, NAN); /* refused: the clock stays */
    CHECK_EQ(reactor_seconds(r), 100.0);
    CHECK(isinf(reactor_timeout(r)));          /* nothing was scheduled */
    CHECK(isnan(reactor_clock_seconds(r, 7))); /* no such clock */
    reactor_free(r);
}

static void test_null_reactor_function_or_call_is_refused(void)
{
    struct reactor_base *r = fake_reactor();
    struct delayed_call *keep = NULL;
    CHECK_ERR(reactor_call_later(NULL, 1, record, "a", &keep),
              ERR_INVALID_ARGUMENT);
    CHECK(keep == NULL);
    CHECK_ERR(reactor_call_later(r, 1, NULL, NULL, &keep),
              ERR_INVALID_ARGUMENT);
    CHECK_ERR(delayed_call_cancel(NULL), ERR_INVALID_ARGUMENT);
    CHECK_ERR(delayed_call_reset(NULL, 1), ERR_INVALID_ARGUMENT);
    CHECK_ERR(delayed_call_delay(NULL, 1), ERR_INVALID_ARGUMENT);
    CHECK(!delayed_call_active(NULL));
    CHECK(isnan(delayed_call_get_time(NULL))); /* "no value" */
    delayed_call_release(NULL);
    insert_new_delayed_calls(NULL);
    CHECK_EQ(run_due_calls(NULL), 0);
    delayed_calls_destroy(NULL);
    CHECK(isnan(reactor_seconds(NULL)));
    reactor_set_seconds(NULL, fake_clock_seconds, &clock_);
    reactor_free(r);
}

static void test_null_clock_or_reactor_leaves_the_fake_clock_alone(void)
{
    struct reactor_base *r = fake_reactor();
    CHECK(isnan(fake_clock_seconds(NULL)));
    fake_clock_install(NULL, r); /* nothing: r keeps its clock */
    CHECK_EQ(reactor_seconds(r), 100.0);
    fake_clock_advance(NULL, r, 5);
    fake_clock_advance(&clock_, NULL, 5); /* nothing: time stands still */
    CHECK_EQ(reactor_seconds(r), 100.0);
    reactor_free(r);
}

static void test_null_heap_or_poolless_heap_is_refused(void)
{
    struct timer_heap h = {0};
    CHECK_EQ(heap_reserve(NULL, 1), -1);
    heap_shrink(NULL, 0);
    CHECK_EQ(heap_push(NULL, (struct heap_entry){.time = 1}), -1);
    CHECK_EQ(heap_push(&h, (struct heap_entry){.time = 1}), -1); /* no pool */
    CHECK_EQ(h.len, 0);
    CHECK_EQ(heap_pop(NULL).slot, UINT32_MAX); /* no call's */
    CHECK_EQ(heap_pop(&h).slot, UINT32_MAX);   /* empty */
    heap_remove(NULL, 0);
    heap_remove(&h, 0);
    heap_update(NULL, 0);
    heap_update(&h, 3);
    CHECK_EQ(h.len, 0);
    heap_free(NULL);
    heap_free(&h);
}

/* ---- the runner ------------------------------------------------------ */

static const struct test tests[] = {
    TEST(call_runs_when_its_time_comes),
    TEST(negative_or_non_finite_delay_is_InvalidDelay),
    TEST(cancel_reset_delay_after_the_call_ran_are_AlreadyCalled),
    TEST(cancel_reset_delay_after_cancel_are_AlreadyCancelled),
    TEST(reset_later_and_delay_move_the_call_later),
    TEST(reset_sooner_and_negative_delay_move_the_call_sooner),
    TEST(reset_later_adds_the_difference_as_twisted_does),
    TEST(two_delays_add_up_before_the_time_as_twisted_does),
    TEST(parts_fold_when_a_new_call_enters_the_heap),
    TEST(pending_call_keeps_its_parts_when_its_old_time_passes),
    TEST(call_keeps_the_clock_it_was_made_with),
    TEST(clock_past_the_255th_replaces_the_current_one_in_place),
    TEST(call_made_during_run_until_current_runs_in_a_later_pass),
    TEST(zero_delay_rescheduling_does_not_starve_io),
    TEST(call_cancelled_by_an_earlier_call_in_the_same_pass_does_not_run),
    TEST(call_moved_later_by_an_earlier_call_in_the_same_pass_does_not_run),
    TEST(call_moved_sooner_by_an_earlier_call_in_the_same_pass_runs),
    TEST(call_that_cancels_itself_while_running_gets_AlreadyCalled),
    TEST(equal_times_run_in_the_order_they_were_scheduled),
    TEST(equal_times_keep_their_order_when_seq_wraps_around),
    TEST(heap_keeps_order_under_random_moves_and_cancels),
    TEST(memory_is_given_back_after_a_burst_of_calls),
    TEST(moving_a_call_sooner_is_logarithmic),
    TEST(select_timeout_is_rounded_up),
    TEST(timeout_is_none_when_nothing_is_pending),
    TEST(timeout_is_time_to_the_earliest_call_never_negative),
    TEST(timeout_is_clamped_to_2147483_seconds),
    TEST(scheduling_and_cancelling_forever_keeps_memory_bounded),
    TEST(cancelled_new_calls_give_their_room_back_within_a_pass),
    TEST(steady_load_of_new_calls_keeps_their_list),
    TEST(kept_call_answers_after_the_reactor_is_freed),
    TEST(kept_calls_of_a_burst_answer_after_the_reactor_is_freed),
    TEST(stop_from_a_timed_call_ends_run_with_shutdown),
    TEST(iterate_runs_due_calls_then_one_pass),
    TEST(call_when_running_still_works),
    TEST(loop_does_not_spin_before_a_call_is_due),
    TEST(seconds_reads_the_monotonic_clock_by_default),
    TEST(a_time_that_cannot_come_due_is_InvalidDelay),
    TEST(null_reactor_function_or_call_is_refused),
    TEST(null_clock_or_reactor_leaves_the_fake_clock_alone),
    TEST(null_heap_or_poolless_heap_is_refused),
};

static void clear_ran(void) { ran[0] = '\0'; }

int main(int argc, char **argv)
{
    return run_tests(tests, sizeof tests / sizeof tests[0], argc, argv,
                     clear_ran);
}
