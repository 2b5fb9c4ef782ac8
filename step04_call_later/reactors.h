/*
 * reactors.h: reactors by name, as `twistd --reactor=NAME` picks them
 * (twisted/application/reactors.py and twisted/plugins/twisted_reactors.py).
 */
#ifndef REACTORS_H
#define REACTORS_H

#include <stddef.h>
#include <stdio.h>

#include "default.h"

struct reactor_type {
    const char *short_name; /* "select" */
    /* twisted_reactors.py's words, but "default" says what default.c
     * picks. */
    const char *description;
    install_fn install;
};

/* NULL arguments: a name that is NULL is no reactor's; an `n` or `out`
 * that is NULL is not written to. */

/* getReactorTypes: every reactor this build knows; `*n` is set. */
const struct reactor_type *get_reactor_types(size_t *n);

/* installReactor(shortName): install the one called `name`, or
 * ERR_NO_SUCH_REACTOR, with nothing installed. */
int install_reactor_by_name(const char *name);

/* --help-reactors: one line per known reactor. */
void print_reactor_types(FILE *out);

#endif
