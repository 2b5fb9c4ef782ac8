/*
 * main.h: installReactor (twisted/internet/main.py; a module, not a
 * program's main()).
 *
 * The one global reactor of the process lives here.  In Python it is
 * sys.modules["twisted.internet.reactor"]; in C it is a static pointer
 * that only install_reactor sets.
 */
#ifndef MAIN_H
#define MAIN_H

#include "base.h"

/* installReactor: make `r` the global reactor.  A second install is
 * ERR_REACTOR_ALREADY_INSTALLED ("reactor already installed"), and `r`
 * stays the caller's; r == NULL is ERR_INVALID_ARGUMENT. */
int install_reactor(struct reactor_base *r);

/* What each backend's install() does (selectreactor.install and the
 * like): install `r`, just made, and free it if that fails.  r == NULL
 * means its constructor failed, and errno says why. */
int install_new_reactor(struct reactor_base *r);

/* The installed reactor, or NULL if none is.  Does not install one:
 * global_reactor() (reactor.h) is the "import" that does. */
struct reactor_base *installed_reactor(void);

/* Free the installed reactor at the end of a program.  Twisted has no
 * counterpart: Python frees it at exit. */
void uninstall_reactor(void);

#endif
