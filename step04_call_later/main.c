/*
 * main.c: installReactor (twisted/internet/main.py).
 *
 *   def installReactor(reactor):
 *       if "twisted.internet.reactor" in sys.modules:
 *           raise error.ReactorAlreadyInstalledError(
 *               "reactor already installed")
 *       twisted.internet.reactor = reactor
 *       sys.modules["twisted.internet.reactor"] = reactor
 */
#define _POSIX_C_SOURCE 200809L

#include "main.h"

#include <errno.h>

static struct reactor_base *the_reactor; /* sys.modules[...reactor] */

int install_reactor(struct reactor_base *r)
{
    if (!r)
        return ERR_INVALID_ARGUMENT;
    if (the_reactor)
        return ERR_REACTOR_ALREADY_INSTALLED;
    the_reactor = r;
    return REACTOR_OK;
}

int install_new_reactor(struct reactor_base *r)
{
    if (!r)
        return errno == ENOMEM ? ERR_NO_MEMORY : ERR_SYSTEM;
    int err = install_reactor(r);
    if (err)
        reactor_free(r);
    return err;
}

struct reactor_base *installed_reactor(void) { return the_reactor; }

void uninstall_reactor(void)
{
    reactor_free(the_reactor);
    the_reactor = NULL;
}
