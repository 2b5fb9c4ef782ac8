/*
 * reactors.h: reactors by name, as `twistd --reactor=NAME` picks them
 * (twisted/application/reactors.py and twisted/plugins/twisted_reactors.py).
 */
#ifndef REACTORS_H
#define REACTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base.h"
#include "default.h"

struct reactor_type {
    const char *short_name; /* "select" */
    /* twisted_reactors.py's words, but "default" says what default.c
     * picks. */
    const char *description;
    install_fn install;
    /* The C's own, not Reactor's: a constructor (NULL for "default",
     * which names another), and whether this platform has it (Twisted
     * finds out when the module fails to import). */
    struct reactor_base *(*new_reactor)(void);
    bool available;
};

/* NULL arguments: a name that is NULL is no reactor's; an `n` or `out`
 * that is NULL is not written to. */

/* getReactorTypes: every reactor this build knows; `*n` is set. */
const struct reactor_type *get_reactor_types(size_t *n);

/* installReactor(shortName): install the one called `name`, or
 * ERR_NO_SUCH_REACTOR / ERR_REACTOR_UNAVAILABLE, with nothing installed. */
int install_reactor_by_name(const char *name);

/* A new reactor of that name, not installed (tests build one per test,
 * as Twisted's ReactorBuilder does).  NULL with *err set on failure;
 * `err` may be NULL. */
struct reactor_base *reactor_new_by_name(const char *name, int *err);

/* --help-reactors: one line per known reactor; "!" marks one that this
 * platform lacks, as twistd marks one that fails to import. */
void print_reactor_types(FILE *out);

#endif
