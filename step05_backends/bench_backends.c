/*
 * bench_backends: what one pass costs under each backend.
 *
 * The workload of libevent's test/bench.c: n socket pairs, the read end
 * of each watched for reading; `active` writes start chains; every read
 * takes one byte and, while writes remain (`writes` in all), sends one
 * byte on to the next pair.  The loop runs without waiting (iterate(0))
 * until every byte sent has been read.  Setup (registering the n
 * readers, then one pass, where a loop that defers its changes makes
 * them) and run are timed apart, over many rounds; medians print.
 * Times are the process's CPU time, which other programs on a busy
 * machine disturb less than the wall clock; everything here is CPU work
 * (nothing waits), so the two agree on a quiet machine.
 *
 * Two more workloads: re-registering (each of the n readers removed and
 * added again, then one pass) and an idle pass (n readers, none ready).
 * With --svg, the idle pass over a range of n, drawn as a picture.
 *
 * Beside the backends runs a "floor" on Linux: the same workload driven
 * by epoll_wait and epoll_ctl directly, no reactor, so the reactor's
 * overhead shows as a ratio.  Built with -DREACTOR_BENCH_COMPARE=ON, the
 * same workloads run on libev, libevent and libuv too (bench/compare/),
 * their rounds interleaved with the backends'.
 *
 *   bench_backends [-r ROUNDS] [-n N,N,...] [-a ACTIVE] [-w WRITES]
 *                  [-t chain,rereg,idle|none] [--svg FILE]
 *   (default: 25 rounds; the chain run at n = 100,500,1000,9000, with
 *    both a=100 w=1000 and a=1 w=100; re-registering at n = 1000,9000;
 *    the idle pass at n = 9000.  -n sets every workload's n; the idle
 *    pass takes the largest.  --svg draws n = 10 ... 9000, or -n's.)
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "backends.h"
#include "reactors.h"

#if HAVE_EPOLL
#include <sys/epoll.h>

#include "epollreactor.h"
#endif

#ifndef BENCH_COMPARE_LIBEV
#define BENCH_COMPARE_LIBEV 0
#endif
#ifndef BENCH_COMPARE_LIBEVENT
#define BENCH_COMPARE_LIBEVENT 0
#endif
#ifndef BENCH_COMPARE_LIBUV
#define BENCH_COMPARE_LIBUV 0
#endif
#include "bench/compare/peers_backends.h"

/* The other loops this build was given (CMake's REACTOR_BENCH_COMPARE). */
static const struct bench_peer *const peers[] = {
#if BENCH_COMPARE_LIBEV
    &bench_peer_libev,
#endif
#if BENCH_COMPARE_LIBEVENT
    &bench_peer_libevent,
#endif
#if BENCH_COMPARE_LIBUV
    &bench_peer_libuv,
#endif
    NULL,
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the workload ---------------------------------------------------- */

struct pair {
    struct descriptor base; /* for the reactor runs */
    int rd, wr;             /* read end, write end */
    int index;
};

static struct pair *pairs;
static int n_pairs;
static long count, fired, writes_left, failures;

/* The same work under every driver: take one byte, maybe pass one on. */
static void on_readable(int i)
{
    char ch;
    ssize_t n = recv(pairs[i].rd, &ch, 1, 0);
    if (n >= 0)
        count += n;
    else
        failures++;
    if (writes_left > 0) {
        int next = (i + 1) % n_pairs;
        if (send(pairs[next].wr, "e", 1, 0) != 1)
            failures++;
        writes_left--;
        fired++;
    }
}

/* The `active` first bytes, spread evenly over the pairs. */
static void start_chains(int active, long writes)
{
    count = fired = 0;
    writes_left = writes;
    int space = n_pairs / active;
    for (int i = 0; i < active; i++, fired++)
        if (send(pairs[i * space].wr, "e", 1, 0) != 1)
            failures++;
}

static int pair_fileno(struct descriptor *d)
{
    return ((struct pair *)d)->rd;
}

static int pair_do_read(struct descriptor *d)
{
    on_readable(((struct pair *)d)->index);
    return 0;
}

static void pair_lost(struct descriptor *d, int reason)
{
    (void)d, (void)reason;
}

static const struct descriptor_ops pair_ops = {
    .fileno = pair_fileno,
    .do_read = pair_do_read,
    .connection_lost = pair_lost,
};

static int make_pairs(int n)
{
    pairs = calloc((size_t)n, sizeof *pairs);
    if (!pairs)
        return -1;
    for (int i = 0; i < n; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
            fprintf(stderr, "socketpair %d of %d: %s\n", i, n,
                    strerror(errno));
            n_pairs = i;
            return -1;
        }
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
        fcntl(sv[1], F_SETFL, O_NONBLOCK);
        pairs[i] = (struct pair){
            .base.ops = &pair_ops, .rd = sv[0], .wr = sv[1], .index = i};
        n_pairs = i + 1;
    }
    return 0;
}

static void free_pairs(void)
{
    for (int i = 0; i < n_pairs; i++)
        close(pairs[i].rd), close(pairs[i].wr);
    free(pairs);
    pairs = NULL;
    n_pairs = 0;
}

/* ---- drivers: a backend, the floor, or another loop ------------------ */

enum { MAX_DRIVERS = 8, MAX_ROUNDS = 1000 };

struct driver {
    const char *name;
    struct reactor_base *reactor;  /* one of this step's backends, */
    const struct bench_peer *peer; /* another loop (loop is its state), */
    void *loop;
#if HAVE_EPOLL
    int ep; /* or neither: the floor, on this epoll set */
    int capacity;
    struct epoll_event *events;
#endif
    int refused; /* a backend that cannot hold n (select) */
    long batch;  /* idle passes per timing */
    /* epoll's epoll_ctl calls in the re-registering rounds: made while
     * the readers were removed and added, and at the pass after. */
    unsigned long ctl_at_once, ctl_at_wait;
};

static int is_epoll(const struct driver *d)
{
    return d->reactor && strcmp(d->name, "epoll") == 0;
}

/* The epoll_ctl calls epoll has made so far (0 for any other driver). */
static unsigned long epoll_ctl_calls(const struct driver *d)
{
#if HAVE_EPOLL
    if (is_epoll(d))
        return ((const struct epoll_reactor *)d->reactor)->ctl_calls;
#endif
    (void)d;
    return 0;
}

/* 0, or -1 with the refusal printed. */
static int driver_add(struct driver *d, int i)
{
    if (d->reactor) {
        int err = reactor_add_reader(d->reactor, &pairs[i].base);
        if (err)
            printf("  %s refuses n=%d: fd %d: %s: %s\n",
                   d->reactor->ops->name, n_pairs, pairs[i].rd,
                   reactor_error_name(err), reactor_error_message(err));
        return err ? -1 : 0;
    }
    if (d->peer) {
        d->peer->start(d->loop, i);
        return 0;
    }
#if HAVE_EPOLL
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(d->ep, EPOLL_CTL_ADD, pairs[i].rd, &ev) < 0)
        failures++;
#endif
    return 0;
}

static void driver_remove(struct driver *d, int i)
{
    if (d->reactor)
        reactor_remove_reader(d->reactor, &pairs[i].base);
    else if (d->peer)
        d->peer->stop(d->loop, i);
#if HAVE_EPOLL
    else if (epoll_ctl(d->ep, EPOLL_CTL_DEL, pairs[i].rd, NULL) < 0)
        failures++;
#endif
}

/* One pass, without waiting. */
static void driver_pass(struct driver *d)
{
    if (d->reactor) {
        reactor_iterate(d->reactor, 0);
        return;
    }
    if (d->peer) {
        d->peer->pass(d->loop);
        return;
    }
#if HAVE_EPOLL
    int n = epoll_wait(d->ep, d->events, d->capacity, 0);
    for (int k = 0; k < n; k++)
        on_readable((int)d->events[k].data.u32);
#endif
}

/* Every reader added (or none, if one was refused: -1). */
static int register_all(struct driver *d)
{
    for (int i = 0; i < n_pairs; i++)
        if (driver_add(d, i) < 0) {
            for (int k = 0; k < i; k++)
                driver_remove(d, k);
            d->refused = 1;
            return -1;
        }
    return 0;
}

/* Every reader removed, and a pass, so that a loop that defers changes
 * (libev) has made them before the next round adds the readers again. */
static void unregister_all(struct driver *d)
{
    for (int i = 0; i < n_pairs; i++)
        driver_remove(d, i);
    driver_pass(d);
}

static void close_drivers(struct driver *d, int n_d)
{
    for (int k = 0; k < n_d; k++) {
        if (d[k].reactor)
            reactor_free(d[k].reactor);
        else if (d[k].peer)
            d[k].peer->close(d[k].loop);
#if HAVE_EPOLL
        else {
            close(d[k].ep);
            free(d[k].events);
        }
#endif
    }
    free_pairs();
}

/* The floor, this platform's backends and, if asked, the other loops;
 * then n pairs.  Loops come first, so that their own fds are low. */
static int open_drivers(struct driver *d, int n, int with_peers)
{
    int n_d = 0;
#if HAVE_EPOLL
    d[n_d] = (struct driver){.name = "floor",
                             .ep = epoll_create1(EPOLL_CLOEXEC),
                             .capacity = n,
                             .events = calloc((size_t)n, sizeof *d->events)};
    if (d[n_d].ep >= 0 && d[n_d].events)
        n_d++;
    else {
        printf("floor: %s\n", strerror(errno));
        if (d[n_d].ep >= 0)
            close(d[n_d].ep);
        free(d[n_d].events);
    }
#endif
    size_t n_types;
    const struct reactor_type *types = get_reactor_types(&n_types);
    for (size_t i = 0; i < n_types && n_d < MAX_DRIVERS; i++) {
        int err;
        if (!types[i].available || !types[i].new_reactor)
            continue;
        struct reactor_base *r =
            reactor_new_by_name(types[i].short_name, &err);
        if (r)
            d[n_d++] =
                (struct driver){.name = types[i].short_name, .reactor = r};
        else
            printf("%s: %s\n", types[i].short_name, reactor_error_name(err));
    }
    for (int i = 0; with_peers && peers[i] && n_d < MAX_DRIVERS; i++) {
        void *loop = peers[i]->open(n, on_readable);
        if (loop)
            d[n_d++] = (struct driver){
                .name = peers[i]->name, .peer = peers[i], .loop = loop};
        else
            printf("%s: cannot make a loop\n", peers[i]->name);
    }
    if (make_pairs(n) < 0) {
        printf("n=%d: cannot make %d socket pairs (raise the open-file "
               "limit)\n",
               n, n);
        close_drivers(d, n_d);
        return -1;
    }
    for (int k = 0; k < n_d; k++)
        for (int i = 0; d[k].peer && i < n_pairs && !d[k].refused; i++)
            if (d[k].peer->attach(d[k].loop, i, pairs[i].rd) < 0) {
                printf("  %s refuses n=%d: fd %d\n", d[k].name, n_pairs,
                       pairs[i].rd);
                d[k].refused = 1;
            }
    return n_d;
}

/* ---- one round of each workload ------------------------------------- */

struct timing {
    double setup, run;
};

/* -1 if the driver refused n. */
static int chain_round(struct driver *d, int active, long writes,
                       struct timing *t)
{
    double t0 = now();
    if (register_all(d) < 0)
        return -1;
    driver_pass(d);
    double t1 = now();
    start_chains(active, writes);
    do
        driver_pass(d);
    while (count != fired);
    double t2 = now();
    unregister_all(d);
    *t = (struct timing){.setup = t1 - t0, .run = t2 - t1};
    return 0;
}

/* Each reader removed and added again, then one pass: what a server does
 * when it stops and starts watching many sockets within one pass. */
static double reregister_round(struct driver *d)
{
    unsigned long before = epoll_ctl_calls(d);
    double t0 = now();
    for (int i = 0; i < n_pairs; i++) {
        driver_remove(d, i);
        if (driver_add(d, i) < 0)
            failures++;
    }
    unsigned long at_once = epoll_ctl_calls(d);
    driver_pass(d);
    double t = now() - t0;
    d->ctl_at_once += at_once - before;
    d->ctl_at_wait += epoll_ctl_calls(d) - at_once;
    return t;
}

/* One idle pass, in seconds: the mean of a batch long enough for the
 * clock, its size found on the first round. */
static double idle_round(struct driver *d)
{
    if (!d->batch)
        for (d->batch = 1; d->batch < 1L << 24; d->batch *= 2) {
            double t0 = now();
            for (long i = 0; i < d->batch; i++)
                driver_pass(d);
            if (now() - t0 >= 2e-3)
                break;
        }
    double t0 = now();
    for (long i = 0; i < d->batch; i++)
        driver_pass(d);
    return (now() - t0) / (double)d->batch;
}

/* ---- medians and the tables ----------------------------------------- */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Rounds alternate between drivers, so that a slow moment of the machine
 * falls on all of them alike. */
static double samples[MAX_DRIVERS][2][MAX_ROUNDS];

/* Register every driver's readers, make one pass, then time `round` on
 * each driver in turn, `rounds` times: samples[k][0][i]. */
static void register_and_time(struct driver *d, int n_d, int rounds,
                              double (*round)(struct driver *))
{
    for (int k = 0; k < n_d; k++)
        if (!d[k].refused && register_all(&d[k]) == 0)
            driver_pass(&d[k]);
    for (int i = 0; i < rounds; i++)
        for (int k = 0; k < n_d; k++)
            if (!d[k].refused)
                samples[k][0][i] = round(&d[k]);
}

/* What the targets are checked against, at the end (epoll's ratios). */
static struct {
    double chain_worst; /* run/floor, every row */
    int chain_worst_n, chain_worst_active;
    int setup_n[16], setup_active[16], n_setup;
    double setup_peer[16];
    const char *setup_best[16];
    int rereg_n[16], idle_n;
    double rereg_floor[16], rereg_peer[16], rereg_ctl[16], idle_floor;
    unsigned long rereg_at_once[16];
    const char *rereg_best[16];
    int n_rereg;
} seen;

/* The best (lowest) median among the other loops, or 0 if none ran. */
static double best_peer(const struct driver *d, int n_d, const double *m,
                        const char **name)
{
    double best = 0;
    for (int k = 0; k < n_d; k++)
        if (d[k].peer && !d[k].refused && (best == 0 || m[k] < best)) {
            best = m[k];
            *name = d[k].name;
        }
    return best;
}

static void measure_chain(int n, int active, long writes, int rounds)
{
    struct driver d[MAX_DRIVERS];
    int n_d = open_drivers(d, n, 1);
    if (n_d < 0)
        return;
    printf("\nn=%d active=%d writes=%ld: medians of %d rounds\n", n, active,
           writes, rounds);
    for (int round = 0; round < rounds; round++)
        for (int k = 0; k < n_d; k++) {
            struct timing t;
            if (d[k].refused || chain_round(&d[k], active, writes, &t) < 0)
                continue;
            samples[k][0][round] = t.setup;
            samples[k][1][round] = t.run;
        }
    printf("  %-8s %12s %12s %10s %12s\n", "backend", "setup (us)",
           "run (us)", "run/floor", "setup/floor");
    double floor_setup = 0, floor_run = 0, setups[MAX_DRIVERS] = {0};
    for (int k = 0; k < n_d; k++)
        if (!d[k].refused)
            setups[k] = median(samples[k][0], rounds) * 1e6;
    const char *best_name = NULL;
    double best = best_peer(d, n_d, setups, &best_name);
    for (int k = 0; k < n_d; k++) {
        if (d[k].refused)
            continue;
        double s = setups[k];
        double r = median(samples[k][1], rounds) * 1e6;
        if (!d[k].reactor && !d[k].peer) {
            floor_setup = s;
            floor_run = r;
        }
        if (floor_run > 0)
            printf("  %-8s %12.1f %12.1f %9.2fx %11.2fx\n", d[k].name, s, r,
                   r / floor_run, s / floor_setup);
        else
            printf("  %-8s %12.1f %12.1f\n", d[k].name, s, r);
        if (is_epoll(&d[k]) && floor_run > 0 &&
            r / floor_run > seen.chain_worst) {
            seen.chain_worst = r / floor_run;
            seen.chain_worst_n = n;
            seen.chain_worst_active = active;
        }
        if (is_epoll(&d[k]) && best > 0 && seen.n_setup < 16) {
            int i = seen.n_setup++;
            seen.setup_n[i] = n;
            seen.setup_active[i] = active;
            seen.setup_peer[i] = s / best;
            seen.setup_best[i] = best_name;
        }
    }
    close_drivers(d, n_d);
}

static void measure_reregister(int n, int rounds)
{
    struct driver d[MAX_DRIVERS];
    double m[MAX_DRIVERS] = {0};
    int n_d = open_drivers(d, n, 1);
    if (n_d < 0)
        return;
    printf("\nre-registering n=%d readers (remove + add of each, then one "
           "pass): medians of %d rounds\n",
           n, rounds);
    register_and_time(d, n_d, rounds, reregister_round);
    double floor = 0;
    for (int k = 0; k < n_d; k++)
        if (!d[k].refused) {
            m[k] = median(samples[k][0], rounds) * 1e6;
            if (!d[k].reactor && !d[k].peer)
                floor = m[k];
        }
    const char *best_name = NULL;
    double best = best_peer(d, n_d, m, &best_name);
    printf("  %-8s %12s %10s %11s\n", "backend", "rereg (us)", "/floor",
           best ? "/best peer" : "");
    for (int k = 0; k < n_d; k++) {
        if (d[k].refused)
            continue;
        printf("  %-8s %12.1f", d[k].name, m[k]);
        if (floor > 0)
            printf(" %9.2fx", m[k] / floor);
        if (best > 0)
            printf(" %10.2fx", m[k] / best);
        printf("\n");
        if (is_epoll(&d[k]) && seen.n_rereg < 16) {
            int i = seen.n_rereg++;
            seen.rereg_n[i] = n;
            seen.rereg_floor[i] = floor > 0 ? m[k] / floor : 0;
            seen.rereg_peer[i] = best > 0 ? m[k] / best : 0;
            seen.rereg_best[i] = best_name;
            seen.rereg_at_once[i] = d[k].ctl_at_once;
            unsigned long calls = d[k].ctl_at_once + d[k].ctl_at_wait;
            seen.rereg_ctl[i] = (double)calls / ((double)n * rounds);
        }
    }
    for (int k = 0; k < n_d; k++)
        if (!d[k].refused)
            unregister_all(&d[k]);
    close_drivers(d, n_d);
}

/* One idle pass with n readers registered, none ready: each driver's
 * median in ns (0 where refused) in ns[], their names in names[]. */
static int measure_idle(int n, int rounds, int with_peers, double *ns,
                        const char **names)
{
    struct driver d[MAX_DRIVERS];
    int n_d = open_drivers(d, n, with_peers);
    if (n_d < 0)
        return -1;
    register_and_time(d, n_d, rounds, idle_round);
    for (int k = 0; k < n_d; k++) {
        names[k] = d[k].name;
        ns[k] = d[k].refused ? 0 : median(samples[k][0], rounds) * 1e9;
        if (!d[k].refused)
            unregister_all(&d[k]);
    }
    close_drivers(d, n_d);
    return n_d;
}

static void print_idle(int n, int rounds)
{
    double ns[MAX_DRIVERS];
    const char *names[MAX_DRIVERS];
    printf("\none idle pass, n=%d readers, none ready: medians of %d "
           "rounds\n",
           n, rounds);
    int n_d = measure_idle(n, rounds, 1, ns, names);
    double floor = n_d > 0 && strcmp(names[0], "floor") == 0 ? ns[0] : 0;
    printf("  %-8s %12s %10s\n", "backend", "pass (ns)",
           floor ? "/floor" : "");
    for (int k = 0; k < n_d; k++) {
        if (ns[k] == 0)
            continue;
        printf("  %-8s %12.0f", names[k], ns[k]);
        if (floor > 0)
            printf(" %9.2fx", ns[k] / floor);
        printf("\n");
        if (strcmp(names[k], "epoll") == 0 && floor > 0) {
            seen.idle_n = n;
            seen.idle_floor = ns[k] / floor;
        }
    }
}

/* The targets of issue 12, for epoll, from what ran. */
static void print_targets(void)
{
    if (!seen.chain_worst && !seen.n_setup && !seen.n_rereg && !seen.idle_n)
        return;
    printf("\ntargets (epoll):\n");
    if (seen.chain_worst)
        printf("  chain run within 1.10x of the floor at every n: worst "
               "%.3fx (n=%d a=%d): %s\n",
               seen.chain_worst, seen.chain_worst_n, seen.chain_worst_active,
               seen.chain_worst <= 1.10 ? "met" : "missed");
    for (int i = 0; i < seen.n_setup; i++)
        printf("  setup within 1.5x of the best peer, n=%d a=%d: %.3fx %s: "
               "%s\n",
               seen.setup_n[i], seen.setup_active[i], seen.setup_peer[i],
               seen.setup_best[i],
               seen.setup_peer[i] <= 1.5 ? "met" : "missed");
    for (int i = 0; i < seen.n_rereg; i++) {
        printf("  re-registering, n=%d: %.2f epoll_ctl per descriptor, %lu "
               "before the wait: %s\n",
               seen.rereg_n[i], seen.rereg_ctl[i], seen.rereg_at_once[i],
               seen.rereg_ctl[i] <= 1.0 && seen.rereg_at_once[i] == 0
                   ? "met"
                   : "missed");
        printf("    (%.3fx the floor", seen.rereg_floor[i]);
        if (seen.rereg_peer[i] > 0)
            printf("; %.3fx %s", seen.rereg_peer[i], seen.rereg_best[i]);
        printf(")\n");
    }
    if (seen.idle_n)
        printf("  idle pass within 1.05x of the floor, n=%d: %.3fx: %s\n",
               seen.idle_n, seen.idle_floor,
               seen.idle_floor <= 1.05 ? "met" : "missed");
}

/* ---- the picture: the idle pass against n, as SVG ------------------- */

enum { MAX_POINTS = 16 };
struct sweep {
    int n_points, n_series;
    int n[MAX_POINTS];
    const char *name[MAX_DRIVERS];
    double ns[MAX_DRIVERS][MAX_POINTS]; /* 0: refused */
};

/* The plot's box, in SVG units; the legend sits to its right. */
enum { SVG_W = 900, SVG_H = 600, PX0 = 90, PX1 = 730, PY0 = 60, PY1 = 470 };

static void svg_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        default:
            fputc(*s, f);
        }
}

/* log10 without libm (the one-line cc command links none): x = m 10^e
 * with 1 <= m < 10, and ln m = 2 atanh((m - 1) / (m + 1)), a series. */
static double log10_of(double x)
{
    int e = 0;
    for (; x >= 10; x /= 10)
        e++;
    for (; x < 1; x *= 10)
        e--;
    double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
    for (int k = 1; k < 200; k += 2, term *= z2)
        sum += term / k;
    return e + 2 * sum / 2.302585092994046;
}

/* The powers of ten around [lo, hi]: 10^*e0 <= lo, hi <= 10^*e1. */
static void decades(double lo, double hi, int *e0, int *e1)
{
    int a = 0, b = 0;
    for (double p = 1; p > lo; p /= 10)
        a--;
    for (double p = 1; p * 10 <= lo; p *= 10)
        a++;
    for (double p = 1; p < hi; p *= 10)
        b++;
    for (double p = 1; p / 10 >= hi; p /= 10)
        b--;
    *e0 = a;
    *e1 = b > a ? b : a + 1;
}

static double ten_to(int e)
{
    double p = 1;
    for (; e > 0; e--)
        p *= 10;
    for (; e < 0; e++)
        p /= 10;
    return p;
}

static const char *series_colour(const char *name)
{
    static const char *const known[][2] = {
        {"floor", "#555555"}, {"select", "#d62728"}, {"poll", "#ff7f0e"},
        {"epoll", "#1f77b4"}, {"kqueue", "#2ca02c"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i][0]) == 0)
            return known[i][1];
    return "#9467bd";
}

/* "100 ns", "10 us", "1 ms" for a power of ten of nanoseconds. */
static void time_label(int e, char *out, size_t size)
{
    static const char *const unit[] = {"ns", "&#181;s", "ms", "s"};
    int u = e / 3 < 3 ? e / 3 : 3;
    snprintf(out, size, "%.0f %s", ten_to(e - 3 * u), unit[u]);
}

/* The machine, for the caption: uname -m, nproc, the CPU model. */
static void machine(char *out, size_t size)
{
    struct utsname u;
    char cpu[128] = "CPU model unknown";
    long cpus = -1;
#ifdef _SC_NPROCESSORS_ONLN
    cpus = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = 0;
            break;
        }
    if (f)
        fclose(f);
    if (uname(&u) < 0)
        snprintf(u.machine, sizeof u.machine, "?"), u.sysname[0] = 0,
                                                    u.release[0] = 0;
    snprintf(out, size, "%s, nproc %ld, %s, %s %s", u.machine, cpus, cpu,
             u.sysname, u.release);
}

static int write_svg(const char *path, const struct sweep *s, int rounds)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    double lo = 0, hi = 0;
    for (int k = 0; k < s->n_series; k++)
        for (int p = 0; p < s->n_points; p++)
            if (s->ns[k][p] > 0) {
                if (lo == 0 || s->ns[k][p] < lo)
                    lo = s->ns[k][p];
                if (s->ns[k][p] > hi)
                    hi = s->ns[k][p];
            }
    int x0, x1, y0, y1;
    decades(s->n[0], s->n[s->n_points - 1], &x0, &x1);
    decades(lo > 0 ? lo : 1, hi > 0 ? hi : 10, &y0, &y1);
#define X(v) (PX0 + (log10_of(v) - x0) / (x1 - x0) * (PX1 - PX0))
#define Y(v) (PY1 - (log10_of(v) - y0) / (y1 - y0) * (PY1 - PY0))
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
            "font-size=\"13\">\n",
            SVG_W, SVG_H, SVG_W, SVG_H);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_W,
            SVG_H);
    fprintf(f,
            "<text x=\"%d\" y=\"30\" font-size=\"17\" "
            "font-weight=\"bold\">One pass with nothing ready: select and "
            "poll pay for every idle descriptor, epoll does not</text>\n",
            PX0 - 60);
    /* The grid: a line at every power of ten, ticks at 2..9 times it. */
    for (int e = x0; e <= x1; e++) {
        double x = X(ten_to(e));
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                "stroke=\"#dddddd\"/>\n",
                x, PY0, x, PY1);
        fprintf(f,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f"
                "</text>\n",
                x, PY1 + 18, ten_to(e));
        for (int m = 2; m < 10 && e < x1; m++) {
            double xm = X(m * ten_to(e));
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                    "stroke=\"#999999\"/>\n",
                    xm, PY1, xm, PY1 - 5);
        }
    }
    for (int e = y0; e <= y1; e++) {
        double y = Y(ten_to(e));
        char label[32];
        time_label(e, label, sizeof label);
        fprintf(f,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                "stroke=\"#dddddd\"/>\n",
                PX0, y, PX1, y);
        fprintf(f,
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                PX0 - 8, y + 4, label);
        for (int m = 2; m < 10 && e < y1; m++) {
            double ym = Y(m * ten_to(e));
            fprintf(f,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                    "stroke=\"#999999\"/>\n",
                    PX0, ym, PX0 + 5, ym);
        }
    }
    fprintf(f,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
            "fill=\"none\" stroke=\"black\"/>\n",
            PX0, PY0, PX1 - PX0, PY1 - PY0);
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">idle "
            "descriptors watched (n socket pairs, the read end of each "
            "registered, log scale)</text>\n",
            (PX0 + PX1) / 2, PY1 + 42);
    fprintf(f,
            "<text transform=\"translate(%d %d) rotate(-90)\" "
            "text-anchor=\"middle\">CPU time per pass, iterate(0) "
            "(log scale)</text>\n",
            22, (PY0 + PY1) / 2);
    /* One line per backend, a dot per point, a note where it stops. */
    for (int k = 0; k < s->n_series; k++) {
        const char *colour = series_colour(s->name[k]);
        int dashed = strcmp(s->name[k], "floor") == 0;
        fprintf(
            f,
            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"%s "
            "points=\"",
            colour, dashed ? " stroke-dasharray=\"6 4\"" : "");
        int last = -1;
        for (int p = 0; p < s->n_points; p++)
            if (s->ns[k][p] > 0) {
                fprintf(f, "%s%.1f,%.1f", last < 0 ? "" : " ", X(s->n[p]),
                        Y(s->ns[k][p]));
                last = p;
            }
        fprintf(f, "\"><title>");
        svg_text(f, s->name[k]);
        fprintf(f, "</title></polyline>\n");
        for (int p = 0; p < s->n_points; p++)
            if (s->ns[k][p] > 0)
                fprintf(f,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
                        "fill=\"%s\"/>\n",
                        X(s->n[p]), Y(s->ns[k][p]), colour);
        if (last >= 0 && last + 1 < s->n_points)
            fprintf(f,
                    "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" "
                    "text-anchor=\"end\">%s refuses n=%d</text>\n",
                    X(s->n[last]) - 6, Y(s->ns[k][last]) - 12, colour,
                    s->name[k], s->n[last + 1]);
    }
    for (int k = 0; k < s->n_series; k++) {
        int y = PY0 + 20 + 24 * k;
        const char *colour = series_colour(s->name[k]);
        fprintf(f,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                "stroke=\"%s\" stroke-width=\"2.5\"%s/>\n",
                PX1 + 20, y, PX1 + 50, y, colour,
                strcmp(s->name[k], "floor") == 0 ? " stroke-dasharray=\"6 4\""
                                                 : "");
        fprintf(f, "<text x=\"%d\" y=\"%d\">", PX1 + 58, y + 4);
        svg_text(f, strcmp(s->name[k], "floor") == 0 ? "floor (bare epoll)"
                                                     : s->name[k]);
        fprintf(f, "</text>\n");
    }
#undef X
#undef Y
    char where[512], when[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    machine(where, sizeof where);
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#333333\">"
            "Each point: the median of %d rounds of the CPU time of one "
            "pass that finds nothing ready (bench_backends --svg).</text>\n",
            PX0 - 60, PY1 + 80, rounds);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#333333\">",
            PX0 - 60, PY1 + 100);
    svg_text(f, where);
    fprintf(f, "; %s</text>\n</svg>\n", when);
    int err = ferror(f);
    if (fclose(f) != 0 || err) {
        fprintf(stderr, "%s: write failed\n", path);
        return -1;
    }
    return 0;
}

/* The idle pass at every n of the picture, backends only; a table too. */
static int draw_sweep(const char *path, const int *n, int n_n, int rounds)
{
    static struct sweep s;
    s.n_points = n_n < MAX_POINTS ? n_n : MAX_POINTS;
    printf("\nidle pass against n, for %s: ns per pass, medians of %d "
           "rounds\n",
           path, rounds);
    for (int p = 0; p < s.n_points; p++) {
        double ns[MAX_DRIVERS];
        const char *names[MAX_DRIVERS];
        s.n[p] = n[p];
        int n_d = measure_idle(n[p], rounds, 0, ns, names);
        if (n_d < 0)
            return -1;
        if (p == 0) {
            s.n_series = n_d;
            printf("  %7s", "n");
            for (int k = 0; k < n_d; k++) {
                s.name[k] = names[k];
                printf(" %10s", names[k]);
            }
            printf("\n");
        }
        printf("  %7d", n[p]);
        for (int k = 0; k < s.n_series; k++) {
            s.ns[k][p] = k < n_d ? ns[k] : 0;
            if (s.ns[k][p] > 0)
                printf(" %10.0f", s.ns[k][p]);
            else
                printf(" %10s", "-");
        }
        printf("\n");
    }
    if (write_svg(path, &s, rounds) < 0)
        return -1;
    printf("  written: %s\n", path);
    return 0;
}

/* Room for n pairs: two fds each, and some to spare.  Where the hard
 * limit is lower, say so: the larger n then cannot be made. */
static void raise_fd_limit(int n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    rlim_t want = (rlim_t)n * 2 + 64;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want
                          ? want
                          : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
            printf("the open-file limit stays below the %llu that n=%d "
                   "needs\n",
                   (unsigned long long)want, n);
    }
}

static int by_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int rounds = 25, active = -1, n_list[16] = {100, 500, 1000, 9000},
        n_n = 4;
    int n_given = 0, chain = 1, rereg = 1, idle = 1;
    long writes = -1;
    const char *svg = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-r") == 0)
            rounds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-a") == 0)
            active = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-w") == 0)
            writes = atol(argv[i + 1]);
        else if (strcmp(argv[i], "-n") == 0) {
            n_n = 0;
            n_given = 1;
            for (char *s = strtok(argv[i + 1], ","); s && n_n < 16;
                 s = strtok(NULL, ","))
                n_list[n_n++] = atoi(s);
        } else if (strcmp(argv[i], "-t") == 0) {
            const char *t = argv[i + 1];
            chain = strstr(t, "chain") != NULL;
            rereg = strstr(t, "rereg") != NULL;
            idle = strstr(t, "idle") != NULL;
        } else if (strcmp(argv[i], "--svg") == 0)
            svg = argv[i + 1];
        else {
            fprintf(stderr,
                    "usage: %s [-r ROUNDS] [-n N,N,...] [-a ACTIVE] "
                    "[-w WRITES] [-t chain,rereg,idle|none] [--svg FILE]\n",
                    argv[0]);
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "%s: rounds must be 1..%d\n", argv[0], MAX_ROUNDS);
        return 2;
    }
    int max_n = 0;
    for (int i = 0; i < n_n; i++) {
        if (n_list[i] < 1 || n_list[i] > 1000000) {
            fprintf(stderr, "%s: n must be 1..1000000\n", argv[0]);
            return 2;
        }
        if (n_list[i] > max_n)
            max_n = n_list[i];
    }
    int idle_n = n_given ? max_n : 9000;
    static int sweep[] = {10, 30, 100, 300, 500, 1000, 3000, 9000};
    int *svg_n = n_given ? n_list : sweep;
    int svg_n_n = n_given ? n_n : (int)(sizeof sweep / sizeof sweep[0]);
    qsort(svg_n, (size_t)svg_n_n, sizeof *svg_n, by_int);
    raise_fd_limit(max_n);
    for (int i = 0; peers[i]; i++) {
        void *loop = peers[i]->open(1, on_readable);
        printf("peer: %s %s, %s\n", peers[i]->name, peers[i]->version(),
               loop ? peers[i]->method(loop) : "cannot make a loop");
        if (loop)
            peers[i]->close(loop);
    }
    static const struct {
        int active;
        long writes;
    } shapes[] = {{100, 1000}, {1, 100}};
    for (int s = 0; chain && s < 2; s++) {
        if (active > 0 && s > 0)
            break; /* one shape given on the command line */
        int a = active > 0 ? active : shapes[s].active;
        long w = writes >= 0 ? writes : shapes[s].writes;
        for (int i = 0; i < n_n; i++)
            measure_chain(n_list[i], a <= n_list[i] ? a : n_list[i], w,
                          rounds);
    }
    static const int rereg_default[] = {1000, 9000};
    for (int i = 0; rereg && i < (n_given ? n_n : 2); i++)
        measure_reregister(n_given ? n_list[i] : rereg_default[i], rounds);
    if (idle)
        print_idle(idle_n, rounds);
    print_targets();
    if (svg && draw_sweep(svg, svg_n, svg_n_n, rounds) < 0)
        return 1;
    if (failures)
        printf("\n%ld sends or receives failed\n", failures);
    return failures != 0;
}
