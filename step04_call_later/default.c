/*
 * default.c: default.py's choice of reactor, in the same shape.
 *
 * Twisted picks epoll(7) on Linux, poll(2) on other POSIX systems but
 * macOS, and select(2) everywhere else.  This step has only select, so
 * every branch ends there for now; step05 fills in the others.
 */
#define _POSIX_C_SOURCE 200809L

#include "default.h"

#include "selectreactor.h"

install_fn default_get_install_function(void)
{
#if defined(__linux__)
    return select_install; /* Twisted: epollreactor.install (step05) */
#elif defined(__unix__) && !defined(__APPLE__)
    return select_install; /* Twisted: pollreactor.install (step05) */
#else
    return select_install; /* macOS and the rest: select */
#endif
}

int default_install(void) { return default_get_install_function()(); }
