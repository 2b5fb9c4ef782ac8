/*
 * uv_backends: bench_backends' driver for libuv (uv_poll_t handles,
 * uv_run(UV_RUN_NOWAIT) for a pass).  For comparison only.
 *
 * libuv stops at once (uv_poll_stop's EPOLL_CTL_DEL) and starts at the
 * next uv_run (the watcher queue), so a stop and a start cost the kernel
 * two calls.  uv_poll_init checks the fd with an ADD and a DEL of its
 * own: attach() pays that, once, outside the timing.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <uv.h>

#include "peers_backends.h"

struct uv_peer {
    uv_loop_t loop;
    uv_poll_t *polls;
    int n, attached;
    void (*on_readable)(int index);
};

static void readable(uv_poll_t *handle, int status, int events)
{
    struct uv_peer *p = handle->loop->data;
    (void)status;
    (void)events;
    p->on_readable((int)(handle - p->polls));
}

static const char *version(void)
{
    return uv_version_string();
}

static void *open_loop(int n, void (*on_readable)(int index))
{
    struct uv_peer *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->polls = calloc((size_t)n, sizeof *p->polls);
    if (!p->polls || uv_loop_init(&p->loop) != 0) {
        free(p->polls);
        free(p);
        return NULL;
    }
    p->loop.data = p;
    p->n = n;
    p->on_readable = on_readable;
    return p;
}

static const char *method(void *loop)
{
    (void)loop;
#if defined(__linux__)
    return "epoll";
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) ||  \
    defined(__NetBSD__) || defined(__DragonFly__)
    return "kqueue";
#else
    return "other";
#endif
}

static int attach(void *loop, int index, int fd)
{
    struct uv_peer *p = loop;
    if (uv_poll_init(&p->loop, &p->polls[index], fd) != 0)
        return -1;
    p->attached = index + 1;
    return 0;
}

static void start(void *loop, int index)
{
    uv_poll_start(&((struct uv_peer *)loop)->polls[index], UV_READABLE,
                  readable);
}

static void stop(void *loop, int index)
{
    uv_poll_stop(&((struct uv_peer *)loop)->polls[index]);
}

static void pass(void *loop)
{
    uv_run(&((struct uv_peer *)loop)->loop, UV_RUN_NOWAIT);
}

static void close_loop(void *loop)
{
    struct uv_peer *p = loop;
    for (int i = 0; i < p->attached; i++)
        uv_close((uv_handle_t *)&p->polls[i], NULL);
    uv_run(&p->loop, UV_RUN_DEFAULT); /* the closes complete here */
    uv_loop_close(&p->loop);
    free(p->polls);
    free(p);
}

const struct bench_peer bench_peer_libuv = {
    .name = "libuv",
    .version = version,
    .open = open_loop,
    .method = method,
    .attach = attach,
    .start = start,
    .stop = stop,
    .pass = pass,
    .close = close_loop,
};
