/*
 * demo_clients: the clients of the echo demo, each in a child process.
 *
 * Support code, not the lesson: it is the same file in every step, so
 * the echo server beside it reads as a server.  A client sends a pattern
 * and reads its echo at the same time (one that wrote everything first
 * would deadlock against the server's back-pressure), and exits 0 when
 * every byte it waited for came back in order.
 */
#ifndef DEMO_CLIENTS_H
#define DEMO_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct demo_client {
    size_t send;    /* bytes it sends (0: it says nothing, and waits for
                       the server to close it) */
    size_t hang_up; /* hang up after this many echoed bytes (0: never) */
    pid_t pid;      /* while it runs */
    int status;     /* its exit status once reaped: 0 if all came back */
    bool reaped;
};

/* Fork one child per client, connecting to 127.0.0.1:port.  Each child
 * closes listen_fd and takes back the default signal handling first. */
void demo_clients_start(struct demo_client *clients, int n, int port,
                        int listen_fd);

/* Collect the clients that have exited; with wait, block until all have.
 * True when every client has been reaped. */
bool demo_clients_reap(struct demo_client *clients, int n, bool wait);

/* Print a line per client and return how many failed.  idle_timeout is
 * what a silent client (send 0) was closed after, for its line. */
int demo_clients_report(const struct demo_client *clients, int n,
                        double idle_timeout);

#endif
