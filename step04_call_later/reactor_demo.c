/*
 * reactor_demo: the reactor object at work, with nothing but two pipe
 * descriptors.  reactor_demo.py tells the same story on Twisted's own
 * SelectReactor, and prints the same lines.
 *
 * A writer sends three lines down a pipe, one per pass, then returns
 * CONNECTION_DONE from do_write; a reader prints each line and, at end
 * of file, stops the reactor from its connection_lost.  Shutdown
 * triggers print their phase; the state machine's errors are shown on
 * the way.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "selectreactor.h"

static struct reactor_base *reactor;

/* ---- the writer: an IWriteDescriptor --------------------------------- */

struct pipe_writer {
    struct descriptor base;
    int fd, sent;
};

static int writer_fileno(struct descriptor *d)
{
    return ((struct pipe_writer *)d)->fd;
}

static int writer_do_write(struct descriptor *d)
{
    struct pipe_writer *w = (struct pipe_writer *)d;
    char line[16];
    int n = snprintf(line, sizeof line, "ping %d\n", ++w->sent);
    if (write(w->fd, line, (size_t)n) != n)
        return CONNECTION_LOST;
    return w->sent == 3 ? CONNECTION_DONE : 0; /* done: disconnect me */
}

static void writer_connection_lost(struct descriptor *d, int reason)
{
    struct pipe_writer *w = (struct pipe_writer *)d;
    printf("writer: connection lost: %s\n", reason_name(reason));
    close(w->fd);
    w->fd = -1;
}

static const struct descriptor_ops writer_ops = {
    .fileno = writer_fileno,
    .do_write = writer_do_write,
    .connection_lost = writer_connection_lost,
};

/* ---- the reader: an IReadDescriptor ---------------------------------- */

struct pipe_reader {
    struct descriptor base;
    int fd;
    char partial[64]; /* a line not yet ended */
    size_t len;
};

static int reader_fileno(struct descriptor *d)
{
    return ((struct pipe_reader *)d)->fd;
}

static int reader_do_read(struct descriptor *d)
{
    struct pipe_reader *r = (struct pipe_reader *)d;
    char buf[4096];
    ssize_t n = read(r->fd, buf, sizeof buf);
    if (n == 0)
        return CONNECTION_DONE;
    if (n < 0)
        return CONNECTION_LOST;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            printf("reader: %.*s\n", (int)r->len, r->partial);
            r->len = 0;
        } else if (r->len < sizeof r->partial) {
            r->partial[r->len++] = buf[i];
        }
    }
    return 0;
}

static void reader_connection_lost(struct descriptor *d, int reason)
{
    struct pipe_reader *r = (struct pipe_reader *)d;
    printf("reader: connection lost: %s\n", reason_name(reason));
    close(r->fd);
    r->fd = -1;
    printf("reader: reactor.stop()\n");
    reactor_stop(reactor);
}

static const struct descriptor_ops reader_ops = {
    .fileno = reader_fileno,
    .do_read = reader_do_read,
    .connection_lost = reader_connection_lost,
};

/* ---- the story ------------------------------------------------------- */

static void show_outcome(const char *what, int err)
{
    if (err)
        printf("%s: %s\n", what, reactor_error_name(err));
    else
        printf("%s: ok\n", what);
}

static struct pipe_reader reader = {.base.ops = &reader_ops};
static struct pipe_writer writer = {.base.ops = &writer_ops};

static void when_running(void *arg)
{
    (void)arg;
    printf("running: %s\n", reactor->running ? "True" : "False");
    show_outcome("run() while running", reactor_run(reactor, true));
    int fds[2];
    if (pipe(fds) < 0) {
        perror("pipe");
        reactor_stop(reactor);
        return;
    }
    reader.fd = fds[0];
    writer.fd = fds[1];
    reactor_add_reader(reactor, &reader.base);
    reactor_add_writer(reactor, &writer.base);
}

static void say(void *arg) { printf("shutdown: %s trigger\n", (char *)arg); }

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines in order with stderr */
    reactor = select_reactor_new();
    if (!reactor) {
        perror("select_reactor_new");
        return 1;
    }
    printf("step02: a reactor object (%s)\n", reactor->ops->name);
    show_outcome("stop() before run()", reactor_stop(reactor));
    reactor_add_system_event_trigger(reactor, PHASE_BEFORE, "shutdown", say,
                                     "before", NULL);
    reactor_add_system_event_trigger(reactor, PHASE_DURING, "shutdown", say,
                                     "during", NULL);
    reactor_add_system_event_trigger(reactor, PHASE_AFTER, "shutdown", say,
                                     "after", NULL);
    reactor_call_when_running(reactor, when_running, NULL, NULL);
    int err = reactor_run(reactor, true);
    printf("run() returned%s\n", err ? " an error" : "");
    show_outcome("run() again", reactor_run(reactor, true));
    show_outcome("stop() again", reactor_stop(reactor));
    reactor_free(reactor);
    return err ? 1 : 0;
}
