/*
 * bench_backends: what one pass costs under each backend.
 *
 * The workload of libevent's test/bench.c: n socket pairs, the read end
 * of each watched for reading; `active` writes start chains; every read
 * takes one byte and, while writes remain (`writes` in all), sends one
 * byte on to the next pair.  The loop runs without waiting (iterate(0))
 * until every byte sent has been read.  Setup (registering the n
 * readers) and run are timed apart, over many rounds; medians print.
 * Times are the process's CPU time, which other programs on a busy
 * machine disturb less than the wall clock; everything here is CPU work
 * (nothing waits), so the two agree on a quiet machine.
 *
 * Beside the backends runs a "floor" on Linux: the same workload driven
 * by epoll_wait directly, no reactor, so the reactor's overhead shows as
 * a ratio.
 *
 *   bench_backends [-r ROUNDS] [-n N,N,...] [-a ACTIVE] [-w WRITES]
 *   (default: 25 rounds, n = 100,500,1000,9000, and both a=100 w=1000 and
 *    a=1 w=100)
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backends.h"
#include "reactors.h"

#if HAVE_EPOLL
#include <sys/epoll.h>
#endif

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

/* ---- one round under a reactor, or under bare epoll ------------------ */

struct timing {
    double setup, run;
};

/* Returns -1 if the backend refused a descriptor (select beyond
 * FD_SETSIZE), with the refusal printed. */
static int reactor_round(struct reactor_base *r, int active, long writes,
                         struct timing *t)
{
    double t0 = now();
    for (int i = 0; i < n_pairs; i++) {
        int err = reactor_add_reader(r, &pairs[i].base);
        if (err) {
            printf("  %s refuses n=%d: fd %d: %s: %s\n", r->ops->name,
                   n_pairs, pairs[i].rd, reactor_error_name(err),
                   reactor_error_message(err));
            for (int k = 0; k < i; k++)
                reactor_remove_reader(r, &pairs[k].base);
            return -1;
        }
    }
    double t1 = now();
    start_chains(active, writes);
    do
        reactor_iterate(r, 0);
    while (count != fired);
    double t2 = now();
    for (int i = 0; i < n_pairs; i++)
        reactor_remove_reader(r, &pairs[i].base);
    *t = (struct timing){.setup = t1 - t0, .run = t2 - t1};
    return 0;
}

#if HAVE_EPOLL
static int floor_round(int active, long writes, struct timing *t)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event *events = calloc((size_t)n_pairs, sizeof *events);
    if (ep < 0 || !events)
        return -1;
    double t0 = now();
    for (int i = 0; i < n_pairs; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, pairs[i].rd, &ev);
    }
    double t1 = now();
    start_chains(active, writes);
    do {
        int n = epoll_wait(ep, events, n_pairs, 0);
        for (int k = 0; k < n; k++)
            on_readable((int)events[k].data.u32);
    } while (count != fired);
    double t2 = now();
    close(ep); /* drops every registration at once */
    free(events);
    *t = (struct timing){.setup = t1 - t0, .run = t2 - t1};
    return 0;
}
#endif

/* ---- medians and the table ------------------------------------------ */

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

enum { MAX_DRIVERS = 6, MAX_ROUNDS = 1000 };
struct row {
    const char *name;
    double setup[MAX_ROUNDS], run[MAX_ROUNDS];
    int refused;
};

/* Rounds alternate between drivers, so that a slow moment of the machine
 * falls on all of them alike. */
static void measure(int n, int active, long writes, int rounds)
{
    struct row rows[MAX_DRIVERS];
    struct reactor_base *reactors[MAX_DRIVERS] = {0};
    int n_rows = 0;
#if HAVE_EPOLL
    rows[n_rows++] = (struct row){.name = "floor"};
#endif
    size_t n_types;
    const struct reactor_type *types = get_reactor_types(&n_types);
    for (size_t i = 0; i < n_types && n_rows < MAX_DRIVERS; i++) {
        int err;
        if (!types[i].available || !types[i].new_reactor)
            continue;
        /* Before the pairs, so that the reactor's own fds are low. */
        reactors[n_rows] = reactor_new_by_name(types[i].short_name, &err);
        if (reactors[n_rows])
            rows[n_rows++] = (struct row){.name = types[i].short_name};
        else
            printf("%s: %s\n", types[i].short_name, reactor_error_name(err));
    }
    if (make_pairs(n) < 0) {
        printf("n=%d: cannot make %d socket pairs (raise the open-file "
               "limit)\n",
               n, n);
        for (int d = 0; d < n_rows; d++)
            reactor_free(reactors[d]);
        free_pairs();
        return;
    }
    printf("\nn=%d active=%d writes=%ld: medians of %d rounds\n", n, active,
           writes, rounds);
    for (int round = 0; round < rounds; round++)
        for (int d = 0; d < n_rows; d++) {
            struct timing t;
            if (rows[d].refused)
                continue;
            int ok = reactors[d]
                         ? reactor_round(reactors[d], active, writes, &t)
#if HAVE_EPOLL
                         : floor_round(active, writes, &t);
#else
                         : -1;
#endif
            if (ok < 0) {
                rows[d].refused = 1;
                continue;
            }
            rows[d].setup[round] = t.setup;
            rows[d].run[round] = t.run;
        }
    printf("  %-8s %12s %12s %10s %12s\n", "backend", "setup (us)",
           "run (us)", "run/floor", "setup/floor");
    double floor_setup = 0, floor_run = 0;
    for (int d = 0; d < n_rows; d++) {
        if (rows[d].refused) {
            reactor_free(reactors[d]);
            continue;
        }
        double s = median(rows[d].setup, rounds) * 1e6;
        double r = median(rows[d].run, rounds) * 1e6;
        if (!reactors[d]) {
            floor_setup = s;
            floor_run = r;
        }
        if (floor_run > 0)
            printf("  %-8s %12.1f %12.1f %9.2fx %11.2fx\n", rows[d].name, s,
                   r, r / floor_run, s / floor_setup);
        else
            printf("  %-8s %12.1f %12.1f\n", rows[d].name, s, r);
        reactor_free(reactors[d]);
    }
    free_pairs();
}

/* Room for n pairs: two fds each, and some to spare. */
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
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    int rounds = 25, active = -1, n_list[16] = {100, 500, 1000, 9000}, n_n = 4;
    long writes = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-r") == 0)
            rounds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-a") == 0)
            active = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-w") == 0)
            writes = atol(argv[i + 1]);
        else if (strcmp(argv[i], "-n") == 0) {
            n_n = 0;
            for (char *s = strtok(argv[i + 1], ","); s && n_n < 16;
                 s = strtok(NULL, ","))
                n_list[n_n++] = atoi(s);
        } else {
            fprintf(stderr,
                    "usage: %s [-r ROUNDS] [-n N,N,...] [-a ACTIVE] "
                    "[-w WRITES]\n",
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
    raise_fd_limit(max_n);
    static const struct {
        int active;
        long writes;
    } shapes[] = {{100, 1000}, {1, 100}};
    for (int s = 0; s < 2; s++) {
        if (active > 0 && s > 0)
            break; /* one shape given on the command line */
        int a = active > 0 ? active : shapes[s].active;
        long w = writes >= 0 ? writes : shapes[s].writes;
        for (int i = 0; i < n_n; i++)
            measure(n_list[i], a <= n_list[i] ? a : n_list[i], w, rounds);
    }
    if (failures)
        printf("\n%ld sends or receives failed\n", failures);
    return failures != 0;
}
