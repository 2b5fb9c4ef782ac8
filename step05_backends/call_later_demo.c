/*
 * call_later_demo: Twisted's classic callLater example, in C.
 *
 * Four calls at different delays: one cancelled, one reset to run
 * sooner, one delayed to run later; a last call stops the reactor.  Each
 * line says when it ran, in seconds since the start.  call_later_demo.py
 * prints the same lines with Twisted.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>

#include "main.h"
#include "reactor.h"

static double start;
static struct delayed_call *a, *b, *c, *d; /* kept, so released at the end */

static void show(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("[t=%.3f] ", reactor_seconds(global_reactor()) - start);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static double at(const struct delayed_call *call)
{
    return delayed_call_get_time(call) - start;
}

static void say(void *what) { show("%s", (const char *)what); }

static void a_ran(void *arg)
{
    (void)arg;
    show("a ran; delaying b by 0.3 s");
    delayed_call_delay(b, 0.3);
    show("b will now run at t=%.3f", at(b));
}

static void the_end(void *arg)
{
    (void)arg;
    const char *names[] = {"a", "b", "c", "d"};
    struct delayed_call *calls[] = {a, b, c, d};
    for (int i = 0; i < 4; i++) {
        int err = delayed_call_cancel(calls[i]);
        show("%s.cancel(): %s", names[i],
             err ? reactor_error_name(err) : "ok");
    }
    show("reactor.stop()");
    reactor_stop(global_reactor());
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct reactor_base *r = global_reactor();
    if (!r)
        return 1;
    start = reactor_seconds(r);
    reactor_call_later(r, 0.2, a_ran, NULL, &a);
    reactor_call_later(r, 0.4, say, "b ran, later than first planned", &b);
    reactor_call_later(r, 0.6, say, "c ran, sooner than first planned", &c);
    reactor_call_later(r, 0.8, say, "d ran, but d was cancelled!", &d);
    reactor_call_later(r, 1.0, the_end, NULL, NULL); /* not kept */
    show("scheduled a at t=%.3f, b at t=%.3f, c at t=%.3f, d at t=%.3f, "
         "the end at t=1.000",
         at(a), at(b), at(c), at(d));
    delayed_call_cancel(d);
    show("cancelled d: active() is %s",
         delayed_call_active(d) ? "True" : "False");
    delayed_call_reset(c, 0.1);
    show("reset c to 0.1 s from now: it will run at t=%.3f", at(c));
    reactor_add_system_event_trigger(r, PHASE_BEFORE, "shutdown", say,
                                     "before shutdown", NULL);
    int err = reactor_run(r, true);
    show("run() returned%s", err ? " an error" : "");
    delayed_call_release(a);
    delayed_call_release(b);
    delayed_call_release(c);
    delayed_call_release(d);
    uninstall_reactor();
    return err ? 1 : 0;
}
