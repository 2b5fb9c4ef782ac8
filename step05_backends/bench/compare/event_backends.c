/*
 * event_backends: bench_backends' driver for libevent 2 (persistent
 * EV_READ events, event_base_loop(EVLOOP_ONCE | EVLOOP_NONBLOCK) for a
 * pass, as libevent's own test/bench.c runs it).  For comparison only.
 *
 * libev exports libevent's old names too (event_add, event_base_new, ...):
 * linked into one program with both, this file works only if libevent
 * comes first in the link, which CMakeLists.txt sees to.  open() checks.
 */
#define _POSIX_C_SOURCE 200809L

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peers_backends.h"

struct event_peer;

/* What a callback gets: its peer and the pair's index. */
struct slot {
    struct event_peer *peer;
    int index;
};

struct event_peer {
    struct event_base *base;
    struct event **events;
    struct slot *slots;
    int n;
    void (*on_readable)(int index);
};

static void readable(evutil_socket_t fd, short what, void *arg)
{
    struct slot *s = arg;
    (void)fd;
    (void)what;
    s->peer->on_readable(s->index);
}

static const char *version(void)
{
    return event_get_version();
}

static void *open_loop(int n, void (*on_readable)(int index))
{
    /* libev's event_get_version says "EV_VERSION_MAJOR.MINOR" without
     * "-stable": if it answered, libev's emulation shadows libevent. */
    if (!strstr(event_get_version(), "-")) {
        fprintf(stderr, "libevent: event_get_version() is \"%s\": libev's "
                        "emulation is linked ahead of libevent\n",
                event_get_version());
        return NULL;
    }
    struct event_peer *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->events = calloc((size_t)n, sizeof *p->events);
    p->slots = calloc((size_t)n, sizeof *p->slots);
    p->base = event_base_new();
    if (!p->events || !p->slots || !p->base) {
        if (p->base)
            event_base_free(p->base);
        free(p->events);
        free(p->slots);
        free(p);
        return NULL;
    }
    p->n = n;
    p->on_readable = on_readable;
    return p;
}

static const char *method(void *loop)
{
    return event_base_get_method(((struct event_peer *)loop)->base);
}

static int attach(void *loop, int index, int fd)
{
    struct event_peer *p = loop;
    p->slots[index] = (struct slot){.peer = p, .index = index};
    p->events[index] = event_new(p->base, fd, EV_READ | EV_PERSIST,
                                 readable, &p->slots[index]);
    return p->events[index] ? 0 : -1;
}

static void start(void *loop, int index)
{
    event_add(((struct event_peer *)loop)->events[index], NULL);
}

static void stop(void *loop, int index)
{
    event_del(((struct event_peer *)loop)->events[index]);
}

static void pass(void *loop)
{
    event_base_loop(((struct event_peer *)loop)->base,
                    EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

static void close_loop(void *loop)
{
    struct event_peer *p = loop;
    for (int i = 0; i < p->n; i++)
        if (p->events[i])
            event_free(p->events[i]);
    event_base_free(p->base);
    free(p->events);
    free(p->slots);
    free(p);
}

const struct bench_peer bench_peer_libevent = {
    .name = "libevent",
    .version = version,
    .open = open_loop,
    .method = method,
    .attach = attach,
    .start = start,
    .stop = stop,
    .pass = pass,
    .close = close_loop,
};
