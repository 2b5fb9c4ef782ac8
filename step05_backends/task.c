/* task.c: the fake clock of task.h. */
#define _POSIX_C_SOURCE 200809L

#include "task.h"

#include <math.h> /* NAN: a macro, no libm */

double fake_clock_seconds(void *clock)
{
    if (!clock)
        return NAN; /* no clock, no time */
    return ((struct fake_clock *)clock)->now;
}

void fake_clock_install(struct fake_clock *clock, struct reactor_base *r)
{
    if (!clock)
        return;
    reactor_set_seconds(r, fake_clock_seconds, clock);
}

void fake_clock_advance(struct fake_clock *clock, struct reactor_base *r,
                        double amount)
{
    if (!clock || !r || !isfinite(amount))
        return;
    clock->now += amount;
    reactor_run_until_current(r);
}
