/*
 * step05: the echo server of step04, on any of four backends: select,
 * poll, epoll (Linux) or kqueue (macOS, the BSDs).  Nothing in this file
 * changed but this comment, the banner and the --reactor messages: the
 * backend is the reactor's business.
 *
 *   echo_server            drive itself: start clients, check them, exit 0
 *   echo_server --port N   serve on 127.0.0.1:N until SIGINT or SIGTERM
 *   --reactor NAME         install that reactor first (or REACTOR=NAME)
 *   --help-reactors        list the names
 *   --idle-timeout S       close a connection silent for S seconds
 *                          (default 60; 0.5 in the demo; 0: never)
 *   --heartbeat S          print a line every S seconds (default 1 when
 *                          serving, none in the demo; 0: never)
 *
 * REACTOR_TRACE=1 in the environment prints a line per pass to stderr.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo_clients.h"
#include "main.h"
#include "reactor.h"
#include "reactors.h"

/* 127.0.0.1: INADDR_LOOPBACK is not POSIX, and FreeBSD and macOS hide it
 * under _POSIX_C_SOURCE. */
static const uint32_t LOOPBACK = 0x7f000001;

enum {
    READ_CHUNK = 64 * 1024,  /* bytes read from a client per pass */
    HIGH_WATER = 1024 * 1024 /* stop reading a client whose echo waits */
};

struct server {
    unsigned accepted, closed, open;
    unsigned stop_after;     /* the demo stops after this many closed */
    struct descriptor *port; /* paused (not reading) when out of fds */
    bool accept_paused;
    double idle_timeout; /* seconds; 0: never */
    double heartbeat;    /* seconds; 0: none */
};

/* ---- tcp.Connection: one client, as a descriptor --------------------- */

struct connection {
    struct descriptor base; /* first: a connection "is a" descriptor */
    struct server *server;
    int fd;
    char *out; /* queued output: out[head .. len) is still unsent */
    size_t head, len, cap;
    bool paused;  /* not reading until the queue drains */
    bool closing; /* sent end of file: done once its echo is out */
    struct delayed_call *timeout_call; /* kept: TimeoutMixin.__timeoutCall */
};

static size_t pending(const struct connection *c) { return c->len - c->head; }

static int connection_fileno(struct descriptor *d)
{
    return ((struct connection *)d)->fd;
}

/* Append to the output queue, growing it as needed. */
static bool enqueue(struct connection *c, const char *data, size_t n)
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

/* transport.write: queue, and ask the reactor to say when it can go. */
static int connection_write(struct connection *c, const char *data, size_t n)
{
    if (!enqueue(c, data, n))
        return CONNECTION_LOST;
    struct reactor_base *r = global_reactor();
    reactor_add_writer(r, &c->base);
    /* Back-pressure (Twisted's pauseProducing): stop reading a client
     * that does not take its echo, so memory stays bounded. */
    if (pending(c) >= HIGH_WATER && !c->paused) {
        c->paused = true;
        reactor_remove_reader(r, &c->base);
    }
    return 0;
}

/* ---- TimeoutMixin: close a connection that stays silent ------------- */

static void connection_lost(struct descriptor *d, int reason);

/* timeoutConnection: a timed call, so not inside this connection's own
 * do_read or do_write: it may remove the connection and free it. */
static void timeout_connection(void *arg)
{
    struct connection *c = arg;
    printf("closing a connection idle for %g s\n", c->server->idle_timeout);
    fflush(stdout);
    reactor_remove_reader(global_reactor(), &c->base);
    reactor_remove_writer(global_reactor(), &c->base);
    connection_lost(&c->base, CONNECTION_DONE);
}

/* setTimeout: start counting when the connection is made. */
static void set_timeout(struct connection *c)
{
    if (c->server->idle_timeout > 0)
        reactor_call_later(global_reactor(), c->server->idle_timeout,
                           timeout_connection, c, &c->timeout_call);
}

/* resetTimeout: every byte that comes in starts the count again.  One
 * reset moves one call in the heap: no cancel, no new call. */
static void reset_timeout(struct connection *c)
{
    if (c->timeout_call && delayed_call_active(c->timeout_call))
        delayed_call_reset(c->timeout_call, c->server->idle_timeout);
}

/* Echo.dataReceived: the whole protocol. */
static int echo_data_received(struct connection *c, const char *data,
                              size_t n)
{
    reset_timeout(c);
    return connection_write(c, data, n);
}

static int connection_do_read(struct descriptor *d)
{
    struct connection *c = (struct connection *)d;
    char buf[READ_CHUNK];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n > 0)
        return echo_data_received(c, buf, (size_t)n);
    if (n == 0 && pending(c) > 0) {
        /* Half-closed: the client has sent all it will, but still waits
         * for its echo.  Stop reading; do_write ends the connection once
         * the queue is empty. */
        c->closing = true;
        reactor_remove_reader(global_reactor(), d);
        return 0;
    }
    if (n == 0)
        return CONNECTION_DONE;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -errno;
}

static int connection_do_write(struct descriptor *d)
{
    struct connection *c = (struct connection *)d;
    ssize_t n = write(c->fd, c->out + c->head, pending(c));
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
                   ? 0
                   : -errno;
    c->head += (size_t)n;
    struct reactor_base *r = global_reactor();
    if (pending(c) == 0) { /* stopWriting: nothing left to say */
        reactor_remove_writer(r, d);
        if (c->closing)
            return CONNECTION_DONE;
    }
    if (c->paused && !c->closing &&
        pending(c) < HIGH_WATER / 2) { /* resumeProducing */
        c->paused = false;
        reactor_add_reader(r, d);
    }
    return 0;
}

static void connection_lost(struct descriptor *d, int reason)
{
    struct connection *c = (struct connection *)d;
    struct server *s = c->server;
    fprintf(stderr, "  [fd %d] connection lost: %s\n", c->fd,
            reason_name(reason));
    if (c->timeout_call) { /* cancelled unless it is what ran */
        delayed_call_cancel(c->timeout_call);
        delayed_call_release(c->timeout_call);
    }
    if (reason != -EBADF) /* -EBADF: the number is not ours any more */
        close(c->fd);
    free(c->out);
    free(c);
    s->open--;
    s->closed++;
    if (s->accept_paused) { /* a descriptor is free again */
        s->accept_paused = false;
        reactor_add_reader(global_reactor(), s->port);
    }
    if (s->stop_after && s->closed == s->stop_after) {
        printf("all %u connections closed: reactor.stop()\n", s->closed);
        reactor_stop(global_reactor());
    }
}

static const struct descriptor_ops connection_ops = {
    .fileno = connection_fileno,
    .do_read = connection_do_read,
    .do_write = connection_do_write,
    .connection_lost = connection_lost,
};

/* ---- tcp.Port: the listening socket, as a descriptor ---------------- */

struct port {
    struct descriptor base;
    struct server *server;
    int fd;
};

static int port_fileno(struct descriptor *d)
{
    return ((struct port *)d)->fd;
}

/* Non-blocking, and closed in any program this one might exec, as
 * Twisted's Port.doRead sets up every accepted socket. */
static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    int fd_flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fd_flags < 0 ||
        fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC) < 0)
        return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Readable: accept every connection waiting, each a new reader. */
static int port_do_read(struct descriptor *d)
{
    struct port *p = (struct port *)d;
    struct server *s = p->server;
    for (;;) {
        int fd = accept(p->fd, NULL, NULL);
        if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
            /* Out of descriptors: the newcomer waits in the backlog, and
             * the listening socket stays readable, so reading it now
             * would spin.  Stop until a connection closes. */
            perror("accept (waiting for a connection to close)");
            s->accept_paused = true;
            reactor_remove_reader(global_reactor(), d);
            return 0;
        }
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED)
                perror("accept");
            return 0;
        }
        struct connection *c = calloc(1, sizeof *c);
        int err = c ? REACTOR_OK : ERR_NO_MEMORY;
        if (!err && set_nonblocking(fd) < 0)
            err = ERR_SYSTEM;
        if (!err) {
            *c = (struct connection){
                .base.ops = &connection_ops, .server = s, .fd = fd};
            err = reactor_add_reader(global_reactor(), &c->base);
        }
        if (err) { /* e.g. FdOutOfRange: select() cannot watch it */
            fprintf(stderr, "refusing a connection on fd %d: %s: %s\n", fd,
                    reactor_error_name(err), reactor_error_message(err));
            close(fd);
            free(c);
            continue;
        }
        set_timeout(c);
        s->accepted++;
        s->open++;
        fprintf(stderr, "  [fd %d] connected\n", fd);
    }
}

static void port_connection_lost(struct descriptor *d, int reason)
{
    struct port *p = (struct port *)d;
    if (reason != -EBADF) /* -EBADF: the number is someone else's now */
        close(p->fd);
    p->fd = -1;
}

static const struct descriptor_ops port_ops = {
    .fileno = port_fileno,
    .do_read = port_do_read,
    .connection_lost = port_connection_lost,
};

/* listenTCP: a non-blocking listening socket on 127.0.0.1:port, watched
 * for reading.  Returns 0, or -1 with a message printed. */
static int listen_tcp(struct port *p, struct server *s, int port,
                      int *bound_port)
{
    *p = (struct port){.base.ops = &port_ops,
                       .server = s,
                       .fd = socket(AF_INET, SOCK_STREAM, 0)};
    s->port = &p->base;
    if (p->fd < 0) {
        perror("socket");
        return -1;
    }
    int one = 1;
    setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((unsigned short)port),
                               .sin_addr.s_addr = htonl(LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(p->fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(p->fd, SOMAXCONN) < 0 || set_nonblocking(p->fd) < 0 ||
        getsockname(p->fd, (struct sockaddr *)&addr, &len) < 0) {
        perror("listen on 127.0.0.1");
        return -1;
    }
    int err = reactor_add_reader(global_reactor(), &p->base);
    if (err) {
        fprintf(stderr, "listening socket: %s: %s\n", reactor_error_name(err),
                reactor_error_message(err));
        return -1;
    }
    *bound_port = ntohs(addr.sin_port);
    return 0;
}

/* ---- the heartbeat: a call that schedules itself again -------------- */

static void heartbeat(void *arg)
{
    struct server *s = arg;
    printf("heartbeat: %u connections open\n", s->open);
    fflush(stdout);
    reactor_call_later(global_reactor(), s->heartbeat, heartbeat, s, NULL);
}

/* ---- shutdown triggers ----------------------------------------------- */

static void before_shutdown(void *arg)
{
    struct server *s = arg;
    printf("before shutdown: %u connections open\n", s->open);
}

static void after_shutdown(void *arg)
{
    struct server *s = arg;
    printf("after shutdown: %u connections open, the loop has stopped\n",
           s->open);
}

/* ---- the demo: echo_server with no arguments ------------------------- */

static struct demo_client demo_clients[] = {
    {.send = 13},                             /* a short line */
    {.send = 4u << 20},                       /* more than any buffer */
    {.send = 1u << 20, .hang_up = 64u << 10}, /* leaves mid-stream */
    {.send = 0},                              /* says nothing at all */
};
enum { N_DEMO = sizeof demo_clients / sizeof demo_clients[0] };

struct demo {
    int listen_fd, port;
};

/* callWhenRunning: the loop is up, start the clients. */
static void start_clients(void *arg)
{
    struct demo *d = arg;
    printf("running: starting %d clients\n", N_DEMO);
    fflush(stdout);
    demo_clients_start(demo_clients, N_DEMO, d->port, d->listen_fd);
}

static int run_demo(struct server *s, int listen_fd, int port)
{
    struct demo d = {.listen_fd = listen_fd, .port = port};
    s->stop_after = N_DEMO;
    printf("step05: the echo server on a chosen backend (%s)\n"
           "listening on 127.0.0.1 (a free port)\n",
           global_reactor()->ops->name);
    reactor_call_when_running(global_reactor(), start_clients, &d, NULL);
    int err = reactor_run(global_reactor(), true);
    if (err) {
        fprintf(stderr, "run: %s\n", reactor_error_name(err));
        return 1;
    }
    demo_clients_reap(demo_clients, N_DEMO, true);
    int failures = demo_clients_report(demo_clients, N_DEMO, s->idle_timeout);
    printf("server: %u connections accepted, %u closed\n", s->accepted,
           s->closed);
    return failures ? 1 : 0;
}

/* Seconds from the command line: a number from 0 to 1000000, else -2. */
static double parse_seconds(const char *text)
{
    char *end;
    double seconds = strtod(text, &end);
    return end != text && *end == '\0' && seconds >= 0 && seconds <= 1e6
               ? seconds
               : -2;
}

static int usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [--reactor NAME] [--port N] [--help-reactors]\n"
            "       [--idle-timeout SECONDS] [--heartbeat SECONDS]\n",
            argv0);
    return 2;
}

/* twistd's --reactor: install by name before anything uses the reactor.
 * An unknown name is refused with the list, and nothing starts. */
static int install_named(const char *argv0, const char *name)
{
    int err = install_reactor_by_name(name);
    if (err == ERR_NO_SUCH_REACTOR) {
        fprintf(stderr,
                "%s: The specified reactor does not exist: '%s'.\n"
                "Known reactors:\n",
                argv0, name);
        print_reactor_types(stderr);
    } else if (err) {
        fprintf(stderr,
                "%s: The specified reactor cannot be used, failed "
                "with error: %s: %s.\n",
                argv0, reactor_error_name(err),
                err == ERR_SYSTEM ? strerror(errno)
                                  : reactor_error_message(err));
        print_reactor_types(stderr);
    }
    return err;
}

int main(int argc, char **argv)
{
    int port = -1;
    double idle_timeout = -1, heartbeat_every = -1; /* -1: the default */
    const char *name = getenv("REACTOR"); /* REACTOR= (empty): unset */
    if (name && !*name)
        name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--idle-timeout") == 0 && i + 1 < argc)
            idle_timeout = parse_seconds(argv[++i]);
        else if (strcmp(argv[i], "--heartbeat") == 0 && i + 1 < argc)
            heartbeat_every = parse_seconds(argv[++i]);
        else if (strcmp(argv[i], "--reactor") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--help-reactors") == 0) {
            print_reactor_types(stdout);
            return 0;
        } else
            return usage(argv[0]);
    }
    if (port < -1 || port > 65535) {
        fprintf(stderr, "%s: port must be 0..65535\n", argv[0]);
        return 2;
    }
    if (idle_timeout == -2 || heartbeat_every == -2) {
        fprintf(stderr, "%s: times must be 0..1000000 seconds\n", argv[0]);
        return 2;
    }
    bool demo = port < 0;
    if (idle_timeout < 0)
        idle_timeout = demo ? 0.5 : 60;
    if (heartbeat_every < 0)
        heartbeat_every = demo ? 0 : 1;
    if (name && install_named(argv[0], name)) /* --reactor '' is refused */
        return 2;
    signal(SIGPIPE, SIG_IGN); /* EPIPE instead, as in Python */

    /* The first use: installs the default unless a name was given. */
    if (!global_reactor()) {
        fprintf(stderr, "%s: could not install the default reactor: %s\n",
                argv[0], strerror(errno));
        return 1;
    }
    struct server s = {.idle_timeout = idle_timeout,
                       .heartbeat = heartbeat_every};
    reactor_add_system_event_trigger(global_reactor(), PHASE_BEFORE,
                                     "shutdown", before_shutdown, &s, NULL);
    reactor_add_system_event_trigger(global_reactor(), PHASE_AFTER,
                                     "shutdown", after_shutdown, &s, NULL);
    struct port listener;
    int bound, status = 1;
    if (listen_tcp(&listener, &s, port < 0 ? 0 : port, &bound) == 0) {
        if (demo) {
            status = run_demo(&s, listener.fd, bound);
        } else {
            printf("listening on 127.0.0.1:%d\n", bound);
            fflush(stdout);
            if (s.heartbeat > 0)
                reactor_call_later(global_reactor(), s.heartbeat, heartbeat,
                                   &s, NULL);
            int err = reactor_run(global_reactor(), true);
            status = err != REACTOR_OK;
            printf("stopped: %u connections served\n", s.accepted);
        }
    }
    if (listener.fd >= 0) /* disconnectAll already closed it if it ran */
        close(listener.fd);
    uninstall_reactor();
    return status;
}
