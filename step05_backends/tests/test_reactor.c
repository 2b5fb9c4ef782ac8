/*
 * Tests of the reactor object: its state machine, its triggers, and a
 * dispatch that survives its own callbacks.
 *
 *   REACTOR=poll test_reactor NAME    run one test on one backend
 *   test_reactor                      run them all on select
 *
 * Each test is named after the behaviour it pins down.  As in Twisted's
 * ReactorBuilder, every test runs on every backend (exit 77, "skipped",
 * where this platform lacks it).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h> /* INFINITY, NAN */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../epollreactor.h"
#include "../reactors.h"
#include "../selectreactor.h"
#include "check.h"

/* ---- a descriptor to test with: one end of a pipe -------------------- */

struct probe {
    struct descriptor base;
    struct reactor_base *reactor;
    int fd;
    int reads, writes, lost, lost_reason;
    int (*on_read)(struct probe *self);  /* what do_read does */
    int (*on_write)(struct probe *self); /* what do_write does */
    struct probe *other;                 /* a neighbour to act on */
};

static int probe_fileno(struct descriptor *d)
{
    return ((struct probe *)d)->fd;
}

static int probe_do_read(struct descriptor *d)
{
    struct probe *p = (struct probe *)d;
    p->reads++;
    return p->on_read ? p->on_read(p) : 0;
}

static int probe_do_write(struct descriptor *d)
{
    struct probe *p = (struct probe *)d;
    p->writes++;
    return p->on_write ? p->on_write(p) : 0;
}

static void probe_connection_lost(struct descriptor *d, int reason)
{
    struct probe *p = (struct probe *)d;
    p->lost++;
    p->lost_reason = reason;
}

static const struct descriptor_ops probe_ops = {
    .fileno = probe_fileno,
    .do_read = probe_do_read,
    .do_write = probe_do_write,
    .connection_lost = probe_connection_lost,
};

/* A probe on one end of a socket pair that already holds a byte, so it
 * is readable until someone reads it (nobody does: level-triggered), and
 * writable. */
static struct probe readable_probe(struct reactor_base *r, int *write_end)
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0 ||
        write(fds[1], "x", 1) != 1)
        abort();
    *write_end = fds[1];
    return (struct probe){.base.ops = &probe_ops, .reactor = r, .fd = fds[0]};
}

static bool is_select(struct reactor_base *r)
{
    return strcmp(r->ops->name, "SelectReactor") == 0;
}

/* Whether the kernel forgets a closed fd without a word (epoll, kqueue). */
static bool kernel_forgets_closed_fds(struct reactor_base *r)
{
    (void)r;
    return strcmp(backend(), "epoll") == 0 ||
           strcmp(backend(), "kqueue") == 0;
}

/* A probe on one end of a fresh socket pair, nothing waiting. */
static struct probe quiet_probe(struct reactor_base *r, int *other_end)
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
        abort();
    *other_end = fds[1];
    return (struct probe){.base.ops = &probe_ops, .reactor = r, .fd = fds[0]};
}

/* ---- recording what happened, in order ------------------------------- */

static char events[512];

static void note(const char *what)
{
    if (events[0])
        strncat(events, ",", sizeof events - strlen(events) - 1);
    strncat(events, what, sizeof events - strlen(events) - 1);
}

static void note_before(void *arg)
{
    (void)arg;
    note("before");
}
static void note_during(void *arg)
{
    (void)arg;
    note("during");
}
static void note_after(void *arg)
{
    (void)arg;
    note("after");
}

static void stop_it(void *arg) { reactor_stop(arg); }

/* ---- the state machine ----------------------------------------------- */

static void test_stop_before_run_is_ReactorNotRunning(void)
{
    struct reactor_base *r = new_reactor();
    CHECK_ERR(reactor_stop(r), ERR_REACTOR_NOT_RUNNING);
    reactor_free(r);
}

static int second_stop;
static void stop_twice(void *arg)
{
    reactor_stop(arg);
    second_stop = reactor_stop(arg);
}

static void test_stop_twice_is_ReactorNotRunning(void)
{
    struct reactor_base *r = new_reactor();
    reactor_call_when_running(r, stop_twice, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_ERR(second_stop, ERR_REACTOR_NOT_RUNNING);
    reactor_free(r);
}

static int nested_run;
static void run_again(void *arg)
{
    nested_run = reactor_run(arg, false);
    reactor_stop(arg);
}

static void test_run_while_running_is_ReactorAlreadyRunning(void)
{
    struct reactor_base *r = new_reactor();
    reactor_call_when_running(r, run_again, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_ERR(nested_run, ERR_REACTOR_ALREADY_RUNNING);
    reactor_free(r);
}

static void test_run_after_stop_is_ReactorNotRestartable(void)
{
    struct reactor_base *r = new_reactor();
    reactor_call_when_running(r, stop_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_ERR(reactor_run(r, false), ERR_REACTOR_NOT_RESTARTABLE);
    reactor_free(r);
}

static void crash_it(void *arg) { reactor_crash(arg); }

static struct reactor_base *watched;
static void note_running(void *arg);

static void test_crash_ends_run_without_shutdown_and_allows_rerun(void)
{
    struct reactor_base *r = new_reactor();
    reactor_add_system_event_trigger(r, PHASE_BEFORE, "shutdown", note_before,
                                     NULL, NULL);
    reactor_call_when_running(r, crash_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_EQ(events, ""); /* no shutdown triggers */
    CHECK(!r->running);
    /* A crashed reactor was never stopped: it may run again, and "during
     * startup" (which crash re-armed) makes it running again. */
    watched = r;
    reactor_call_when_running(r, note_running, NULL, NULL);
    reactor_call_when_running(r, stop_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_EQ(events, "during(running),before");
    reactor_free(r);
}

static void test_errors_have_twisted_names_and_messages(void)
{
    CHECK_EQ(reactor_error_name(ERR_REACTOR_NOT_RUNNING),
             "ReactorNotRunning");
    CHECK_EQ(reactor_error_message(ERR_REACTOR_NOT_RUNNING),
             "Can't stop reactor that isn't running.");
    CHECK_EQ(reactor_error_name(ERR_REACTOR_ALREADY_RUNNING),
             "ReactorAlreadyRunning");
    CHECK_EQ(reactor_error_name(ERR_REACTOR_NOT_RESTARTABLE),
             "ReactorNotRestartable");
    CHECK_EQ(reactor_error_name((reactor_error)999), "UnknownError");
    CHECK_EQ(reason_name(CONNECTION_DONE), "ConnectionDone");
    CHECK_EQ(reason_name(-EBADF), strerror(EBADF));
}

/* ---- system event triggers ------------------------------------------- */

static void note_running(void *arg)
{
    (void)arg;
    note(watched->running ? "during(running)" : "during(stopped)");
}

static void test_shutdown_triggers_run_in_phase_order(void)
{
    struct reactor_base *r = watched = new_reactor();
    /* Added in scrambled order; they must fire before, during, after. */
    reactor_add_system_event_trigger(r, PHASE_AFTER, "shutdown", note_after,
                                     NULL, NULL);
    reactor_add_system_event_trigger(r, PHASE_DURING, "shutdown",
                                     note_running, NULL, NULL);
    reactor_add_system_event_trigger(r, PHASE_BEFORE, "shutdown", note_before,
                                     NULL, NULL);
    reactor_call_when_running(r, stop_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    /* The built-in "during" triggers (crash, disconnectAll) were added
     * first, so by the user's "during" trigger the reactor has crashed. */
    CHECK_EQ(events, "before,during(stopped),after");
    reactor_free(r);
}

static void test_call_when_running_waits_for_startup_then_runs_at_once(void)
{
    struct reactor_base *r = new_reactor();
    uint64_t id = 99;
    reactor_add_system_event_trigger(r, PHASE_BEFORE, "startup", note_before,
                                     NULL, NULL);
    reactor_call_when_running(r, note_after, NULL, &id);
    CHECK(id != 0 && id != 99); /* deferred: a trigger id */
    CHECK_EQ(events, "");
    reactor_call_when_running(r, stop_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_EQ(events, "before,after");

    struct reactor_base *r2 = new_reactor();
    reactor_start_running(r2, false); /* running, loop not entered */
    reactor_call_when_running(r2, note_during, NULL, &id);
    CHECK(id == 0); /* called at once: no trigger */
    CHECK_EQ(events, "before,after,during");
    reactor_free(r);
    reactor_free(r2);
}

static void test_removed_trigger_does_not_run(void)
{
    struct reactor_base *r = new_reactor();
    uint64_t id;
    CHECK_ERR(reactor_add_system_event_trigger(r, PHASE_BEFORE, "custom",
                                               note_before, NULL, &id),
              REACTOR_OK);
    CHECK_ERR(reactor_remove_system_event_trigger(r, id), REACTOR_OK);
    CHECK_ERR(reactor_remove_system_event_trigger(r, id),
              ERR_NO_SUCH_TRIGGER);
    CHECK_ERR(reactor_add_system_event_trigger(r, (enum phase)7, "custom",
                                               note_before, NULL, NULL),
              ERR_INVALID_ARGUMENT);
    reactor_fire_system_event(r, "custom");
    reactor_fire_system_event(r, "no such event"); /* nothing, no error */
    CHECK_EQ(events, "");
    reactor_free(r);
}

static struct reactor_base *adder;
static void add_another_during(void *arg)
{
    (void)arg;
    note("first");
    reactor_add_system_event_trigger(adder, PHASE_DURING, "custom",
                                     note_during, NULL, NULL);
}

static void test_trigger_added_while_its_phase_fires_still_runs(void)
{
    struct reactor_base *r = adder = new_reactor();
    reactor_add_system_event_trigger(r, PHASE_DURING, "custom",
                                     add_another_during, NULL, NULL);
    reactor_add_system_event_trigger(r, PHASE_AFTER, "custom", note_after,
                                     NULL, NULL);
    reactor_fire_system_event(r, "custom");
    CHECK_EQ(events, "first,during,after");
    /* Fired triggers are used up. */
    reactor_fire_system_event(r, "custom");
    CHECK_EQ(events, "first,during,after");
    reactor_free(r);
}

/* _ThreePhaseEvent.removeTrigger_BEFORE: while the "before" phase fires,
 * removing a "before" trigger that already ran warns (DeprecationWarning,
 * on stderr here) and succeeds; once the phase is over it is gone. */
static uint64_t ran_first;
static int removing_ran_first;
static void remove_the_first(void *arg)
{
    note("second");
    removing_ran_first = reactor_remove_system_event_trigger(arg, ran_first);
}

static void test_removing_a_before_trigger_that_ran_while_firing_is_ok(void)
{
    struct reactor_base *r = new_reactor();
    reactor_add_system_event_trigger(r, PHASE_BEFORE, "custom", note_before,
                                     NULL, &ran_first);
    reactor_add_system_event_trigger(r, PHASE_BEFORE, "custom",
                                     remove_the_first, r, NULL);
    reactor_add_system_event_trigger(r, PHASE_AFTER, "custom", note_after,
                                     NULL, NULL);
    reactor_fire_system_event(r, "custom");
    CHECK_ERR(removing_ran_first, REACTOR_OK);
    CHECK_EQ(events, "before,second,after");
    CHECK_ERR(reactor_remove_system_event_trigger(r, ran_first),
              ERR_NO_SUCH_TRIGGER);
    reactor_fire_system_event(r, "custom"); /* all used up */
    CHECK_EQ(events, "before,second,after");
    reactor_free(r);
}

/* ---- readers, writers, and the dispatch ------------------------------ */

/* select cannot watch an fd >= FD_SETSIZE and refuses it; the others
 * watch it like any other. */
static void test_fd_beyond_FD_SETSIZE_is_refused_by_select_only(void)
{
    struct reactor_base *r = new_reactor();
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < FD_SETSIZE + 64) {
        printf("SKIP: the open-file limit is below FD_SETSIZE + 64\n");
        exit(77);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < FD_SETSIZE + 64) {
        rl.rlim_cur = FD_SETSIZE + 64;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
            printf("SKIP: cannot raise the open-file limit: %s\n",
                   strerror(errno));
            exit(77);
        }
    }
    int w;
    struct probe low = readable_probe(r, &w);
    struct probe high = low;
    high.fd = FD_SETSIZE + 10;
    if (dup2(low.fd, high.fd) < 0)
        abort();
    if (is_select(r)) {
        CHECK_ERR(reactor_add_reader(r, &high.base), ERR_FD_OUT_OF_RANGE);
        CHECK_ERR(reactor_add_writer(r, &high.base), ERR_FD_OUT_OF_RANGE);
    } else {
        CHECK_ERR(reactor_add_reader(r, &high.base), REACTOR_OK);
        reactor_iterate(r, 0);
        CHECK_EQ(high.reads, 1);
        reactor_remove_reader(r, &high.base);
    }
    struct probe negative = {.base.ops = &probe_ops, .fd = -1};
    CHECK_ERR(reactor_add_reader(r, &negative.base), ERR_BAD_DESCRIPTOR);
    reactor_free(r);
    close(low.fd), close(high.fd), close(w);
}

/* A reader must have do_read, a writer do_write. */
static const struct descriptor_ops no_write_ops = {
    .fileno = probe_fileno,
    .do_read = probe_do_read,
    .connection_lost = probe_connection_lost,
};

static void test_a_writer_without_do_write_is_refused(void)
{
    struct reactor_base *r = new_reactor();
    struct probe a = {.base.ops = &no_write_ops, .fd = 0};
    CHECK_ERR(reactor_add_writer(r, &a.base), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_add_reader(r, NULL), ERR_INVALID_ARGUMENT);
    struct descriptor *list[4];
    CHECK_EQ(reactor_get_writers(r, list, 4), 0);
    reactor_free(r);
}

static void test_two_descriptors_on_one_fd_is_FdInUse(void)
{
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = quiet_probe(r, &w);
    struct probe b = a;
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK); /* idempotent */
    CHECK_ERR(reactor_add_reader(r, &b.base), ERR_FD_IN_USE);
    reactor_free(r);
    close(a.fd), close(w);
}

static void test_readers_writers_and_remove_all_leave_the_waker(void)
{
    struct reactor_base *r = new_reactor();
    struct descriptor *list[8];
    size_t internal = reactor_get_readers(r, list, 8); /* the waker */
    CHECK_EQ(internal, 1);
    int wa, wb;
    struct probe a = quiet_probe(r, &wa), b = quiet_probe(r, &wb);
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base);
    reactor_add_writer(r, &b.base);
    CHECK_EQ(reactor_get_readers(r, list, 8), 2);
    CHECK_EQ(reactor_get_writers(r, list, 8), 2);
    CHECK(reactor_get_writers(r, list, 1) == 2); /* count beyond cap */
    size_t removed = reactor_remove_all(r, list, 8);
    CHECK(removed == 2); /* a once, though reader and writer, and b */
    CHECK((list[0] == &a.base && list[1] == &b.base) ||
          (list[0] == &b.base && list[1] == &a.base));
    CHECK_EQ(reactor_get_readers(r, list, 8), internal);
    CHECK_EQ(reactor_get_writers(r, list, 8), 0);
    reactor_free(r);
    close(a.fd), close(b.fd), close(wa), close(wb);
}

static int remove_other(struct probe *self)
{
    reactor_remove_reader(self->reactor, &self->other->base);
    return 0;
}

/* Both are ready in the same pass; the first to run removes the other,
 * which must not be called (Twisted: `if selectable not in fdset`). */
static void test_descriptor_removed_by_another_callback_is_not_called(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa), b = readable_probe(r, &wb);
    a.on_read = b.on_read = remove_other;
    a.other = &b;
    b.other = &a;
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &b.base);
    reactor_iterate(r, 0);
    CHECK(a.reads + b.reads == 1); /* whichever ran first, only one ran */
    reactor_free(r);
    close(a.fd), close(b.fd), close(wa), close(wb);
}

static int remove_and_readd_self(struct probe *self)
{
    reactor_remove_reader(self->reactor, &self->base);
    reactor_remove_writer(self->reactor, &self->base);
    reactor_add_reader(self->reactor, &self->base);
    reactor_add_writer(self->reactor, &self->base);
    self->on_read = NULL; /* once */
    return 0;
}

static void test_descriptor_that_removes_and_readds_itself_runs_once(void)
{
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = readable_probe(r, &w);
    a.on_read = remove_and_readd_self;
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    CHECK(a.writes == 0); /* not a writer when select() was asked */
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 2);
    CHECK(a.writes == 1); /* still the same descriptor: called */
    reactor_free(r);
    close(a.fd), close(w);
}

static int remove_self(struct probe *self)
{
    reactor_remove_reader(self->reactor, &self->base);
    reactor_remove_writer(self->reactor, &self->base);
    return 0;
}

/* Ready to read and to write; its read removes it: its write, due in
 * the same pass, is not made, and nothing more is called after. */
static void test_descriptor_that_removes_itself_is_called_no_more(void)
{
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = readable_probe(r, &w);
    a.on_read = remove_self;
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base);
    reactor_iterate(r, 0);
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    CHECK_EQ(a.writes, 0);
    CHECK_EQ(a.lost, 0);
    reactor_free(r);
    close(a.fd), close(w);
}

static int add_other(struct probe *self)
{
    reactor_add_reader(self->reactor, &self->other->base);
    return 0;
}

static void test_descriptor_added_during_dispatch_waits_for_next_pass(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa), b = readable_probe(r, &wb);
    /* a adds b, ready, with a higher fd, later in this very dispatch
     * loop; but the wait was not asked about b, so b waits its turn. */
    if (b.fd < a.fd) {
        struct probe t = a;
        a = b;
        b = t;
    }
    a.on_read = add_other;
    a.other = &b;
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    CHECK_EQ(b.reads, 0);
    reactor_iterate(r, 0);
    CHECK_EQ(b.reads, 1);
    reactor_free(r);
    close(a.fd), close(b.fd), close(wa), close(wb);
}

/* The first callback closes its neighbour's fd and opens a new one,
 * which the kernel hands the same number; a new descriptor is put there,
 * ready.  It was not what select() was asked about: not called yet. */
static struct probe newcomer;
static int newcomer_peer;
static int replace_other(struct probe *self)
{
    struct probe *old = self->other;
    reactor_remove_reader(self->reactor, &old->base);
    close(old->fd);
    newcomer = readable_probe(self->reactor, &newcomer_peer);
    CHECK_EQ(newcomer.fd, old->fd);
    reactor_add_reader(self->reactor, &newcomer.base);
    self->on_read = NULL;
    return 0;
}

static void test_new_descriptor_on_a_reused_fd_waits_for_next_pass(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa), b = readable_probe(r, &wb);
    a.on_read = replace_other; /* a's fd is lower: it runs first */
    a.other = &b;
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &b.base);
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    CHECK_EQ(b.reads, 0);
    CHECK_EQ(newcomer.reads, 0);
    reactor_iterate(r, 0);
    CHECK_EQ(newcomer.reads, 1);
    reactor_free(r);
    close(a.fd), close(newcomer.fd), close(newcomer_peer), close(wa),
        close(wb);
}

static int done_reading(struct probe *self)
{
    (void)self;
    return CONNECTION_DONE;
}

static void test_reason_from_do_read_disconnects_the_descriptor(void)
{
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = readable_probe(r, &w);
    a.on_read = done_reading;
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base); /* also a writer: removed too */
    reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(a.lost_reason, CONNECTION_DONE);
    CHECK(a.writes == 0); /* disconnected by its read: no write after */
    struct descriptor *list[4];
    CHECK_EQ(reactor_get_writers(r, list, 4), 0);
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    reactor_free(r);
    close(a.fd), close(w);
}

static int lose_fd(struct probe *self)
{
    close(self->fd);
    self->fd = -1;
    return 0;
}

static void test_fileno_gone_to_minus_one_is_ConnectionFdescWentAway(void)
{
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = readable_probe(r, &w);
    a.on_read = lose_fd;
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(a.lost_reason, CONNECTION_FDESC_WENT_AWAY);
    struct descriptor *list[4];
    CHECK(reactor_get_readers(r, list, 4) == 1); /* only the waker */
    reactor_free(r);
    close(w);
}

/* A registered fd closed behind the reactor's back: select() fails with
 * EBADF and poll() answers POLLNVAL, so the reactor finds it and
 * disconnects it; epoll and kqueue drop a closed fd from their kernel
 * sets by themselves and never mention it again.  Under every backend
 * the loop goes on, not busy, and serves the rest. */
static void test_closed_fd_is_dropped_and_others_keep_working(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa), b = readable_probe(r, &wb);
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &b.base);
    close(a.fd); /* a still says fileno() == its old fd */
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 0);
    CHECK(b.reads >= 2 && b.lost == 0); /* select's preening: one pass */
    bool reported =
        strcmp(backend(), "epoll") != 0 && strcmp(backend(), "kqueue") != 0;
    if (reported)
        CHECK(a.lost == 1 && a.lost_reason == -EBADF);
    else /* still registered, as in Twisted: its owner's to remove */
        CHECK_EQ(a.lost, 0);
    reactor_free(r);
    close(b.fd), close(wa), close(wb);
}

/* libkqueue (kqueue on Linux, built with -DREACTOR_LIBKQUEUE=ON) keeps
 * the epoll registration of a closed fd while a dup of it is open (its
 * issue #99); a BSD kernel drops the filters at close().  What the three
 * tests of that case pin, it cannot give. */
static void skip_on_libkqueue_with_a_dup_open(void)
{
#ifdef REACTOR_LIBKQUEUE
    if (strcmp(backend(), "kqueue") == 0) {
        printf("SKIP: libkqueue keeps the filters of a closed fd while a dup "
               "is open (libkqueue issue #99); a BSD kernel drops them\n");
        exit(77);
    }
#endif
}

/* A dup of the fd stays open, so the socket it names does too: epoll
 * goes on reporting it under the closed number, which DEL can no longer
 * reach.  The loop must not spin on it. */
static int read_or_fail(struct probe *self)
{
    char c;
    return read(self->fd, &c, 1) < 0 ? -errno : 0;
}

static void test_closed_fd_with_a_dup_open_does_not_keep_the_loop_busy(void)
{
    skip_on_libkqueue_with_a_dup_open();
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = readable_probe(r, &w);
    a.on_read = read_or_fail;
    reactor_add_reader(r, &a.base);
    int dup_fd = dup(a.fd);
    close(a.fd);
    for (int i = 0; i < 5; i++) {
        if (write(w, "x", 1) != 1) /* keep the socket readable */
            abort();
        reactor_iterate(r, 0);
    }
    CHECK(a.lost <= 1);
    CHECK(a.reads <= 1); /* at most once, then never again */
    /* Not busy: with nothing else to do, a pass waits its full timeout. */
    double start = now();
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0.05);
    CHECK(now() - start >= 0.12);
    reactor_free(r);
    close(dup_fd), close(w);
}

/* ---- hang-ups (_PollLikeMixin._doReadOrWrite) ------------------------ */

/* Reads what is there; at end of file, says the connection is done. */
static char got[64];
static int read_all(struct probe *self)
{
    char buf[16];
    ssize_t n = read(self->fd, buf, sizeof buf);
    if (n == 0)
        return CONNECTION_DONE;
    if (n < 0)
        return -errno;
    strncat(got, buf, (size_t)n);
    return 0;
}

/* The peer wrote, then hung up: the bytes come first, then the end. */
static void test_input_is_read_before_a_hangup_is_reported(void)
{
    struct reactor_base *r = new_reactor();
    int peer;
    struct probe a = quiet_probe(r, &peer);
    a.on_read = read_all;
    if (write(peer, "abc", 3) != 3)
        abort();
    close(peer);
    reactor_add_reader(r, &a.base);
    for (int i = 0; i < 3 && !a.lost; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(got, "abc");
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(a.lost_reason, CONNECTION_DONE);
    reactor_free(r);
    close(a.fd);
}

/* The writer of a pipe closes: the reader's connection is done, on every
 * backend.  Linux's poll and epoll say "hang-up" and nothing readable, so
 * it is done without a read; select and kqueue say "readable", and the
 * read finds the end; macOS's and the BSDs' poll say both (POLLIN with
 * POLLHUP), and the one read finds it too. */
static void test_hangup_of_a_reader_without_input_is_ConnectionDone(void)
{
    struct reactor_base *r = new_reactor();
    int fds[2];
    if (pipe(fds) < 0)
        abort();
    struct probe a = {.base.ops = &probe_ops, .reactor = r, .fd = fds[0]};
    a.on_read = read_all;
    close(fds[1]);
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(a.lost_reason, CONNECTION_DONE);
    bool poll_like = !is_select(r) && strcmp(backend(), "kqueue") != 0;
#ifdef __linux__
    CHECK_EQ(a.reads, poll_like ? 0 : 1);
#else
    if (poll_like)
        CHECK(a.reads <= 1);
    else
        CHECK_EQ(a.reads, 1);
#endif
    reactor_free(r);
    close(a.fd);
}

static int write_one(struct probe *self)
{
    return write(self->fd, "x", 1) < 0 ? CONNECTION_LOST : 0;
}

/* A descriptor that only writes, whose peer is gone: its connection is
 * lost (poll-like backends see the hang-up; select sees a write fail). */
static void test_hangup_of_a_writer_only_descriptor_is_ConnectionLost(void)
{
    struct reactor_base *r = new_reactor();
    int peer;
    struct probe a = quiet_probe(r, &peer);
    a.on_write = write_one;
    close(peer);
    reactor_add_writer(r, &a.base);
    for (int i = 0; i < 3 && !a.lost; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(a.lost_reason, CONNECTION_LOST);
    /* poll, epoll, kqueue: the hang-up alone says it, no write tried */
    CHECK(is_select(r) ? a.writes >= 1 : a.writes == 0);
    reactor_free(r);
    close(a.fd);
}

/* A descriptor that reads and writes, whose peer wrote and hung up: it
 * reads the input, and its next write fails (EPIPE), losing the
 * connection, on every backend; under kqueue, the write filter's EV_EOF
 * is what calls do_write (kqreactor.py: KQueueReactor._doWriteOrRead),
 * not a drained read filter later. */
static void test_hangup_of_a_reader_and_writer_reaches_its_write(void)
{
    struct reactor_base *r = new_reactor();
    int peer;
    struct probe a = quiet_probe(r, &peer);
    a.on_read = read_all;
    a.on_write = write_one;
    if (write(peer, "abc", 3) != 3)
        abort();
    close(peer);
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base);
    for (int i = 0; i < 3 && !a.lost; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.writes, 1);
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(reason_name(a.lost_reason), "ConnectionLost");
    reactor_free(r);
    close(a.fd);
}

/* A descriptor that reads and writes shuts down its own writing; the
 * peer stays.  Nothing is readable, the write side is finished: its next
 * write fails and loses the connection.  A BSD kernel reports EV_EOF on
 * the write filter at every wait here: a kqueue reactor that dropped it
 * would spin at full CPU. */
static void test_reader_writer_shut_for_writing_is_lost_at_its_write(void)
{
    struct reactor_base *r = new_reactor();
    int peer;
    struct probe a = quiet_probe(r, &peer);
    a.on_read = read_all;
    a.on_write = write_one;
    shutdown(a.fd, SHUT_WR);
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base);
    for (int i = 0; i < 3 && !a.lost; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 0);
    CHECK_EQ(a.writes, 1);
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(reason_name(a.lost_reason), "ConnectionLost");
    reactor_free(r);
    close(a.fd), close(peer);
}

/* ---- stale events (poll, epoll, kqueue) ------------------------------ */

/* a's callback reconnects b: b's old socket is closed and a new one gets
 * the same fd number.  b's hang-up from the old socket, already in this
 * pass's answer, must not reach its new connection. */
static struct probe *reconnected;
static int reconnect_other(struct probe *self)
{
    reactor_remove_writer(self->reactor, &reconnected->base);
    close(reconnected->fd);
    int peer;
    struct probe fresh = quiet_probe(self->reactor, &peer);
    CHECK(fresh.fd == reconnected->fd); /* the same number, reused */
    reactor_add_writer(self->reactor, &reconnected->base);
    self->on_read = NULL;
    return 0;
}

static void test_event_of_an_old_socket_does_not_reach_a_new_one(void)
{
    struct reactor_base *r = new_reactor();
    int wa, peer;
    struct probe a = readable_probe(r, &wa);
    struct probe b = quiet_probe(r, &peer);
    close(peer); /* b: a hang-up is waiting */
    reconnected = &b;
    a.on_read = reconnect_other; /* a's fd is lower: it runs first */
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &b.base);
    reactor_iterate(r, 0);
    CHECK_EQ(b.lost, 0);
    reactor_free(r);
    close(a.fd), close(b.fd), close(wa);
}

/* A reader and writer whose fd is closed while a dup stays open; then it
 * stops writing.  epoll cannot drop the interest any more (EBADF): the
 * reactor must notice, and not spin on the writable socket. */
static void test_failed_removal_with_a_dup_open_does_not_spin(void)
{
    skip_on_libkqueue_with_a_dup_open();
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = quiet_probe(r, &w);
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base);
    int dup_fd = dup(a.fd);
    close(a.fd); /* fileno() still says the old number */
    reactor_remove_writer(r, &a.base);
    reactor_iterate(r, 0);
    double start = now();
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0.05);
    CHECK(now() - start >= 0.12);
    CHECK_EQ(a.writes, 0);
    reactor_free(r);
    close(dup_fd), close(w);
}

/* The stale registration of a closed-but-dup'd fd, and a new descriptor
 * on the same number: the new one hears only its own events. */
static void test_new_descriptor_on_a_stale_fd_number_hears_only_its_own(void)
{
    skip_on_libkqueue_with_a_dup_open(); /* about 1 run in 200 there, kevent()
                                            fails with EINVAL on every pass */
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa);
    reactor_add_reader(r, &a.base);
    int dup_fd = dup(a.fd);
    close(a.fd);
    reactor_remove_reader(r, &a.base);
    struct probe b = quiet_probe(r, &wb); /* a's old number */
    reactor_add_reader(r, &b.base);
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK(b.reads == 0); /* a's pending byte is not b's */
    if (write(wb, "y", 1) != 1)
        abort();
    reactor_iterate(r, 0);
    CHECK_EQ(b.reads, 1);
    reactor_free(r);
    close(dup_fd), close(b.fd), close(wb);
}

/* epoll makes its set anew after a stale event; a connection_lost run
 * then (for an fd the new set refused) registers another descriptor.
 * That one must stay registered and healthy. */
static struct probe standby;
static void lost_then_add_standby(struct descriptor *d, int reason)
{
    probe_connection_lost(d, reason);
    CHECK_ERR(reactor_add_reader(((struct probe *)d)->reactor, &standby.base),
              REACTOR_OK);
}
static const struct descriptor_ops adds_standby_ops = {
    .fileno = probe_fileno,
    .do_read = probe_do_read,
    .do_write = probe_do_write,
    .connection_lost = lost_then_add_standby,
};

static void test_descriptor_added_while_the_set_is_rebuilt_stays(void)
{
    struct reactor_base *r = new_reactor();
    int we, wc, ws;
    struct probe e = readable_probe(r, &we);
    struct probe c = quiet_probe(r, &wc);
    c.base.ops = &adds_standby_ops;
    standby = quiet_probe(r, &ws);
    reactor_add_reader(r, &e.base);
    reactor_add_reader(r, &c.base);
    int dup_fd = dup(e.fd);
    close(e.fd);
    reactor_remove_reader(r, &e.base); /* epoll: DEL fails, stale stays */
    close(c.fd);                       /* behind the reactor's back */
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(standby.lost, 0);
    reactor_free(r);
    close(dup_fd), close(standby.fd), close(we), close(wc), close(ws);
}

/* ---- stale registrations: a registered fd closed, its number reused -- */

/* a's fd is closed behind the reactor's back and its number taken at
 * once by b's new socket.  a's registration is stale (its file is gone):
 * b is served, and a is disconnected with -EBADF when the loop next
 * passes, not inside b's add; nothing closes the number, b's now. */
static void test_newcomer_on_the_number_of_a_closed_fd_is_served(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa);
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base);
    close(a.fd); /* a still says fileno() == its old fd */
    struct probe b = readable_probe(r, &wb);
    CHECK(b.fd == a.fd); /* the number, reused */
    CHECK_ERR(reactor_add_reader(r, &b.base), REACTOR_OK);
    CHECK(a.lost == 0); /* not inside the add */
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(a.lost_reason, -EBADF);
    CHECK_EQ(a.reads, 0);
    CHECK_EQ(a.writes, 0);
    CHECK(b.reads >= 1 && b.lost == 0);
    CHECK(fcntl(b.fd, F_GETFD) >= 0); /* still open */
    struct descriptor *list[4];
    CHECK(reactor_get_writers(r, list, 4) == 0); /* a's writer went too */
    reactor_free(r);
    close(b.fd), close(wa), close(wb);
}

/* The same, but a's owner removes a before the next pass: it has taken
 * a back, and may free it; the reactor must not touch it again. */
static void
test_stale_descriptor_removed_by_its_owner_is_not_disconnected(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa);
    reactor_add_reader(r, &a.base);
    close(a.fd);
    struct probe b = readable_probe(r, &wb);
    CHECK_ERR(reactor_add_reader(r, &b.base), REACTOR_OK);
    reactor_remove_reader(r, &a.base);
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 0);
    CHECK_EQ(a.reads, 0);
    CHECK(b.reads >= 1);
    reactor_free(r);
    close(b.fd), close(wa), close(wb);
}

/* The same, but a's owner opens a new socket for it and adds it again
 * before the next pass: a is live again, on its new fd, and must not be
 * disconnected (its owner could free it while the table holds it); nor
 * after its owner removes it from there. */
static void
test_stale_descriptor_that_registers_again_is_not_disconnected(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb, wc;
    struct probe a = readable_probe(r, &wa);
    reactor_add_reader(r, &a.base);
    close(a.fd);
    struct probe b = readable_probe(r, &wb);
    CHECK_ERR(reactor_add_reader(r, &b.base), REACTOR_OK);
    struct probe c = readable_probe(r, &wc); /* a's new socket */
    a.fd = c.fd;
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 0);
    CHECK(a.reads >= 1);
    struct descriptor *list[4];
    CHECK_EQ(reactor_get_readers(r, list, 4), 3); /* a, b, the waker */
    reactor_remove_reader(r, &a.base);
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 0);
    reactor_free(r);
    close(a.fd), close(b.fd), close(wa), close(wb), close(wc);
}

/* A reader that is also a writer, its fd closed behind the reactor's
 * back: disconnected once, where Twisted's _preenDescriptors calls
 * connectionLost once for each set it is in (twice).  epoll and kqueue,
 * which hold both already, never notice at all. */
static void test_closed_reader_and_writer_is_disconnected_once(void)
{
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = readable_probe(r, &w);
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base);
    reactor_iterate(r, 0); /* epoll's deferred MOD made */
    close(a.fd);
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.lost, (kernel_forgets_closed_fds(r) ? 0 : 1));
    reactor_free(r);
    close(w);
}

/* fileno() is asked when a descriptor is registered, not on every pass
 * as select.select asks Twisted's objects: a's fd closed behind the
 * reactor's back and its number reused by a file nobody registers, that
 * file's readiness reaches a under select and poll (epoll and kqueue
 * dropped a's registration with its file).  Remove before you close. */
static void test_number_reused_by_an_unregistered_file_still_reaches_a(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wc;
    struct probe a = readable_probe(r, &wa);
    reactor_add_reader(r, &a.base);
    close(a.fd);
    struct probe c = readable_probe(r, &wc); /* not registered */
    CHECK_EQ(c.fd, a.fd);
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, (kernel_forgets_closed_fds(r) ? 0 : 1));
    reactor_remove_reader(r, &a.base);
    reactor_free(r);
    close(c.fd), close(wa), close(wc);
}

/* The same under epoll, when a stale event (d removed and closed, a dup
 * open) makes it rebuild its set: the new set must not ADD a's number,
 * which names the foreign file c now.  a is disconnected (-EBADF, next
 * pass), c's bytes stay for c's owner. */
static void test_rebuilt_set_does_not_watch_a_foreign_file_for_a(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    int wa, wc, wd;
    struct probe a = readable_probe(r, &wa);
    struct probe d = readable_probe(r, &wd);
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &d.base);
    reactor_iterate(r, 0);
    int dup_d = dup(d.fd); /* keeps d's file, and its kernel entry */
    close(a.fd);           /* no dup: the kernel forgets a */
    struct probe c = readable_probe(r, &wc); /* not registered */
    CHECK_EQ(c.fd, a.fd);
    reactor_remove_reader(r, &d.base);
    close(d.fd); /* its entry outlives the close: a stale event, a rebuild */
    int reads_before = a.reads;
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    if (epoll) {
        CHECK(((struct epoll_reactor *)r)->rebuilds >= 1);
        CHECK_EQ(a.reads, reads_before);
        CHECK_EQ(a.lost, 1);
        CHECK_EQ(a.lost_reason, -EBADF);
    }
    char byte;
    CHECK_EQ(recv(c.fd, &byte, 1, MSG_DONTWAIT), 1); /* still c's */
    reactor_remove_reader(r, &a.base);
    reactor_free(r);
    close(dup_d), close(c.fd), close(wa), close(wc), close(wd);
}

/* ---- re-registering under epoll: changes wait for the next wait ------ */

/* The epoll_ctl calls made so far (0 under the other backends). */
static unsigned long ctl_calls(struct reactor_base *r)
{
    return strcmp(backend(), "epoll") == 0
               ? ((struct epoll_reactor *)r)->ctl_calls
               : 0;
}

/* Removed and added again before the next wait: nothing at once, at
 * most one epoll_ctl when the loop waits (an ADD that finds the entry
 * still there), and it is still watched. */
static void test_reader_removed_and_readded_costs_at_most_one_epoll_ctl(void)
{
    struct reactor_base *r = new_reactor();
    int peer;
    struct probe a = quiet_probe(r, &peer);
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    unsigned long before = ctl_calls(r);
    reactor_remove_reader(r, &a.base);
    reactor_add_reader(r, &a.base);
    CHECK(ctl_calls(r) == before); /* nothing yet */
    reactor_iterate(r, 0);
    CHECK(ctl_calls(r) - before <= 1);
    if (write(peer, "x", 1) != 1)
        abort();
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    reactor_free(r);
    close(a.fd), close(peer);
}

/* A reader whose write interest goes off and on again between two
 * waits: the kernel already holds what it wants, so no epoll_ctl. */
static void test_toggling_a_readers_write_interest_costs_no_epoll_ctl(void)
{
    struct reactor_base *r = new_reactor();
    int peer;
    struct probe a = quiet_probe(r, &peer);
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(a.writes, 1);
    unsigned long before = ctl_calls(r);
    reactor_remove_writer(r, &a.base);
    reactor_add_writer(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(ctl_calls(r), before);
    CHECK(a.writes == 2); /* still a writer */
    reactor_remove_writer(r, &a.base);
    reactor_iterate(r, 0);
    CHECK(a.writes == 2); /* and no longer */
    reactor_free(r);
    close(a.fd), close(peer);
}

/* A reader that becomes a writer too, a pass later: the same
 * registration with a new interest, one MOD at the next wait. */
static void test_reader_that_becomes_a_writer_costs_one_epoll_ctl(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    int peer;
    struct probe a = quiet_probe(r, &peer);
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    unsigned long before = ctl_calls(r);
    reactor_add_writer(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(ctl_calls(r) - before, epoll ? 1ul : 0ul);
    CHECK_EQ(a.writes, 1);
    reactor_free(r);
    close(a.fd), close(peer);
}

/* Between its removal and its re-adding, a's socket is closed and a new
 * one gets the number: a is watched on the new one. */
static void
test_descriptor_reopened_between_removal_and_readding_is_watched(void)
{
    struct reactor_base *r = new_reactor();
    int old_peer, peer;
    struct probe a = quiet_probe(r, &old_peer);
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &a.base);
    close(a.fd);
    close(old_peer);
    struct probe fresh = quiet_probe(r, &peer);
    CHECK(fresh.fd == a.fd); /* the number, reused */
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    if (write(peer, "x", 1) != 1)
        abort();
    for (int i = 0; i < 2 && a.reads == 0; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    CHECK_EQ(a.lost, 0);
    reactor_free(r);
    close(a.fd), close(peer);
}

/* Removed, then closed, before the wait: the kernel drops the entry,
 * and nothing is left to make.  No error: nobody is disconnected, the
 * set is not rebuilt, and the rest is served. */
static void test_deferred_change_for_an_fd_closed_meanwhile_is_no_error(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa), b = readable_probe(r, &wb);
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &b.base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &a.base);
    close(a.fd);
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 0);
    CHECK_EQ(b.lost, 0);
    CHECK_EQ(b.reads, 4);
    if (strcmp(backend(), "epoll") == 0)
        CHECK_EQ(((struct epoll_reactor *)r)->rebuilds, 0);
    reactor_free(r);
    close(b.fd), close(wa), close(wb);
}

/* ---- removals under epoll: left in the kernel until it speaks -------- */

/* d added, a pass, removed, a pass: under epoll its entry is left in the
 * kernel now. */
static void removed_after_a_pass(struct reactor_base *r, struct probe *d)
{
    reactor_add_reader(r, &d->base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &d->base);
    reactor_iterate(r, 0);
}

/* A byte for d through `peer`: d hears it within three passes, once,
 * and is not disconnected. */
static void check_hears_a_byte(struct reactor_base *r, struct probe *d,
                               int peer)
{
    if (write(peer, "x", 1) != 1)
        abort();
    for (int i = 0; i < 3 && d->reads == 0; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(d->reads, 1);
    CHECK_EQ(d->lost, 0);
}

/* A reader removed after a pass: no DEL, at once or at the next wait;
 * the entry stays in the kernel, as libev leaves it.  When its socket
 * turns readable, that pass DELs it, one call, and nobody hears of it.
 * (Twisted's removeReader unregisters at once: README, "What Twisted
 * does differently".) */
static void
test_removed_reader_stays_in_the_kernel_until_its_first_event(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    int peer;
    struct probe a = quiet_probe(r, &peer);
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    unsigned long before = ctl_calls(r);
    reactor_remove_reader(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(ctl_calls(r), before); /* no DEL */
    if (write(peer, "x", 1) != 1)
        abort();
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(ctl_calls(r) - before, epoll ? 1ul : 0ul); /* the DEL, once */
    CHECK_EQ(a.reads, 0);
    CHECK_EQ(a.lost, 0);
    if (epoll)
        CHECK_EQ(((struct epoll_reactor *)r)->rebuilds, 0);
    reactor_free(r);
    close(a.fd), close(peer);
}

/* Removed, a pass, added again: the kernel still holds its entry, so one
 * ADD at once finds it (EEXIST) and takes it back; nothing at the next
 * wait, and it is served. */
static void test_reader_readded_after_a_pass_costs_one_epoll_ctl(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    int peer;
    struct probe a = quiet_probe(r, &peer);
    removed_after_a_pass(r, &a);
    unsigned long before = ctl_calls(r);
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    CHECK_EQ(ctl_calls(r) - before, epoll ? 1ul : 0ul); /* at once */
    reactor_iterate(r, 0);
    CHECK_EQ(ctl_calls(r) - before, epoll ? 1ul : 0ul); /* and no more */
    check_hears_a_byte(r, &a, peer);
    reactor_free(r);
    close(a.fd), close(peer);
}

/* Removed, a pass, its socket closed (the kernel forgets the entry) and
 * a new one on the number, then added again: the ADD succeeds, one call,
 * and it is watched on the new socket. */
static void test_reader_reopened_after_a_pass_is_watched(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    int old_peer, peer;
    struct probe a = quiet_probe(r, &old_peer);
    removed_after_a_pass(r, &a);
    close(a.fd);
    close(old_peer);
    struct probe fresh = quiet_probe(r, &peer);
    CHECK_EQ(fresh.fd, a.fd); /* the number, reused */
    unsigned long before = ctl_calls(r);
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    CHECK_EQ(ctl_calls(r) - before, epoll ? 1ul : 0ul);
    check_hears_a_byte(r, &a, peer);
    reactor_free(r);
    close(a.fd), close(peer);
}

/* Removed, a pass, closed, and a regular file on the number: added again,
 * it is refused at once (EPERM), as Twisted's addReader raises it. */
static void
test_reader_on_a_regular_file_after_a_pass_is_refused_at_once(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    int peer;
    struct probe a = quiet_probe(r, &peer);
    removed_after_a_pass(r, &a);
    close(a.fd);
    FILE *file = tmpfile();
    CHECK_EQ(fileno(file), a.fd); /* the number, reused */
    errno = 0;
    CHECK_ERR(reactor_add_reader(r, &a.base),
              epoll ? ERR_SYSTEM : REACTOR_OK);
    CHECK(!epoll || errno == EPERM);
    reactor_remove_reader(r, &a.base);
    reactor_free(r);
    fclose(file);
    close(peer);
}

/* A socket pair whose first end is moved onto `fd` (dup2: whatever was
 * there is closed, a dup keeps it alive if one is open). */
static int socket_onto(int fd, int *peer)
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0 ||
        dup2(fds[0], fd) != fd)
        abort();
    close(fds[0]);
    *peer = fds[1];
    return fd;
}

/* a's socket s1 on n, removed after a pass (its entry kept); s1 kept
 * open by a dup, s2 put on n, a added there and removed after a pass
 * (s2's entry kept); then s1 back on n (dup2), s2 kept open by a dup, and
 * a added again.  The kernel holds s1's entry under the first id and s2's,
 * a stray now, under the second: a must not hear s2's bytes, nor the loop
 * spin on them; it hears s1's. */
static void
test_readded_on_a_dup2_file_does_not_hear_another_files_stray(void)
{
    struct reactor_base *r = new_reactor();
    int p1, p2;
    struct probe a = quiet_probe(r, &p1);
    int n = a.fd;
    removed_after_a_pass(r, &a);
    int s1 = dup(n);
    socket_onto(n, &p2); /* s2 on n; s1's entry a stray */
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &a.base);
    reactor_iterate(r, 0);
    int s2 = dup(n);
    if (dup2(s1, n) != n) /* s1 back on n; s2's entry a stray */
        abort();
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    if (write(p2, "x", 1) != 1) /* s2's, not a's */
        abort();
    double start = now();
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0.05);
    CHECK_EQ(a.reads, 0);
    CHECK(now() - start >= 0.1); /* no spin on s2's byte */
    check_hears_a_byte(r, &a, p1);
    reactor_remove_reader(r, &a.base);
    reactor_free(r);
    close(n), close(s1), close(s2), close(p1), close(p2);
}

/* b's socket s2 on n, removed after a pass (its entry kept); s2 kept open
 * by a dup, s1 put on n and a registered there; then a's s1 replaced by
 * s2 again (dup2), behind a's back.  a's registration is stale (its file
 * is gone): c, s2's new owner, is served, and a disconnected with -EBADF,
 * as when the number is reused by a fresh socket. */
static void test_newcomer_on_a_file_whose_entry_was_kept_is_served(void)
{
    struct reactor_base *r = new_reactor();
    int p1, p2;
    struct probe b = quiet_probe(r, &p2);
    int n = b.fd;
    reactor_add_reader(r, &b.base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &b.base);
    reactor_iterate(r, 0);
    int s2 = dup(n);
    struct probe a = {
        .base.ops = &probe_ops, .reactor = r, .fd = socket_onto(n, &p1)};
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    reactor_iterate(r, 0);
    if (dup2(s2, n) != n) /* s1 closed, s2 back on n */
        abort();
    struct probe c = {.base.ops = &probe_ops, .reactor = r, .fd = n};
    CHECK_ERR(reactor_add_reader(r, &c.base), REACTOR_OK);
    if (write(p2, "x", 1) != 1)
        abort();
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK(c.reads >= 1 && c.lost == 0);
    CHECK_EQ(a.reads, 0); /* s2's bytes are c's */
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(a.lost_reason, -EBADF);
    reactor_remove_reader(r, &c.base);
    reactor_remove_reader(r, &a.base);
    reactor_free(r);
    close(n), close(s2), close(p1), close(p2);
}

/* A reader removed, a pass, then closed with a dup open (a forked
 * child's).  Its entry, left in the kernel, outlives the close; at its
 * first event the DEL fails and the set is made anew, once, as Twisted's
 * order does within one pass
 * (closing_after_removal_with_a_dup_open_costs_one_rebuild).  The price
 * of leaving removals in the kernel (README, "What Twisted does
 * differently"), where Twisted's unregister would have cost one call. */
static void
test_reader_removed_before_its_close_with_a_dup_costs_a_rebuild(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = quiet_probe(r, &wa), b = quiet_probe(r, &wb);
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &b.base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &a.base);
    reactor_iterate(r, 0);
    int dup_fd = dup(a.fd);
    close(a.fd);
    if (write(wa, "x", 1) != 1 || write(wb, "y", 1) != 1)
        abort();
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 0);
    CHECK_EQ(b.reads, 3);
    if (strcmp(backend(), "epoll") == 0)
        CHECK_EQ(((struct epoll_reactor *)r)->rebuilds, 1);
    reactor_free(r);
    close(dup_fd), close(b.fd), close(wa), close(wb);
}

/* removeAll after a pass, every socket then readable: each entry left in
 * the kernel is DELed once when it speaks, nobody hears of it, nothing is
 * rebuilt, and the loop then sleeps; added again, they are all served. */
static void test_readers_removed_by_remove_all_are_forgotten_quietly(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    enum { N = 4 };
    struct probe q[N];
    int peers[N];
    for (int i = 0; i < N; i++) {
        q[i] = quiet_probe(r, &peers[i]);
        reactor_add_reader(r, &q[i].base);
    }
    reactor_iterate(r, 0);
    struct descriptor *out[N + 1];
    CHECK_EQ(reactor_remove_all(r, out, N + 1), N); /* not the waker */
    reactor_iterate(r, 0);
    unsigned long before = ctl_calls(r);
    for (int i = 0; i < N; i++)
        if (write(peers[i], "x", 1) != 1)
            abort();
    reactor_iterate(r, 0);
    CHECK_EQ(ctl_calls(r) - before, epoll ? (unsigned long)N : 0ul);
    double start = now();
    reactor_iterate(r, 0.05);
    CHECK(now() - start >= 0.04); /* nothing left to wake it */
    for (int i = 0; i < N; i++) {
        CHECK_EQ(q[i].reads, 0);
        CHECK_EQ(q[i].lost, 0);
        CHECK_ERR(reactor_add_reader(r, &q[i].base), REACTOR_OK);
    }
    reactor_iterate(r, 0);
    for (int i = 0; i < N; i++)
        CHECK_EQ(q[i].reads, 1);
    if (epoll)
        CHECK_EQ(((struct epoll_reactor *)r)->rebuilds, 0);
    reactor_free(r);
    for (int i = 0; i < N; i++)
        close(q[i].fd), close(peers[i]);
}

/* a removed after a pass, its entry kept; then one wait reports both a's
 * kept entry (DELed before dispatch) and b, whose do_read adds a again:
 * a is watched anew, served next pass, and nothing is rebuilt. */
static int readd_other(struct probe *self)
{
    return reactor_add_reader(self->reactor, &self->other->base) == REACTOR_OK
               ? 0
               : CONNECTION_LOST;
}

static void
test_reader_readded_in_the_pass_its_kept_entry_speaks_is_served(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa), b = readable_probe(r, &wb);
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    reactor_remove_reader(r, &a.base);
    reactor_iterate(r, 0); /* epoll: a's entry speaks, DELed */
    b.on_read = readd_other;
    b.other = &a;
    reactor_add_reader(r, &b.base);
    reactor_iterate(r, 0); /* b adds a back */
    b.on_read = NULL;
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 2);
    CHECK_EQ(a.lost, 0);
    CHECK_EQ(b.lost, 0);
    if (strcmp(backend(), "epoll") == 0)
        CHECK_EQ(((struct epoll_reactor *)r)->rebuilds, 0);
    reactor_remove_reader(r, &a.base);
    reactor_remove_reader(r, &b.base);
    reactor_free(r);
    close(a.fd), close(b.fd), close(wa), close(wb);
}

/* A reader removed after a pass (its entry kept), then the set made anew
 * (another fd's stale event): the kept entry is not in the new set, and
 * a added again is watched there. */
static void test_reader_removed_before_a_rebuild_is_watched_when_readded(void)
{
    struct reactor_base *r = new_reactor();
    int wa, we;
    struct probe a = quiet_probe(r, &wa), e = quiet_probe(r, &we);
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &e.base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &a.base);
    reactor_iterate(r, 0); /* a's entry kept */
    int dup_fd = dup(e.fd);
    reactor_remove_reader(r, &e.base);
    close(e.fd); /* Twisted's order, a dup open: a rebuild */
    if (write(we, "x", 1) != 1)
        abort();
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    if (strcmp(backend(), "epoll") == 0)
        CHECK_EQ(((struct epoll_reactor *)r)->rebuilds, 1);
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    if (write(wa, "y", 1) != 1)
        abort();
    reactor_iterate(r, 0);
    CHECK_EQ(a.reads, 1);
    CHECK_EQ(a.lost, 0);
    reactor_remove_reader(r, &a.base);
    reactor_free(r);
    close(dup_fd), close(a.fd), close(wa), close(we);
}

/* A writer removed after a pass: its socket stays writable, so the entry
 * left in the kernel speaks at once.  It may end one wait early (then it
 * is DELed), not every one: the loop sleeps, and nothing is rebuilt. */
static void test_removed_writer_left_in_the_kernel_does_not_spin(void)
{
    struct reactor_base *r = new_reactor();
    int peer;
    struct probe a = quiet_probe(r, &peer);
    reactor_add_writer(r, &a.base);
    reactor_iterate(r, 0);
    CHECK_EQ(a.writes, 1);
    reactor_remove_writer(r, &a.base);
    double start = now();
    for (int i = 0; i < 4; i++)
        reactor_iterate(r, 0.05);
    CHECK(now() - start >= 0.14); /* at most one wait cut short */
    CHECK_EQ(a.writes, 1);
    if (strcmp(backend(), "epoll") == 0)
        CHECK_EQ(((struct epoll_reactor *)r)->rebuilds, 0);
    reactor_free(r);
    close(a.fd), close(peer);
}

/* Twisted's own order, removeReader then close, with a dup of the fd
 * open (a forked child's): the entry the removal left outlives the
 * close, the DEL at its first event fails, and the event is stale: epoll
 * makes its set anew, once, at two epoll_ctl per registered fd (a MOD
 * asking the old set, an ADD to the new), after the failed DEL.  The
 * price of leaving removals in the kernel (README: "What Twisted does
 * differently"); Twisted's at-once unregister would cost one call. */
static void test_closing_after_removal_with_a_dup_open_costs_one_rebuild(void)
{
    struct reactor_base *r = new_reactor();
    enum { N = 4 };
    struct probe q[N];
    int peers[N];
    for (int i = 0; i < N; i++) {
        q[i] = quiet_probe(r, &peers[i]);
        reactor_add_reader(r, &q[i].base);
    }
    reactor_iterate(r, 0);
    unsigned long before = ctl_calls(r);
    int dup_fd = dup(q[0].fd);
    reactor_remove_reader(r, &q[0].base);
    close(q[0].fd);
    if (write(peers[0], "x", 1) != 1)
        abort();
    for (int i = 0; i < 3; i++)
        reactor_iterate(r, 0);
    if (strcmp(backend(), "epoll") == 0) {
        struct epoll_reactor *ep = (struct epoll_reactor *)r;
        size_t registered = ep->base.count;
        CHECK_EQ(registered, N); /* N - 1 probes and the waker */
        CHECK_EQ(ep->rebuilds, 1);
        CHECK_EQ(ctl_calls(r) - before, 1 + 2 * registered); /* DEL, set */
    }
    for (int i = 1; i < N; i++)
        CHECK_EQ(q[i].lost, 0);
    CHECK_EQ(q[0].reads, 0);
    reactor_free(r);
    close(dup_fd);
    for (int i = 0; i < N; i++)
        close(peers[i]);
    for (int i = 1; i < N; i++)
        close(q[i].fd);
}

/* A reader whose fd was closed behind the reactor's back becomes a
 * writer too.  Twisted's EPollReactor._add raises EBADF from modify at
 * once; here epoll defers the MOD, and when the kernel refuses it the
 * descriptor hears it at the next pass: disconnected with -EBADF, not
 * left silent.  select and poll find the closed fd there too; kqueue
 * refuses at once. */
static void test_writer_added_on_a_closed_fd_is_disconnected_next_pass(void)
{
    struct reactor_base *r = new_reactor();
    int peer;
    struct probe a = quiet_probe(r, &peer);
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    close(a.fd);
    int err = reactor_add_writer(r, &a.base);
    if (strcmp(backend(), "kqueue") == 0) {
        CHECK_ERR(err, ERR_SYSTEM);
        reactor_remove_reader(r, &a.base);
    } else {
        CHECK_ERR(err, REACTOR_OK);
        CHECK_EQ(a.lost, 0); /* not inside the add */
        reactor_iterate(r, 0);
        CHECK_EQ(a.lost, 1);
        CHECK_EQ(a.lost_reason, -EBADF);
        CHECK_EQ(a.writes, 0);
        struct descriptor *list[4];
        CHECK_EQ(reactor_get_writers(r, list, 4), 0);
    }
    reactor_free(r);
    close(peer);
}

/* The same stale event at the limit of open files, where no new fd can
 * be opened: epoll's set is made anew all the same (in the number the
 * old one frees), once, and the loop does not spin on the stale event. */
static void test_set_is_rebuilt_at_the_open_file_limit(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wd;
    struct probe a = readable_probe(r, &wa), d = readable_probe(r, &wd);
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &d.base);
    reactor_iterate(r, 0);
    int dup_d = dup(d.fd);
    reactor_remove_reader(r, &d.base);
    close(d.fd); /* its stale event comes, with the dup open */
    struct rlimit saved, at_limit;
    getrlimit(RLIMIT_NOFILE, &saved);
    int lowest_free = dup(0);
    close(lowest_free);
    at_limit = saved;
    at_limit.rlim_cur = (rlim_t)lowest_free; /* no fd can be opened */
    CHECK(setrlimit(RLIMIT_NOFILE, &at_limit) == 0);
    CHECK(dup(0) < 0 && errno == EMFILE);
    for (int i = 0; i < 4; i++)
        reactor_iterate(r, 0);
    setrlimit(RLIMIT_NOFILE, &saved);
    if (strcmp(backend(), "epoll") == 0) {
        struct epoll_reactor *ep = (struct epoll_reactor *)r;
        CHECK_EQ(ep->rebuilds, 1);
        unsigned long calls = ep->ctl_calls;
        reactor_iterate(r, 0);
        CHECK_EQ(ep->rebuilds, 1); /* no stale event left */
        CHECK_EQ(ep->ctl_calls, calls);
    }
    CHECK(a.reads >= 5); /* served on every pass */
    CHECK_EQ(a.lost, 0);
    CHECK_EQ(d.reads, 1); /* before its removal only */
    reactor_free(r);
    close(dup_d), close(a.fd), close(wa), close(wd);
}

/* What Twisted's EPollReactor.addReader raises at once is refused at
 * once: EPERM for a regular file, EBADF for a closed fd, also for one
 * whose removal has not reached the kernel yet.  kqueue watches regular
 * files but refuses a closed fd too; select and poll take both, as
 * Twisted's do (select preens, poll says POLLNVAL, later). */
static void test_epoll_refuses_a_regular_file_or_a_closed_fd_at_once(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    FILE *file = tmpfile();
    struct probe f = {.base.ops = &probe_ops, .fd = fileno(file)};
    errno = 0;
    CHECK_ERR(reactor_add_reader(r, &f.base),
              epoll ? ERR_SYSTEM : REACTOR_OK);
    CHECK(!epoll || errno == EPERM);
    reactor_remove_reader(r, &f.base);
    fclose(file);

    int peer;
    struct probe a = quiet_probe(r, &peer);
    reactor_add_reader(r, &a.base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &a.base);
    close(a.fd); /* its entry still in the kernel, as far as epoll knows */
    errno = 0;
    bool kernel_set = epoll || strcmp(backend(), "kqueue") == 0;
    CHECK_ERR(reactor_add_reader(r, &a.base),
              kernel_set ? ERR_SYSTEM : REACTOR_OK);
    CHECK(!kernel_set || errno == EBADF);
    reactor_remove_reader(r, &a.base);
    reactor_free(r);
    close(peer);
}

/* x removed (its DEL waiting for the next wait), its fd closed, and the
 * number reused for /dev/null, which epoll cannot watch: a newcomer on
 * it is refused at once (EPERM), as Twisted's addReader raises it, not
 * accepted and left silent.  poll and select watch it. */
static void
test_unwatchable_file_on_a_number_pending_removal_is_refused_at_once(void)
{
    struct reactor_base *r = new_reactor();
    bool epoll = strcmp(backend(), "epoll") == 0;
    int peer;
    struct probe x = quiet_probe(r, &peer);
    reactor_add_reader(r, &x.base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &x.base);
    close(x.fd);
    struct probe n = {.base.ops = &probe_ops,
                      .fd = open("/dev/null", O_RDONLY)};
    CHECK_EQ(n.fd, x.fd); /* the number, reused */
    bool kqueue = strcmp(backend(), "kqueue") == 0;
    errno = 0;
    int err = reactor_add_reader(r, &n.base);
    if (epoll) {
        CHECK_ERR(err, ERR_SYSTEM);
        CHECK_EQ(errno, EPERM);
    } else if (!kqueue) {
        CHECK_ERR(err, REACTOR_OK);
    } /* kqueue: a kernel may watch a device or refuse it, at once either
         way (macOS refuses; libkqueue is epoll underneath) */
    for (int i = 0; i < 2; i++)
        reactor_iterate(r, 0);
    if (!epoll && !kqueue)
        CHECK(n.reads >= 1); /* always readable: end of file */
    if (err == REACTOR_OK)
        reactor_remove_reader(r, &n.base);
    reactor_free(r);
    close(n.fd), close(peer);
}

/* x removed (its entry left in the kernel), its fd closed, socket g
 * takes the number; a is added on g, then b on the same fd: b is
 * FdInUse, as on every backend, and a, live, is neither disconnected
 * nor deaf. */
static void
test_second_descriptor_on_a_number_pending_removal_is_FdInUse(void)
{
    struct reactor_base *r = new_reactor();
    int px, pg;
    struct probe x = quiet_probe(r, &px);
    reactor_add_reader(r, &x.base);
    reactor_iterate(r, 0);
    reactor_remove_reader(r, &x.base);
    close(x.fd);
    struct probe a = readable_probe(r, &pg);
    CHECK_EQ(a.fd, x.fd); /* the number, reused */
    struct probe b = a;
    CHECK_ERR(reactor_add_reader(r, &a.base), REACTOR_OK);
    CHECK_ERR(reactor_add_reader(r, &b.base), ERR_FD_IN_USE);
    for (int i = 0; i < 2; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(a.lost, 0);
    CHECK(a.reads >= 1);
    CHECK_EQ(b.reads, 0);
    reactor_free(r);
    close(a.fd), close(px), close(pg);
}

/* ---- the trace ------------------------------------------------------- */

/* REACTOR_TRACE=1: every backend names the descriptors it dispatches,
 * as select's doSelect trace does: "doRead(5) doWrite(6)". */
static void test_trace_names_the_descriptors_dispatched(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa), b = quiet_probe(r, &wb);
    reactor_add_reader(r, &a.base);
    reactor_add_writer(r, &b.base);
    FILE *log = tmpfile();
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(log), 2);
    r->trace = true;
    reactor_iterate(r, 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char line[512] = "", want_read[32], want_write[32];
    rewind(log);
    size_t n = fread(line, 1, sizeof line - 1, log);
    line[n] = '\0';
    fclose(log);
    snprintf(want_read, sizeof want_read, " doRead(%d)", a.fd);
    snprintf(want_write, sizeof want_write, " doWrite(%d)", b.fd);
    if (!strstr(line, want_read) || !strstr(line, want_write))
        printf("  trace: %s", line);
    CHECK(strstr(line, want_read) != NULL);
    CHECK(strstr(line, want_write) != NULL);
    reactor_free(r);
    close(a.fd), close(b.fd), close(wa), close(wb);
}

static void test_shutdown_disconnects_every_descriptor(void)
{
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = quiet_probe(r, &w);
    reactor_add_reader(r, &a.base);
    reactor_call_when_running(r, stop_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_EQ(a.lost, 1);
    CHECK_EQ(a.lost_reason, CONNECTION_LOST);
    reactor_free(r);
    close(a.fd), close(w);
}

/* ---- the waker and signals ------------------------------------------- */

static void test_wake_up_ends_a_wait_forever(void)
{
    struct reactor_base *r = new_reactor();
    posix_wake_up((struct posix_reactor_base *)r);
    reactor_iterate(r, INFINITY); /* would hang without the wake-up */
    CHECK_EQ(r->passes, 1);
    reactor_free(r);
}

static void raise_sigterm(void *arg)
{
    (void)arg;
    note("raise");
    raise(SIGTERM); /* delivered now, before select() starts waiting */
}

static void test_sigterm_stops_the_reactor_through_the_waker(void)
{
    struct reactor_base *r = new_reactor();
    reactor_add_system_event_trigger(r, PHASE_AFTER, "shutdown", note_after,
                                     NULL, NULL);
    reactor_call_when_running(r, raise_sigterm, NULL, NULL);
    CHECK_ERR(reactor_run(r, true), REACTOR_OK);
    CHECK_EQ(events, "raise,after");
    /* run() restored the handler it replaced. */
    struct sigaction sa;
    sigaction(SIGTERM, NULL, &sa);
    CHECK(sa.sa_handler == SIG_DFL);
    reactor_free(r);
}

/* Twisted's handler stops the reactor that installed it, no other: a
 * reactor made after one that SIGTERM stopped, run without handlers,
 * keeps running through a wake-up. */
static void test_sigterm_stops_only_the_reactor_that_installed_it(void)
{
    struct reactor_base *first = new_reactor();
    reactor_call_when_running(first, raise_sigterm, NULL, NULL);
    CHECK_ERR(reactor_run(first, true), REACTOR_OK);
    reactor_free(first);
    struct reactor_base *r = new_reactor();
    CHECK_ERR(reactor_start_running(r, false), REACTOR_OK);
    reactor_wake_up(r);
    CHECK_ERR(reactor_iterate(r, 0), REACTOR_OK); /* it reads the waker */
    CHECK(!r->stopped);
    CHECK_ERR(reactor_stop(r), REACTOR_OK);
    reactor_iterate(r, 0);
    reactor_free(r);
}

/* Two reactors put their handlers in, a, then b; a takes its own out
 * first.  b's stay in, and its waker still hears SIGTERM; when b takes
 * its own out, what was there before a is back. */
/* Two reactors with handlers: a SIGTERM is for the later one, whose
 * handlers are in; the earlier one, woken, goes on. */
/* do_read as a transport's: read, and end on end of file or an error. */
static int read_or_end(struct probe *self)
{
    char buf[64];
    ssize_t n = read(self->fd, buf, sizeof buf);
    return n > 0 ? 0 : n == 0 ? CONNECTION_DONE : -errno;
}

/* A TCP connection that the peer resets while input waits to be read.
 * kqueue reports an EOF carrying the error (fflags) and the bytes (data),
 * and kqreactor.py: _doWriteOrRead loses the connection at once, without
 * reading; poll, epoll and select report it readable, and it is read
 * first, as Twisted's _PollLikeMixin and SelectReactor do. */
static void test_reset_with_input_waiting_is_lost_at_once_on_kqueue(void)
{
    struct reactor_base *r = new_reactor();
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(0x7f000001)};
    socklen_t len = sizeof addr;
    int l = socket(AF_INET, SOCK_STREAM, 0),
        c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ(bind(l, (struct sockaddr *)&addr, sizeof addr), 0);
    CHECK_EQ(listen(l, 1), 0);
    getsockname(l, (struct sockaddr *)&addr, &len);
    CHECK_EQ(connect(c, (struct sockaddr *)&addr, sizeof addr), 0);
    struct probe p = {.base.ops = &probe_ops,
                      .fd = accept(l, NULL, NULL),
                      .on_read = read_or_end};
    struct linger reset = {.l_onoff = 1, .l_linger = 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    CHECK_EQ(write(c, "hello", 5), 5);
    struct pollfd arrived = {.fd = p.fd, .events = POLLIN};
    poll(&arrived, 1, 2000);
    close(c); /* with input unread on the other side: a reset */
    arrived.events = 0;
    poll(&arrived, 1, 2000); /* POLLERR | POLLHUP: the reset is in */
    CHECK_ERR(reactor_add_reader(r, &p.base), REACTOR_OK);
    for (int i = 0; i < 5 && !p.lost; i++)
        reactor_iterate(r, 0);
    CHECK_EQ(p.lost, 1);
    if (strcmp(backend(), "kqueue") == 0) {
        CHECK_EQ(p.reads, 0);
        CHECK_EQ(p.lost_reason, CONNECTION_LOST);
    } else {
        CHECK(p.reads >= 1); /* the input, or the error, read first */
    }
    reactor_free(r);
    close(p.fd), close(l);
}

static void test_sigterm_stops_only_the_reactor_whose_handlers_are_in(void)
{
    struct reactor_base *a = new_reactor(), *b = new_reactor();
    CHECK_ERR(reactor_start_running(a, true), REACTOR_OK);
    CHECK_ERR(reactor_start_running(b, true), REACTOR_OK);
    raise(SIGTERM);
    posix_wake_up((struct posix_reactor_base *)a); /* its waker reads */
    for (int i = 0; i < 3; i++)
        reactor_iterate(a, 0);
    CHECK(!a->stopped);
    for (int i = 0; i < 3 && !b->stopped; i++)
        reactor_iterate(b, 0);
    CHECK(b->stopped);
    reactor_free(b);
    reactor_free(a);
}

static void test_handlers_removed_out_of_order_leave_the_later_ones_in(void)
{
    struct sigaction before, now;
    sigaction(SIGTERM, NULL, &before);
    struct reactor_base *a = new_reactor(), *b = new_reactor();
    CHECK_ERR(reactor_start_running(a, true), REACTOR_OK);
    CHECK_ERR(reactor_start_running(b, true), REACTOR_OK);
    reactor_free(a); /* takes a's handlers out */
    sigaction(SIGTERM, NULL, &now);
    CHECK(now.sa_handler != before.sa_handler); /* b's, still in */
    if (now.sa_handler != before.sa_handler) {
        raise(SIGTERM);
        for (int i = 0; i < 3 && !b->stopped; i++)
            reactor_iterate(b, 0);
        CHECK(b->stopped);
    }
    reactor_free(b);
    sigaction(SIGTERM, NULL, &now);
    CHECK(now.sa_handler == before.sa_handler);
}

/* So many SIGCHLDs that the waker pipe is full, then SIGTERM: its byte
 * finds no room, but the stop it asks for must not be lost. */
static void flood_then_sigterm(void *arg)
{
    (void)arg;
    for (int i = 0; i < 70000; i++)
        raise(SIGCHLD);
    raise(SIGTERM);
}

static void test_sigterm_after_a_flood_of_sigchld_still_stops(void)
{
    struct reactor_base *r = new_reactor();
    reactor_add_system_event_trigger(r, PHASE_AFTER, "shutdown", note_after,
                                     NULL, NULL);
    reactor_call_when_running(r, flood_then_sigterm, NULL, NULL);
    CHECK_ERR(reactor_run(r, true), REACTOR_OK); /* else: the alarm */
    CHECK_EQ(events, "after");
    reactor_free(r);
}

/* _signals.py: installHandler sets siginterrupt(SIGCHLD, False): a child
 * that exits while a callback blocks in read() must not fail that read
 * with EINTR.  The child exits while the read waits; a grandchild (whose
 * exit signals nobody here) then writes the byte the read gets. */
static ssize_t read_result;
static int read_errno;
static bool chld_restarts, term_restarts;

static void read_while_a_child_exits(void *arg)
{
    struct sigaction sa;
    sigaction(SIGCHLD, NULL, &sa);
    chld_restarts = sa.sa_flags & SA_RESTART;
    sigaction(SIGTERM, NULL, &sa);
    term_restarts = sa.sa_flags & SA_RESTART;
    int data[2], child_alive[2];
    if (pipe(data) < 0 || pipe(child_alive) < 0)
        abort();
    pid_t child = fork();
    if (child == 0) {
        if (fork() == 0) { /* the grandchild */
            char c;
            close(child_alive[1]);
            (void)!read(child_alive[0], &c, 1); /* EOF: the child is gone */
            (void)!write(data[1], "x", 1);
            _exit(0);
        }
        /* long enough for the read to be waiting */
        nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
        _exit(0); /* SIGCHLD for the reactor's process */
    }
    close(child_alive[0]);
    close(child_alive[1]);
    close(data[1]);
    char c;
    read_result = read(data[0], &c, 1);
    read_errno = errno;
    close(data[0]);
    waitpid(child, NULL, 0);
    reactor_stop(arg);
}

static void test_sigchld_does_not_interrupt_a_read_in_a_callback(void)
{
    struct reactor_base *r = new_reactor();
    reactor_call_when_running(r, read_while_a_child_exits, r, NULL);
    CHECK_ERR(reactor_run(r, true), REACTOR_OK);
    if (read_result != 1)
        printf("  read() returned %zd: %s\n", read_result,
               strerror(read_errno));
    CHECK_EQ(read_result, 1);
    CHECK(chld_restarts);  /* SA_RESTART for SIGCHLD, */
    CHECK(!term_restarts); /* and for it alone, as in Twisted */
    reactor_free(r);
}

/* A program (or a debugger) that handles SIGINT itself keeps it. */
static volatile sig_atomic_t own_sigints;
static void own_sigint_handler(int signo)
{
    (void)signo;
    own_sigints++;
}

static void raise_sigint_then_stop(void *arg)
{
    raise(SIGINT);
    reactor_stop(arg);
}

static void test_sigint_handler_already_installed_is_left_alone(void)
{
    struct reactor_base *r = new_reactor();
    struct sigaction sa = {.sa_handler = own_sigint_handler};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    reactor_call_when_running(r, raise_sigint_then_stop, r, NULL);
    CHECK_ERR(reactor_run(r, true), REACTOR_OK);
    CHECK_EQ(own_sigints, 1);
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    CHECK(now.sa_handler == own_sigint_handler);
    signal(SIGINT, SIG_DFL);
    reactor_free(r);
}

static void test_iterate_with_a_negative_or_NaN_delay_is_refused(void)
{
    struct reactor_base *r = new_reactor();
    CHECK_ERR(reactor_iterate(r, -0.001), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_iterate(r, NAN), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_do_iteration(r, -1), ERR_INVALID_ARGUMENT);
    CHECK(r->passes == 0); /* none of them waited */
    CHECK_ERR(reactor_iterate(r, 0), REACTOR_OK);
    reactor_free(r);
}

/* At shutdown, one descriptor's connection_lost removes and frees
 * another (a proxy and its backend): disconnectAll must not touch the
 * freed one afterwards.  AddressSanitizer would catch it. */
static int partner_lost;
static void partner_connection_lost(struct descriptor *d, int reason)
{
    (void)d, (void)reason;
    partner_lost++;
}
static const struct descriptor_ops partner_ops = {
    .fileno = probe_fileno,
    .do_read = probe_do_read,
    .do_write = probe_do_write,
    .connection_lost = partner_connection_lost,
};

static struct probe *doomed;
static void lost_and_frees_partner(struct descriptor *d, int reason)
{
    probe_connection_lost(d, reason);
    if (doomed) {
        reactor_remove_reader(doomed->reactor, &doomed->base);
        close(doomed->fd);
        free(doomed);
        doomed = NULL;
    }
}
static const struct descriptor_ops frees_partner_ops = {
    .fileno = probe_fileno,
    .do_read = probe_do_read,
    .do_write = probe_do_write,
    .connection_lost = lost_and_frees_partner,
};

static void test_connection_lost_that_frees_another_at_shutdown_is_safe(void)
{
    struct reactor_base *r = new_reactor();
    int wa, wb;
    struct probe a = readable_probe(r, &wa);
    a.base.ops = &frees_partner_ops; /* the lower fd: disconnected first */
    doomed = malloc(sizeof *doomed);
    *doomed = readable_probe(r, &wb);
    doomed->base.ops = &partner_ops;
    reactor_add_reader(r, &a.base);
    reactor_add_reader(r, &doomed->base);
    reactor_call_when_running(r, stop_it, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_EQ(a.lost, 1);
    CHECK(doomed == NULL && partner_lost == 0);
    struct descriptor *left[4];
    CHECK(reactor_get_readers(r, left, 4) == 1); /* the waker alone */
    reactor_free(r);
    close(a.fd), close(wa), close(wb);
}

/* ---- NULL arguments: refused, never followed ------------------------- */

/* Twisted's removeReader(None) does nothing: None was never added. */
static void test_null_descriptor_is_refused_or_ignored(void)
{
    struct reactor_base *r = new_reactor();
    int w;
    struct probe a = readable_probe(r, &w);
    reactor_add_reader(r, &a.base);
    reactor_remove_reader(r, NULL);
    reactor_remove_writer(r, NULL);
    struct descriptor no_ops = {0}; /* could never have been added */
    reactor_remove_reader(r, &no_ops);
    reactor_remove_writer(r, &no_ops);
    CHECK_ERR(reactor_add_reader(r, NULL), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_add_writer(r, NULL), ERR_INVALID_ARGUMENT);
    CHECK(!reactor_is_internal(r, NULL));
    /* No room to write to: only counted. */
    CHECK_EQ(reactor_get_readers(r, NULL, 8), 2); /* the waker and a */
    CHECK_EQ(reactor_get_writers(r, NULL, 8), 0);
    CHECK_EQ(reactor_remove_all(r, NULL, 8), 1);
    CHECK_EQ(reactor_get_readers(r, NULL, 0), 1);
    reactor_free(r);
    close(a.fd), close(w);
}

static int null_while_running = -1;
static void call_when_running_with_null(void *arg)
{
    null_while_running = reactor_call_when_running(arg, NULL, NULL, NULL);
    reactor_stop(arg);
}

/* Twisted's addSystemEventTrigger asserts that it was given a callable;
 * callWhenRunning while running calls it at once, and fails. */
static void test_null_function_is_InvalidArgument_even_while_running(void)
{
    struct reactor_base *r = new_reactor();
    CHECK_ERR(reactor_call_when_running(r, NULL, NULL, NULL),
              ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_add_system_event_trigger(r, PHASE_BEFORE, "custom",
                                               NULL, NULL, NULL),
              ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_add_system_event_trigger(r, PHASE_BEFORE, NULL,
                                               note_before, NULL, NULL),
              ERR_INVALID_ARGUMENT);
    reactor_fire_system_event(r, NULL); /* no such event: nothing */
    reactor_call_when_running(r, call_when_running_with_null, r, NULL);
    CHECK_ERR(reactor_run(r, false), REACTOR_OK);
    CHECK_ERR(null_while_running, ERR_INVALID_ARGUMENT);
    CHECK_EQ(events, "");
    reactor_free(r);
}

static void test_null_reactor_is_refused_by_every_function(void)
{
    struct probe a = {.base.ops = &probe_ops, .fd = 0};
    CHECK_ERR(reactor_base_init(NULL, NULL), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_run(NULL, false), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_start_running(NULL, false), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_stop(NULL), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_iterate(NULL, 0), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_do_iteration(NULL, 0), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_add_system_event_trigger(NULL, PHASE_BEFORE, "custom",
                                               note_before, NULL, NULL),
              ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_remove_system_event_trigger(NULL, 1),
              ERR_INVALID_ARGUMENT);
    uint64_t id = 99;
    CHECK_ERR(reactor_call_when_running(NULL, note_before, NULL, &id),
              ERR_INVALID_ARGUMENT);
    CHECK_EQ(id, 0);
    CHECK_ERR(reactor_add_reader(NULL, &a.base), ERR_INVALID_ARGUMENT);
    CHECK_ERR(reactor_add_writer(NULL, &a.base), ERR_INVALID_ARGUMENT);
    CHECK_EQ(reactor_timeout(NULL), INFINITY); /* Twisted's None */
    CHECK(!reactor_is_internal(NULL, &a.base));
    CHECK_EQ(reactor_get_readers(NULL, NULL, 0), 0);
    CHECK_EQ(reactor_get_writers(NULL, NULL, 0), 0);
    CHECK_EQ(reactor_remove_all(NULL, NULL, 0), 0);
    CHECK(isnan(reactor_seconds(NULL)));
    CHECK(isnan(reactor_clock_seconds(NULL, 0)));
    reactor_set_seconds(NULL, NULL, NULL);
    CHECK_ERR(reactor_call_from_thread(NULL, note_before, NULL),
              ERR_INVALID_ARGUMENT);
    reactor_wake_up(NULL);
    reactor_remove_reader(NULL, &a.base);
    reactor_remove_writer(NULL, &a.base);
    reactor_main_loop(NULL);
    reactor_crash(NULL);
    reactor_run_until_current(NULL);
    reactor_disconnect_all(NULL);
    reactor_fire_system_event(NULL, "startup");
    reactor_base_destroy(NULL);
    reactor_free(NULL);
    CHECK_EQ(events, "");
}

/* posixbase.h's functions, which the backends share, refuse NULL too. */
static void test_null_reaches_no_posixbase_function(void)
{
    struct reactor_base *r = new_reactor();
    struct posix_reactor_base *p = (struct posix_reactor_base *)r;
    int w;
    struct probe a = readable_probe(r, &w);
    reactor_add_reader(r, &a.base);
    CHECK_ERR(posix_reactor_base_init(NULL, r->ops), ERR_INVALID_ARGUMENT);
    posix_reactor_base_destroy(NULL);
    posix_wake_up(NULL);
    posix_disconnect_selectable(p, NULL, CONNECTION_LOST, true);
    posix_disconnect_selectable(NULL, &a.base, CONNECTION_LOST, true);
    CHECK_EQ(a.lost, 0);
    posix_handle_signals(NULL);
    posix_uninstall_handler(NULL);
    struct descriptor *one[1] = {&a.base};
    CHECK_EQ(posix_remove_all(NULL, one, 1, NULL, 0, NULL, 0), 0);
    CHECK_EQ(posix_remove_all(p, NULL, 1, NULL, 0, NULL, 0), 0);
    CHECK_EQ(posix_remove_all(p, one, 1, NULL, 1, NULL, 0), 0);
    CHECK_ERR(posix_note_stale(NULL, &a.base), ERR_INVALID_ARGUMENT);
    CHECK_ERR(posix_note_stale(p, NULL), ERR_INVALID_ARGUMENT);
    posix_forget_stale(NULL, &a.base);
    posix_forget_stale(p, NULL);
    CHECK(!posix_disconnect_stale(NULL));
    posix_reactor_wake_up(NULL);
    /* _PollLikeMixin's share, on any backend: */
    CHECK_ERR(poll_like_add_reader(NULL, &a.base), ERR_INVALID_ARGUMENT);
    CHECK_ERR(poll_like_add_writer(NULL, &a.base), ERR_INVALID_ARGUMENT);
    poll_like_remove_reader(NULL, &a.base);
    poll_like_remove_writer(NULL, &a.base);
    CHECK_EQ(poll_like_get_readers(NULL, NULL, 4), 0);
    CHECK_EQ(poll_like_get_writers(NULL, NULL, 4), 0);
    CHECK_EQ(poll_like_remove_all(NULL, NULL, 4), 0);
    CHECK_EQ(poll_like_registration_id(NULL, a.fd), 0);
    CHECK(!poll_like_disconnect_stale(NULL));
    trace_begin(NULL);
    trace_dispatch(NULL, a.fd, IO_READ);
    trace_end(NULL, r, "poll", 0);
    poll_like_do_read_or_write(NULL, a.fd, IO_READ, 1);
    CHECK_ERR(poll_like_init(NULL, r->ops, NULL), ERR_INVALID_ARGUMENT);
    poll_like_destroy(NULL);
    CHECK_EQ(ready_list_reserve(NULL, 1, 8), -1);
    ready_list_free(NULL);
    CHECK_ERR(poll_like_kernel_init(NULL, r->ops, NULL, -1, NULL, 8),
              ERR_INVALID_ARGUMENT);
    if (!is_select(r)) { /* this reactor's own table, asked with NULL */
        CHECK_ERR(poll_like_add_reader(r, NULL), ERR_INVALID_ARGUMENT);
        poll_like_remove_reader(r, NULL);
        poll_like_remove_writer(r, NULL);
        CHECK_EQ(poll_like_get_readers(r, NULL, 4), 2); /* waker, a */
        CHECK_EQ(poll_like_get_writers(r, NULL, 4), 0);
    }
    CHECK_EQ(reactor_get_readers(r, NULL, 0), 2); /* a is still there */
    reactor_free(r);
    close(a.fd), close(w);
}

/* ---- the runner ------------------------------------------------------ */

static const struct test tests[] = {
    TEST(stop_before_run_is_ReactorNotRunning),
    TEST(stop_twice_is_ReactorNotRunning),
    TEST(run_while_running_is_ReactorAlreadyRunning),
    TEST(run_after_stop_is_ReactorNotRestartable),
    TEST(crash_ends_run_without_shutdown_and_allows_rerun),
    TEST(errors_have_twisted_names_and_messages),
    TEST(shutdown_triggers_run_in_phase_order),
    TEST(call_when_running_waits_for_startup_then_runs_at_once),
    TEST(removed_trigger_does_not_run),
    TEST(trigger_added_while_its_phase_fires_still_runs),
    TEST(removing_a_before_trigger_that_ran_while_firing_is_ok),
    TEST(fd_beyond_FD_SETSIZE_is_refused_by_select_only),
    TEST(a_writer_without_do_write_is_refused),
    TEST(two_descriptors_on_one_fd_is_FdInUse),
    TEST(readers_writers_and_remove_all_leave_the_waker),
    TEST(descriptor_removed_by_another_callback_is_not_called),
    TEST(descriptor_that_removes_and_readds_itself_runs_once),
    TEST(descriptor_that_removes_itself_is_called_no_more),
    TEST(descriptor_added_during_dispatch_waits_for_next_pass),
    TEST(new_descriptor_on_a_reused_fd_waits_for_next_pass),
    TEST(reason_from_do_read_disconnects_the_descriptor),
    TEST(fileno_gone_to_minus_one_is_ConnectionFdescWentAway),
    TEST(closed_fd_is_dropped_and_others_keep_working),
    TEST(closed_fd_with_a_dup_open_does_not_keep_the_loop_busy),
    TEST(input_is_read_before_a_hangup_is_reported),
    TEST(hangup_of_a_writer_only_descriptor_is_ConnectionLost),
    TEST(hangup_of_a_reader_without_input_is_ConnectionDone),
    TEST(hangup_of_a_reader_and_writer_reaches_its_write),
    TEST(reader_writer_shut_for_writing_is_lost_at_its_write),
    TEST(event_of_an_old_socket_does_not_reach_a_new_one),
    TEST(failed_removal_with_a_dup_open_does_not_spin),
    TEST(new_descriptor_on_a_stale_fd_number_hears_only_its_own),
    TEST(descriptor_added_while_the_set_is_rebuilt_stays),
    TEST(newcomer_on_the_number_of_a_closed_fd_is_served),
    TEST(stale_descriptor_removed_by_its_owner_is_not_disconnected),
    TEST(stale_descriptor_that_registers_again_is_not_disconnected),
    TEST(closed_reader_and_writer_is_disconnected_once),
    TEST(number_reused_by_an_unregistered_file_still_reaches_a),
    TEST(rebuilt_set_does_not_watch_a_foreign_file_for_a),
    TEST(reader_removed_and_readded_costs_at_most_one_epoll_ctl),
    TEST(toggling_a_readers_write_interest_costs_no_epoll_ctl),
    TEST(reader_that_becomes_a_writer_costs_one_epoll_ctl),
    TEST(descriptor_reopened_between_removal_and_readding_is_watched),
    TEST(deferred_change_for_an_fd_closed_meanwhile_is_no_error),
    TEST(removed_reader_stays_in_the_kernel_until_its_first_event),
    TEST(reader_readded_after_a_pass_costs_one_epoll_ctl),
    TEST(reader_reopened_after_a_pass_is_watched),
    TEST(reader_on_a_regular_file_after_a_pass_is_refused_at_once),
    TEST(readded_on_a_dup2_file_does_not_hear_another_files_stray),
    TEST(newcomer_on_a_file_whose_entry_was_kept_is_served),
    TEST(reader_removed_before_its_close_with_a_dup_costs_a_rebuild),
    TEST(readers_removed_by_remove_all_are_forgotten_quietly),
    TEST(reader_readded_in_the_pass_its_kept_entry_speaks_is_served),
    TEST(reader_removed_before_a_rebuild_is_watched_when_readded),
    TEST(removed_writer_left_in_the_kernel_does_not_spin),
    TEST(closing_after_removal_with_a_dup_open_costs_one_rebuild),
    TEST(writer_added_on_a_closed_fd_is_disconnected_next_pass),
    TEST(set_is_rebuilt_at_the_open_file_limit),
    TEST(epoll_refuses_a_regular_file_or_a_closed_fd_at_once),
    TEST(unwatchable_file_on_a_number_pending_removal_is_refused_at_once),
    TEST(second_descriptor_on_a_number_pending_removal_is_FdInUse),
    TEST(trace_names_the_descriptors_dispatched),
    TEST(shutdown_disconnects_every_descriptor),
    TEST(wake_up_ends_a_wait_forever),
    TEST(sigterm_stops_the_reactor_through_the_waker),
    TEST(sigterm_stops_only_the_reactor_that_installed_it),
    TEST(reset_with_input_waiting_is_lost_at_once_on_kqueue),
    TEST(sigterm_stops_only_the_reactor_whose_handlers_are_in),
    TEST(handlers_removed_out_of_order_leave_the_later_ones_in),
    TEST(sigterm_after_a_flood_of_sigchld_still_stops),
    TEST(sigchld_does_not_interrupt_a_read_in_a_callback),
    TEST(sigint_handler_already_installed_is_left_alone),
    TEST(iterate_with_a_negative_or_NaN_delay_is_refused),
    TEST(connection_lost_that_frees_another_at_shutdown_is_safe),
    TEST(null_descriptor_is_refused_or_ignored),
    TEST(null_function_is_InvalidArgument_even_while_running),
    TEST(null_reactor_is_refused_by_every_function),
    TEST(null_reaches_no_posixbase_function),
};

static void clear_events(void) { events[0] = '\0'; }

int main(int argc, char **argv)
{
    return run_tests(tests, sizeof tests / sizeof tests[0], argc, argv,
                     clear_events);
}
