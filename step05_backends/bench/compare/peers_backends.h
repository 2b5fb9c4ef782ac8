/*
 * peers_backends.h: another event loop, driven as bench_backends.c
 * drives a reactor, so that one run can time the same workloads on
 * libev, libevent and libuv beside this step's backends.  Only built
 * with -DREACTOR_BENCH_COMPARE=ON; the project depends on none of them.
 *
 * A peer keeps one watcher per socket pair, by index: attached once
 * (libuv's uv_poll_init checks the fd with system calls of its own),
 * then started and stopped as a reactor's reader is added and removed.
 */
#ifndef PEERS_BACKENDS_H
#define PEERS_BACKENDS_H

struct bench_peer {
    const char *name; /* "libev" */
    const char *(*version)(void);
    /* A loop with room for n watchers, calling on_readable(index). */
    void *(*open)(int n, void (*on_readable)(int index));
    const char *(*method)(void *loop); /* what it waits with: "epoll" */
    int (*attach)(void *loop, int index, int fd); /* 0, or -1 */
    void (*start)(void *loop, int index); /* watch for reading */
    void (*stop)(void *loop, int index);
    void (*pass)(void *loop); /* one pass of the loop, without waiting */
    void (*close)(void *loop); /* every watcher with it */
};

extern const struct bench_peer bench_peer_libev, bench_peer_libevent,
    bench_peer_libuv;

#endif
