/*
 * default.c: default.py's choice of reactor, in the same shape.
 *
 * As Twisted gives the reasons:
 *   - Linux: epoll(7), since it scales well (a pass costs what is ready,
 *     not what is registered);
 *   - macOS: not poll(2), which does not support every kind of fd (ptys,
 *     devices), and kqueue has the same restrictions: select(2);
 *   - other POSIX systems: poll(2);
 *   - everywhere else: select(2).
 */
#define _POSIX_C_SOURCE 200809L

#include "default.h"

#include "backends.h"
#include "epollreactor.h"
#include "pollreactor.h"
#include "selectreactor.h"

install_fn default_get_install_function(void)
{
#if HAVE_EPOLL
    return epoll_install;
#elif defined(__APPLE__)
    return select_install;
#elif defined(__unix__)
    return poll_install;
#else
    return select_install;
#endif
}

int default_install(void) { return default_get_install_function()(); }
