/*
 * task.h: a clock that only moves when told to, for tests
 * (twisted/internet/task.py: Clock).
 *
 * Twisted's Clock is a whole IReactorTime; here the real reactor keeps
 * its heap and its runUntilCurrent, and only its seconds() is replaced.
 */
#ifndef TASK_H
#define TASK_H

#include "base.h"

struct fake_clock {
    double now;
};

/* NULL: fake_clock_seconds answers NAN; the others do nothing. */

/* Clock.seconds */
double fake_clock_seconds(void *clock);

/* Make `r` read its time from `clock`, which must outlive the calls made
 * while it is installed (they keep reading it). */
void fake_clock_install(struct fake_clock *clock, struct reactor_base *r);

/* Clock.advance (a NaN or infinite amount is refused: nothing happens):
 * move time forward, then run what is due, by one
 * runUntilCurrent: a call made by a callback waits for the next advance,
 * as it would for the next pass of the real reactor. */
void fake_clock_advance(struct fake_clock *clock, struct reactor_base *r,
                        double amount);

#endif
