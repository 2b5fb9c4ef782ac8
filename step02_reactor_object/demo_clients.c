/*
 * demo_clients.c: the clients of the echo demo (see demo_clients.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "demo_clients.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum { CHUNK = 64 * 1024 };

/* 127.0.0.1: INADDR_LOOPBACK is not POSIX, and FreeBSD and macOS hide it
 * under _POSIX_C_SOURCE. */
static const uint32_t LOOPBACK = 0x7f000001;

static char pattern_byte(size_t i) { return (char)('a' + i % 26); }

/* The client side: send and read the echo at the same time.  Exit status
 * 0 if every byte came back in order, 1 if one did not, 2 on an error. */
static int run_client(int port, const struct demo_client *dc)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((unsigned short)port),
                               .sin_addr.s_addr = htonl(LOOPBACK)};
    if (fd < 0 || fd >= FD_SETSIZE ||
        connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        return 2;
    if (dc->send == 0) { /* silent: wait for the server to close it */
        char c;
        return read(fd, &c, 1) == 0 ? 0 : 1;
    }
    size_t sent = 0, got = 0, want = dc->hang_up ? dc->hang_up : dc->send;
    char buf[CHUNK];
    while (got < want) {
        fd_set rfds, wfds;
        FD_ZERO(&rfds);
        FD_ZERO(&wfds);
        FD_SET(fd, &rfds);
        if (sent < dc->send)
            FD_SET(fd, &wfds);
        if (select(fd + 1, &rfds, &wfds, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            return 2;
        }
        if (FD_ISSET(fd, &wfds)) {
            size_t n =
                dc->send - sent < sizeof buf ? dc->send - sent : sizeof buf;
            for (size_t i = 0; i < n; i++)
                buf[i] = pattern_byte(sent + i);
            ssize_t w = write(fd, buf, n);
            if (w < 0)
                return 2;
            sent += (size_t)w;
        }
        if (FD_ISSET(fd, &rfds)) {
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0)
                return 1; /* the server closed early: a lost echo */
            for (ssize_t i = 0; i < r; i++)
                if (buf[i] != pattern_byte(got + (size_t)i))
                    return 1;
            got += (size_t)r;
        }
    }
    close(fd); /* for a client that hangs up, echo still flowing */
    return 0;
}

void demo_clients_start(struct demo_client *clients, int n, int port,
                        int listen_fd)
{
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) { /* a client: not the server's signal handlers */
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            signal(SIGCHLD, SIG_DFL);
            close(listen_fd);
            _exit(run_client(port, &clients[i]));
        }
        clients[i].pid = pid;
        clients[i].reaped = pid < 0;
        clients[i].status = pid < 0 ? 2 : 0;
    }
}

bool demo_clients_reap(struct demo_client *clients, int n, bool wait)
{
    bool all = true;
    for (int i = 0; i < n; i++) {
        struct demo_client *dc = &clients[i];
        int status;
        if (!dc->reaped && dc->pid > 0 &&
            waitpid(dc->pid, &status, wait ? 0 : WNOHANG) == dc->pid) {
            dc->reaped = true;
            dc->status = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
        }
        all = all && dc->reaped;
    }
    return all;
}

int demo_clients_report(const struct demo_client *clients, int n,
                        double idle_timeout)
{
    int failures = 0;
    for (int i = 0; i < n; i++) {
        const struct demo_client *dc = &clients[i];
        if (!dc->reaped || dc->status != 0) {
            printf("client %d: FAILED (status %d)\n", i + 1,
                   dc->reaped ? dc->status : 2);
            failures++;
        } else if (dc->send == 0) {
            printf("client %d: said nothing; the server closed it after "
                   "%g s\n",
                   i + 1, idle_timeout);
        } else if (dc->hang_up) {
            printf("client %d: hung up after %zu of %zu bytes; the server "
                   "closed it and served the rest\n",
                   i + 1, dc->hang_up, dc->send);
        } else {
            printf("client %d: sent %zu bytes, got all %zu back\n", i + 1,
                   dc->send, dc->send);
        }
    }
    return failures;
}
