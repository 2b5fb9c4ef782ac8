/*
 * step01: an echo server with nothing in it but select().
 *
 * This is the loop that Twisted hides behind selectreactor.py:
 * SelectReactor.doSelect and base.py: _SignalReactorMixin.mainLoop.
 * Everything is in the open here: the fd_sets are rebuilt on every pass,
 * the timeout is re-armed on every pass, and the program decides by hand
 * what to call when select() says a descriptor is ready.
 *
 *   echo_server            drive itself: start clients, check them, exit 0
 *   echo_server --port N   serve on 127.0.0.1:N until SIGINT or SIGTERM
 *                          (N = 0 picks a free port; the first line printed
 *                          says which)
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "demo_clients.h"

/* 127.0.0.1: INADDR_LOOPBACK is not POSIX, and FreeBSD and macOS hide it
 * under _POSIX_C_SOURCE. */
static const uint32_t LOOPBACK = 0x7f000001;

enum {
    READ_CHUNK = 64 * 1024,  /* bytes read from a client per pass */
    HIGH_WATER = 1024 * 1024 /* stop reading a client whose echo waits */
};

/* ---- per-client state: the bytes still to echo back ---------------- */

struct client {
    bool open;
    bool closing; /* sent end of file: close once its echo is out */
    char *out;    /* queued output: out[head .. len) is still unsent */
    size_t head, len, cap;
};

/* select() can only watch fds below FD_SETSIZE, so an array indexed by
 * fd is both the simplest table and exactly as large as it can need. */
static struct client clients[FD_SETSIZE];

struct server {
    int listen_fd;
    int max_fd;                /* highest fd accepted yet: where scans end */
    unsigned accepted, closed; /* connections, for the summary */
    unsigned open;             /* connections open now */
    bool accept_paused;        /* out of descriptors: see accept_clients */
};

/* ---- signals: a flag set by the handler, read by the loop ----------- */

static volatile sig_atomic_t stop_requested; /* SIGINT or SIGTERM */
static volatile sig_atomic_t child_exited;   /* SIGCHLD */

static void on_signal(int signo)
{
    if (signo == SIGCHLD)
        child_exited = 1;
    else
        stop_requested = 1;
}

/* No SA_RESTART: whether select() restarts after a handler that has it
 * is the system's choice (Linux never restarts it), and without it every
 * system fails select() with EINTR, so the loop looks at the flags.
 * SIGPIPE is ignored, as Python does at
 * start-up, so writing to a client that hung up is an error (EPIPE), not
 * the death of the server. */
static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* ---- sockets -------------------------------------------------------- */

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* A non-blocking listening socket on 127.0.0.1:port.  Returns the fd, or
 * -1 with a message printed. */
static int listen_on(int port, int *bound_port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        return -1;
    }
    if (fd >= FD_SETSIZE) {
        fprintf(stderr,
                "listening fd %d is beyond what select() can watch "
                "(FD_SETSIZE = %d)\n",
                fd, FD_SETSIZE);
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((unsigned short)port),
                               .sin_addr.s_addr = htonl(LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(fd, SOMAXCONN) < 0 || set_nonblocking(fd) < 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
        perror("listen on 127.0.0.1");
        close(fd);
        return -1;
    }
    *bound_port = ntohs(addr.sin_port);
    return fd;
}

static void close_client(struct server *s, int fd, const char *why)
{
    struct client *c = &clients[fd];
    fprintf(stderr, "  [fd %d] closed: %s\n", fd, why);
    close(fd);
    free(c->out);
    *c = (struct client){0};
    s->open--;
    s->closed++;
    s->accept_paused = false; /* a descriptor is free again */
}

/* The listening socket is readable: accept every connection waiting. */
static void accept_clients(struct server *s)
{
    for (;;) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
            /* Out of descriptors: the newcomer waits in the backlog, and
             * the listening socket stays readable, so watching it now
             * would spin.  Stop until a client leaves. */
            perror("accept (waiting for a client to leave)");
            s->accept_paused = true;
            return;
        }
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED)
                perror("accept");
            return; /* EAGAIN: nobody else is waiting */
        }
        /* FD_SET on this fd would write past the end of the fd_set. */
        if (fd >= FD_SETSIZE) {
            fprintf(stderr,
                    "refusing a connection: fd %d is beyond what "
                    "select() can watch (FD_SETSIZE = %d)\n",
                    fd, FD_SETSIZE);
            close(fd);
            continue;
        }
        if (set_nonblocking(fd) < 0) {
            perror("fcntl");
            close(fd);
            continue;
        }
        clients[fd] = (struct client){.open = true};
        if (fd > s->max_fd)
            s->max_fd = fd;
        s->accepted++;
        s->open++;
        fprintf(stderr, "  [fd %d] connected\n", fd);
    }
}

static size_t pending(const struct client *c) { return c->len - c->head; }

/* Append to the client's output queue, growing it as needed. */
static bool enqueue(struct client *c, const char *data, size_t n)
{
    if (c->head > 0 && c->head == c->len) /* all sent: start over */
        c->head = c->len = 0;
    if (c->len + n > c->cap) {
        if (c->head > 0) { /* slide the unsent bytes to the front */
            memmove(c->out, c->out + c->head, pending(c));
            c->len -= c->head;
            c->head = 0;
        }
        size_t cap = c->cap ? c->cap : READ_CHUNK;
        while (cap < c->len + n)
            cap *= 2;
        char *out = realloc(c->out, cap);
        if (!out)
            return false;
        c->out = out;
        c->cap = cap;
    }
    memcpy(c->out + c->len, data, n);
    c->len += n;
    return true;
}

/* Readable: read what is there and queue it for echoing.  The bytes are
 * not written here: they go out when select() says the socket can take
 * them, so a client that is slow to read never blocks the loop. */
static void client_read(struct server *s, int fd)
{
    char buf[READ_CHUNK];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
        if (!enqueue(&clients[fd], buf, (size_t)n))
            close_client(s, fd, "out of memory");
    } else if (n == 0 && pending(&clients[fd]) > 0) {
        /* Half-closed: the client has sent all it will, but still waits
         * for its echo.  Stop reading, and close once the echo is out. */
        clients[fd].closing = true;
    } else if (n == 0) {
        close_client(s, fd, "end of file");
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        close_client(s, fd, strerror(errno));
    }
}

/* Writable: send as much of the queue as the socket takes. */
static void client_write(struct server *s, int fd)
{
    struct client *c = &clients[fd];
    ssize_t n = write(fd, c->out + c->head, pending(c));
    if (n >= 0)
        c->head += (size_t)n;
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        close_client(s, fd, strerror(errno));
    else
        return;
    if (c->closing && pending(c) == 0)
        close_client(s, fd, "end of file, echo delivered");
}

/* ---- the loop ------------------------------------------------------- */

/* What happens when select() times out: the demo uses the first idle
 * moment to start its clients; a served loop just says it is idle. */
typedef void (*idle_fn)(struct server *s, void *arg);

/* Serve until done() says so or SIGINT/SIGTERM arrives.  Returns 0, or
 * -1 if select() failed.
 *
 * One gap is left open on purpose: a signal that lands after the flag
 * check below but before select() starts waiting is only noticed when the
 * timeout expires.  step02 closes it with a self-pipe (Twisted's waker). */
static int run_loop(struct server *s, long tick_ms, idle_fn on_idle,
                    void *arg, bool (*done)(struct server *, void *))
{
    while (!stop_requested && !done(s, arg)) {
        /* 1. Rebuild the sets: select() overwrites them with its answer. */
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        if (!s->accept_paused)
            FD_SET(s->listen_fd, &readable);
        int nfds = s->listen_fd + 1;
        for (int fd = 0; fd <= s->max_fd; fd++) {
            const struct client *c = &clients[fd];
            if (!c->open)
                continue;
            /* Back-pressure: a client with a full queue is not read
             * until it has taken its echo, so memory stays bounded. */
            if (pending(c) < HIGH_WATER && !c->closing)
                FD_SET(fd, &readable);
            if (pending(c) > 0)
                FD_SET(fd, &writable); /* the write set, used for real */
            if (fd + 1 > nfds)
                nfds = fd + 1; /* nfds: the highest fd + 1, not a count */
        }

        /* 2. Re-arm the timeout: Linux writes the time left into it. */
        struct timeval timeout = {.tv_sec = tick_ms / 1000,
                                  .tv_usec = (tick_ms % 1000) * 1000};

        /* 3. Wait. */
        int ready = select(nfds, &readable, &writable, NULL, &timeout);
        if (ready < 0) {
            if (errno == EINTR)
                continue; /* a signal: look at the flags, wait again */
            perror("select");
            return -1;
        }
        if (ready == 0) {
            on_idle(s, arg);
            continue;
        }

        /* 4. Dispatch.  A connection accepted now gets a fd that was not
         * open when the sets were built, so it cannot be mistaken for a
         * ready one below. */
        if (FD_ISSET(s->listen_fd, &readable))
            accept_clients(s);
        for (int fd = 0; fd <= s->max_fd; fd++) {
            if (clients[fd].open && FD_ISSET(fd, &readable))
                client_read(s, fd);
            /* The read may have closed it: check again before writing. */
            if (clients[fd].open && FD_ISSET(fd, &writable))
                client_write(s, fd);
        }
    }
    return 0;
}

static void close_all(struct server *s)
{
    for (int fd = 0; fd <= s->max_fd; fd++)
        if (clients[fd].open)
            close_client(s, fd, "server shutting down");
    close(s->listen_fd);
}

/* ---- serving: echo_server --port N ---------------------------------- */

static void say_idle(struct server *s, void *arg)
{
    const long *tick_ms = arg;
    printf("idle: nothing happened for %g s (%u open)\n", *tick_ms / 1000.0,
           s->open);
    fflush(stdout);
}

static bool never_done(struct server *s, void *arg)
{
    (void)s;
    (void)arg;
    return false;
}

/* ---- the demo: echo_server with no arguments ------------------------ */

static struct demo_client demo_clients[] = {
    {.send = 13},                             /* a short line */
    {.send = 4u << 20},                       /* more than any buffer */
    {.send = 1u << 20, .hang_up = 64u << 10}, /* leaves mid-stream */
};
enum { N_DEMO = sizeof demo_clients / sizeof demo_clients[0] };

struct demo {
    int port;
    bool started;
    bool all_reaped;
};

static void start_clients(struct server *s, void *arg)
{
    struct demo *d = arg;
    if (d->started)
        return; /* later idle moments say nothing: the transcript stays
                   the same from run to run */
    d->started = true;
    printf("the loop idled for 200 ms: starting %d clients\n", N_DEMO);
    fflush(stdout);
    demo_clients_start(demo_clients, N_DEMO, d->port, s->listen_fd);
}

/* Done when every client has exited and been closed.  SIGCHLD set the
 * flag; one signal may stand for several children, so all are asked. */
static bool demo_done(struct server *s, void *arg)
{
    struct demo *d = arg;
    if (!d->started)
        return false;
    if (child_exited) {
        child_exited = 0;
        d->all_reaped = demo_clients_reap(demo_clients, N_DEMO, false);
    }
    return d->all_reaped && s->open == 0;
}

static int run_demo(struct server *s, int port)
{
    struct demo d = {.port = port};
    printf("step01: an echo server on one select() loop\n"
           "listening on 127.0.0.1 (a free port)\n");
    fflush(stdout);
    if (run_loop(s, 200, start_clients, &d, demo_done) < 0)
        return 1;
    int failures = demo_clients_report(demo_clients, N_DEMO, 0);
    printf("server: %u connections accepted, %u closed\n", s->accepted,
           s->closed);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    int port = -1;
    if (argc == 3 && strcmp(argv[1], "--port") == 0)
        port = atoi(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--port N]\n", argv[0]);
        return 2;
    }
    if (port < -1 || port > 65535) {
        fprintf(stderr, "%s: port must be 0..65535\n", argv[0]);
        return 2;
    }

    install_signal_handlers();
    int bound;
    struct server s = {.listen_fd = listen_on(port < 0 ? 0 : port, &bound)};
    if (s.listen_fd < 0)
        return 1;
    s.max_fd = s.listen_fd;

    int status;
    if (port < 0) {
        status = run_demo(&s, bound);
    } else {
        printf("listening on 127.0.0.1:%d\n", bound);
        fflush(stdout);
        long tick_ms = 1000;
        status = run_loop(&s, tick_ms, say_idle, &tick_ms, never_done) < 0;
        printf("stopped: %u connections served\n", s.accepted);
    }
    close_all(&s);
    return status;
}
