/*
 * End-to-end tests of an echo server, run against the real program.
 *
 *   echo_e2e TEST SERVER [ARGS...]
 *
 * starts `SERVER ARGS... --port 0`, reads the port from its first line
 * ("listening on 127.0.0.1:PORT"), runs TEST against it, then sends it
 * SIGTERM and expects a clean exit (status 0).  Exit 0 means the test
 * passed, 77 that it cannot run here (CTest reports it skipped).
 *
 * The clients here use poll(), not select(): the driver must not share
 * the limits of the program it tests.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SKIP 77

/* 127.0.0.1: INADDR_LOOPBACK is not POSIX, and FreeBSD and macOS hide it
 * under _POSIX_C_SOURCE. */
static const uint32_t LOOPBACK = 0x7f000001;

static pid_t server_pid = -1;
static int server_port;
static FILE *server_out;

static void fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("FAIL: ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (server_pid > 0)
        kill(server_pid, SIGKILL);
    exit(1);
}

/* A test that hangs must not leave its server behind. */
static void on_alarm(int signo)
{
    (void)signo;
    if (server_pid > 0)
        kill(server_pid, SIGKILL);
    static const char msg[] = "FAIL: timed out\n";
    (void)!write(1, msg, sizeof msg - 1);
    _exit(1);
}

/* ---- the server under test ------------------------------------------ */

/* Fill descriptors [from, FD_SETSIZE) so that the server's next ones land
 * at FD_SETSIZE and above. */
static void crowd_descriptors(int from)
{
    int null = open("/dev/null", O_RDONLY);
    for (int fd = from; fd < FD_SETSIZE; fd++)
        if (fd != null)
            dup2(null, fd);
    if (null < from)
        close(null);
}

static rlim_t child_fd_limit; /* the server's RLIMIT_NOFILE; 0: as ours */

static void start_server(char **argv, int argc, int crowd_from)
{
    int pipefd[2];
    if (pipe(pipefd) < 0)
        fail("pipe: %s", strerror(errno));
    char **args = calloc((size_t)argc + 3, sizeof *args);
    for (int i = 0; i < argc; i++)
        args[i] = argv[i];
    args[argc] = "--port";
    args[argc + 1] = "0";
    server_pid = fork();
    if (server_pid < 0)
        fail("fork: %s", strerror(errno));
    if (server_pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        if (crowd_from > 0)
            crowd_descriptors(crowd_from);
        if (child_fd_limit) {
            /* What the harness passed in (ctest, make, a CI runner) would
             * take the server's room under the limit: the server gets
             * all of it but stdin, stdout and stderr. */
            for (int fd = 3; fd < (int)child_fd_limit; fd++)
                close(fd);
            struct rlimit rl = {child_fd_limit, child_fd_limit};
            if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
                perror("setrlimit");
                _exit(127);
            }
        }
        signal(SIGINT, SIG_DFL); /* an ignored SIGINT would be inherited */
        execv(args[0], args);
        perror(args[0]);
        _exit(127);
    }
    free(args);
    close(pipefd[1]);
    server_out = fdopen(pipefd[0], "r");
    char line[256];
    while (fgets(line, sizeof line, server_out)) {
        const char *colon = strrchr(line, ':');
        if (strncmp(line, "listening on 127.0.0.1:", 23) == 0 && colon) {
            server_port = atoi(colon + 1);
            return;
        }
    }
    fail("the server never said which port it listens on");
}

/* `signo` must end the server cleanly.  What it printed meanwhile is
 * read (so that it never blocks on a full pipe) and kept in `said`. */
static char said[4096];

static void stop_server_with(int signo)
{
    if (server_pid <= 0)
        return; /* stopped already: kill(-1, ...) would signal everyone */
    kill(server_pid, signo);
    size_t used = 0;
    char line[256];
    while (fgets(line, sizeof line, server_out)) {
        size_t n = strlen(line);
        if (used + n < sizeof said) {
            memcpy(said + used, line, n + 1);
            used += n;
        }
    }
    int status;
    if (waitpid(server_pid, &status, 0) != server_pid)
        fail("waitpid: %s", strerror(errno));
    server_pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("the server did not exit cleanly on signal %d (status %#x)",
             signo, status);
}

static void stop_server(void) { stop_server_with(SIGTERM); }

/* ---- clients -------------------------------------------------------- */

struct client {
    int fd;
    size_t to_send, sent, received;
    size_t hang_up_after; /* close after reading this much (0: never) */
    bool half_close;      /* shutdown(SHUT_WR) once everything is sent */
    uint32_t seed;        /* which byte pattern it sends */
    bool done, failed;
    char *got; /* for the transcript: what came back */
};

/* Each client sends its own pseudo-random stream, so an echo that went to
 * the wrong client, or came back out of order, shows. */
static unsigned char pattern(uint32_t seed, size_t i)
{
    uint32_t x = seed * 2654435761u ^ (uint32_t)(i / 4) * 2246822519u;
    x ^= x >> 15;
    x *= 2654435761u;
    return (unsigned char)(x >> (8 * (i % 4)));
}

static int connect_to_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((unsigned short)server_port),
                               .sin_addr.s_addr = htonl(LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        fail("connect: %s", strerror(errno));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void client_start(struct client *c, size_t size, uint32_t seed)
{
    *c = (struct client){
        .fd = connect_to_server(), .to_send = size, .seed = seed};
}

static void client_close(struct client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->done = true;
}

/* One step of a client: write what the socket takes, read what came. */
static void client_step(struct client *c, short revents)
{
    unsigned char buf[65536];
    if ((revents & POLLOUT) && c->sent < c->to_send) {
        size_t n = c->to_send - c->sent;
        if (n > sizeof buf)
            n = sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(c->seed, c->sent + i);
        ssize_t w = write(c->fd, buf, n);
        if (w > 0)
            c->sent += (size_t)w;
        if (c->half_close && c->sent == c->to_send)
            shutdown(c->fd, SHUT_WR); /* "that is all I will send" */
        else if (w < 0 && errno != EAGAIN)
            fail("client %u: write: %s", c->seed, strerror(errno));
    }
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t r = read(c->fd, buf, sizeof buf);
        if (r == 0) {
            c->failed = c->received < c->to_send;
            client_close(c);
            return;
        }
        if (r < 0) {
            if (errno == EAGAIN)
                return;
            fail("client %u: read: %s", c->seed, strerror(errno));
        }
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pattern(c->seed, c->received + (size_t)i))
                fail("client %u: byte %zu of the echo is wrong", c->seed,
                     c->received + (size_t)i);
        if (c->got)
            memcpy(c->got + c->received, buf, (size_t)r);
        c->received += (size_t)r;
    }
    if (c->hang_up_after && c->received >= c->hang_up_after)
        client_close(c);
    else if (c->received == c->to_send)
        client_close(c);
}

/* Drive clients until each is done; `each_pass` runs between polls. */
static void run_clients(struct client *cs, int n, void (*each_pass)(void))
{
    struct pollfd *pfds = calloc((size_t)n, sizeof *pfds);
    for (;;) {
        int live = 0;
        for (int i = 0; i < n; i++) {
            pfds[i].fd = cs[i].done ? -1 : cs[i].fd;
            pfds[i].events = POLLIN;
            if (cs[i].sent < cs[i].to_send)
                pfds[i].events |= POLLOUT;
            live += !cs[i].done;
        }
        if (live == 0)
            break;
        if (each_pass)
            each_pass();
        if (poll(pfds, (nfds_t)n, 10000) <= 0 && errno != EINTR)
            fail("no progress for 10 s (%d clients still waiting)", live);
        for (int i = 0; i < n; i++)
            if (!cs[i].done && pfds[i].revents)
                client_step(&cs[i], pfds[i].revents);
    }
    free(pfds);
}

static void expect_echoed(const struct client *c)
{
    if (c->failed || c->received != c->to_send)
        fail("client %u: sent %zu bytes, got %zu back", c->seed, c->to_send,
             c->received);
}

/* Send a little and wait: true if echoed, false if the server closed the
 * connection without echoing.  The connection is left open on success. */
static bool ping(int fd)
{
    if (write(fd, "ping", 4) != 4)
        return false; /* already reset by the server */
    char buf[4];
    size_t got = 0;
    while (got < 4) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0)
            fail("no answer to a ping within 10 s");
        ssize_t r = read(fd, buf + got, sizeof buf - got);
        if (r == 0 || (r < 0 && errno == ECONNRESET))
            return false;
        if (r < 0 && errno != EAGAIN)
            fail("read: %s", strerror(errno));
        if (r > 0)
            got += (size_t)r;
    }
    return memcmp(buf, "ping", 4) == 0;
}

/* ---- the tests ------------------------------------------------------ */

/* Fifty clients at once, each with its own stream. */
static void test_many_clients(void)
{
    enum { N = 50 };
    struct client cs[N];
    for (int i = 0; i < N; i++)
        client_start(&cs[i], 64 * 1024 + (size_t)i * 1000, (uint32_t)i + 1);
    run_clients(cs, N, NULL);
    for (int i = 0; i < N; i++)
        expect_echoed(&cs[i]);
}

/* Far more than the socket buffers hold, back byte for byte. */
static void test_big_payload(void)
{
    struct client c;
    client_start(&c, 32u << 20, 7);
    run_clients(&c, 1, NULL);
    expect_echoed(&c);
}

/* One client hangs up in the middle of a large echo; another, busy at the
 * same time, is unharmed, and the server still takes new clients. */
static void test_hangup_mid_stream(void)
{
    struct client cs[2];
    client_start(&cs[0], 8u << 20, 1);
    cs[0].hang_up_after = 100 * 1024;
    client_start(&cs[1], 4u << 20, 2);
    run_clients(cs, 2, NULL);
    expect_echoed(&cs[1]);
    struct client late;
    client_start(&late, 1000, 3);
    run_clients(&late, 1, NULL);
    expect_echoed(&late);
}

/* Clients that send everything, then half-close (shutdown(SHUT_WR)) and
 * wait: the server must echo every byte before it closes. */
static void test_half_close_gets_every_byte(void)
{
    enum { N = 10 };
    struct client cs[N];
    for (int i = 0; i < N; i++) {
        client_start(&cs[i], 1000 + (size_t)i * 300000, (uint32_t)i + 40);
        cs[i].half_close = true;
    }
    run_clients(cs, N, NULL);
    for (int i = 0; i < N; i++)
        expect_echoed(&cs[i]);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for the echo of "ping" on each fd not yet answered, until all
 * have answered or `quiet` s pass without an answer (the first answer of
 * all is awaited up to 5 s); returns how many have answered in all.
 * `leave`: each client hangs up as soon as it is answered. */
static int collect_pings(int *fds, bool *answered, int n, double quiet,
                         bool leave)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += answered[i];
    double end = seconds_now() + (count ? quiet : 5.0);
    while (count < n && seconds_now() < end) {
        struct pollfd p[64];
        int idx[64], k = 0;
        for (int i = 0; i < n && k < 64; i++)
            if (!answered[i]) {
                p[k] = (struct pollfd){.fd = fds[i], .events = POLLIN};
                idx[k++] = i;
            }
        if (poll(p, (nfds_t)k, 50) <= 0)
            continue;
        for (int j = 0; j < k; j++) {
            char buf[4];
            if ((p[j].revents & POLLIN) &&
                read(fds[idx[j]], buf, sizeof buf) == 4) {
                answered[idx[j]] = true;
                count++;
                end = seconds_now() + quiet;
                if (leave) {
                    close(fds[idx[j]]);
                    fds[idx[j]] = -1;
                }
            }
        }
    }
    return count;
}

/* The server may open only a few descriptors (the driver lowered its
 * limit).  Connections past that wait in the backlog; the server must
 * then idle, not spin on a listening socket it cannot accept from, and
 * take them as soon as earlier clients leave. */
static void test_out_of_descriptors(void)
{
    enum { N = 30 };
    int fds[N];
    bool answered[N] = {false};
    double start = seconds_now();
    for (int i = 0; i < N; i++) {
        fds[i] = connect_to_server();
        if (write(fds[i], "ping", 4) != 4)
            fail("write: %s", strerror(errno));
    }
    int served = collect_pings(fds, answered, N, 0.25, false);
    if (served == 0 || served == N)
        fail("%d of %d served: the limit was not what the test needs", served,
             N);
    struct rusage before, after;
    getrusage(RUSAGE_CHILDREN, &before); /* nothing reaped yet: zero */
    nanosleep(&(struct timespec){.tv_nsec = 500 * 1000 * 1000}, NULL);
    int waiting = N - served;
    /* The served ones leave, and each waiting one as soon as it is
     * answered: every departure makes room for the next. */
    for (int i = 0; i < N; i++)
        if (answered[i]) {
            close(fds[i]);
            fds[i] = -1;
        }
    int total = collect_pings(fds, answered, N, 5.0, true);
    if (total < N)
        fail("%d waiting connections were never served", N - total);
    for (int i = 0; i < N; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    stop_server();
    double life = seconds_now() - start;
    getrusage(RUSAGE_CHILDREN, &after);
    double cpu =
        (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
        (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
        (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
        (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
    printf("%d served at once, %d after others left; the server used "
           "%.3f s of CPU in %.3f s\n",
           served, waiting, cpu, life);
    /* A spinning server takes a core, or its share of a busy machine. */
    if (cpu > life / 4)
        fail("the server spun while out of descriptors (%.3f s CPU in "
             "%.3f s)",
             cpu, life);
}

/* Thousands of signals while the server waits and works: every one makes
 * its wait fail with EINTR, and the echo must come through anyway. */
static unsigned long signals_sent;

static void send_signals(void)
{
    for (int i = 0; i < 20; i++, signals_sent++)
        kill(server_pid, SIGCHLD);
}

static void test_signal_storm(void)
{
    struct client c;
    client_start(&c, 16u << 20, 9);
    run_clients(&c, 1, send_signals);
    expect_echoed(&c);
    if (signals_sent < 1000)
        fail("only %lu signals were sent", signals_sent);
    int status;
    if (waitpid(server_pid, &status, WNOHANG) != 0)
        fail("the server died in the storm");
}

/* The server's descriptors below FD_SETSIZE are crowded out, so its next
 * connections land at FD_SETSIZE and beyond.  `refused`: a select()
 * server must close those (and keep serving the others); otherwise a
 * poll or epoll server must serve them. */
static void test_fd_setsize(bool refused)
{
    enum { MAX = 40 };
    int fds[MAX], served = 0, n = 0;
    bool saw_refusal = false;
    for (; n < MAX && !saw_refusal; n++) {
        fds[n] = connect_to_server();
        if (ping(fds[n]))
            served++;
        else
            saw_refusal = true;
    }
    if (refused) {
        if (!saw_refusal)
            fail("%d connections, none refused", n);
        if (served == 0)
            fail("refused everything: the test never reached FD_SETSIZE");
    } else if (saw_refusal) {
        fail("connection %d was refused", n);
    }
    for (int i = 0; i < n; i++)
        close(fds[i]);
    /* Still serving: a newcomer gets a low fd back and its echo. */
    nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
    int fd = connect_to_server();
    if (!ping(fd))
        fail("the server stopped serving after the refusal");
    close(fd);
    printf("%d connections served, then %s\n", served,
           saw_refusal ? "one refused" : "none refused");
}

/* SIGINT or SIGTERM while a client is connected: the reactor stops the
 * way reactor.stop() does, so the shutdown triggers run in phase order,
 * "during shutdown" disconnects the client, and the exit status is 0. */
static void test_signal_shutdown(int signo)
{
    int fd = connect_to_server();
    if (!ping(fd))
        fail("no echo before the signal");
    stop_server_with(signo);
    const char *before = strstr(said, "before shutdown: 1 connections open");
    const char *after = strstr(said, "after shutdown: 0 connections open");
    if (!before || !after || after < before)
        fail("the shutdown triggers did not run in order; it said:\n%s",
             said);
    char c;
    if (read(fd, &c, 1) != 0)
        fail("the client was not disconnected");
    close(fd);
}

/* Run the server with --idle-timeout 0.3: a silent client is closed
 * after about 0.3 s, while one that keeps talking stays. */
static void test_idle_timeout(void)
{
    double start = seconds_now();
    int silent = connect_to_server(), active = connect_to_server();
    double closed_at = 0;
    while (seconds_now() - start < 1.0) {
        if (!ping(active))
            fail("the active client was closed at %.2f s",
                 seconds_now() - start);
        char c;
        if (!closed_at && read(silent, &c, 1) == 0)
            closed_at = seconds_now() - start;
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    }
    if (!closed_at)
        fail("the silent client was still open after 1 s");
    if (closed_at < 0.25)
        fail("the silent client was closed after %.2f s, before 0.3 s",
             closed_at);
    printf("silent client closed after %.2f s; the active one stayed\n",
           closed_at);
    close(silent);
    close(active);
}

/* Run the server with --heartbeat 0.1: heartbeat lines keep coming. */
static void test_heartbeat(void)
{
    char line[256];
    int beats = 0;
    double start = seconds_now();
    while (beats < 3 && fgets(line, sizeof line, server_out))
        beats += strncmp(line, "heartbeat: ", 11) == 0;
    if (beats < 3)
        fail("only %d heartbeats", beats);
    printf("3 heartbeats in %.2f s\n", seconds_now() - start);
}

/* A fixed session whose echoes are printed, for comparing two servers
 * (the step's C program and its Python twin). */
static void test_transcript(void)
{
    static const size_t sizes[] = {6, 100, 200 * 1024, 3 * 1024 * 1024,
                                   50 * 1024};
    enum { N = sizeof sizes / sizeof sizes[0] };
    struct client cs[N];
    for (int i = 0; i < N; i++) {
        client_start(&cs[i], sizes[i], (uint32_t)i + 100);
        cs[i].got = malloc(sizes[i]);
    }
    cs[N - 1].half_close = true; /* the last one half-closes */
    run_clients(cs, N, NULL);
    for (int i = 0; i < N; i++) {
        uint64_t h = 1469598103934665603u; /* FNV-1a over the echo */
        for (size_t k = 0; k < cs[i].received; k++)
            h = (h ^ (unsigned char)cs[i].got[k]) * 1099511628211u;
        printf("client %d: sent %zu, received %zu, fnv1a %016llx\n", i + 1,
               cs[i].to_send, cs[i].received, (unsigned long long)h);
        free(cs[i].got);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s TEST SERVER [ARGS...]\n", argv[0]);
        return 2;
    }
    const char *test = argv[1];
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    alarm(120);

    int crowd_from = 0;
    if (strncmp(test, "fd_setsize", 10) == 0) {
        /* Room for FD_SETSIZE descriptors and the ones past it. */
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        rlim_t want = FD_SETSIZE + 256;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
            printf("SKIP: the hard limit on open files (%llu) is below "
                   "%llu\n",
                   (unsigned long long)rl.rlim_max, (unsigned long long)want);
            return SKIP;
        }
        if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur < want)
            rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
            printf("SKIP: cannot raise the limit on open files to %llu: "
                   "%s\n",
                   (unsigned long long)want, strerror(errno));
            return SKIP;
        }
        crowd_from = 16;
    }

    if (strcmp(test, "out_of_descriptors") == 0)
        child_fd_limit = 16;
    start_server(argv + 2, argc - 2, crowd_from);
    if (strcmp(test, "many_clients") == 0)
        test_many_clients();
    else if (strcmp(test, "big_payload") == 0)
        test_big_payload();
    else if (strcmp(test, "hangup_mid_stream") == 0)
        test_hangup_mid_stream();
    else if (strcmp(test, "half_close") == 0)
        test_half_close_gets_every_byte();
    else if (strcmp(test, "out_of_descriptors") == 0)
        test_out_of_descriptors();
    else if (strcmp(test, "signal_storm") == 0)
        test_signal_storm();
    else if (strcmp(test, "fd_setsize_refused") == 0)
        test_fd_setsize(true);
    else if (strcmp(test, "fd_setsize_served") == 0)
        test_fd_setsize(false);
    else if (strcmp(test, "transcript") == 0)
        test_transcript();
    else if (strcmp(test, "sigterm_shutdown") == 0)
        test_signal_shutdown(SIGTERM);
    else if (strcmp(test, "sigint_shutdown") == 0)
        test_signal_shutdown(SIGINT);
    else if (strcmp(test, "idle_timeout") == 0)
        test_idle_timeout();
    else if (strcmp(test, "heartbeat") == 0)
        test_heartbeat();
    else
        fail("unknown test %s", test);
    if (server_pid > 0)
        stop_server();
    printf("PASS: %s\n", test);
    return 0;
}
