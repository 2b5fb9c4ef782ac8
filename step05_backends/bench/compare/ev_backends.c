/*
 * ev_backends: bench_backends' driver for libev (ev_io watchers,
 * ev_run(EVRUN_NOWAIT) for a pass).  For comparison only.
 *
 * libev defers every change: ev_io_start and ev_io_stop only note the fd,
 * and the next ev_run tells the kernel (fd_reify), skipping an fd whose
 * interest came back to what the kernel already has.
 */
#define _POSIX_C_SOURCE 200809L

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>

#include "peers_backends.h"

struct ev_peer {
    struct ev_loop *loop;
    ev_io *watchers;
    void (*on_readable)(int index);
};

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
    struct ev_peer *p = ev_userdata(loop);
    (void)revents;
    p->on_readable((int)(w - p->watchers));
}

static const char *version(void)
{
    static char v[16];
    snprintf(v, sizeof v, "%d.%d", ev_version_major(), ev_version_minor());
    return v;
}

static void *open_loop(int n, void (*on_readable)(int index))
{
    struct ev_peer *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->watchers = calloc((size_t)n, sizeof *p->watchers);
    p->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV);
    if (!p->watchers || !p->loop) {
        free(p->watchers);
        free(p);
        return NULL;
    }
    p->on_readable = on_readable;
    ev_set_userdata(p->loop, p);
    return p;
}

static const char *method(void *loop)
{
    switch (ev_backend(((struct ev_peer *)loop)->loop)) {
    case EVBACKEND_EPOLL:
        return "epoll";
    case EVBACKEND_KQUEUE:
        return "kqueue";
    case EVBACKEND_POLL:
        return "poll";
    case EVBACKEND_SELECT:
        return "select";
    default:
        return "other";
    }
}

static int attach(void *loop, int index, int fd)
{
    ev_io_init(&((struct ev_peer *)loop)->watchers[index], readable, fd,
               EV_READ);
    return 0;
}

static void start(void *loop, int index)
{
    struct ev_peer *p = loop;
    ev_io_start(p->loop, &p->watchers[index]);
}

static void stop(void *loop, int index)
{
    struct ev_peer *p = loop;
    ev_io_stop(p->loop, &p->watchers[index]);
}

static void pass(void *loop)
{
    ev_run(((struct ev_peer *)loop)->loop, EVRUN_NOWAIT);
}

static void close_loop(void *loop)
{
    struct ev_peer *p = loop;
    ev_loop_destroy(p->loop);
    free(p->watchers);
    free(p);
}

const struct bench_peer bench_peer_libev = {
    .name = "libev",
    .version = version,
    .open = open_loop,
    .method = method,
    .attach = attach,
    .start = start,
    .stop = stop,
    .pass = pass,
    .close = close_loop,
};
