/*
 * reactors.c: the table of reactor names.
 */
#define _POSIX_C_SOURCE 200809L

#include "reactors.h"

#include <string.h>

#include "error.h"
#include "selectreactor.h"

static const struct reactor_type reactor_types[] = {
    {"default",
     "A reasonable default: the best reactor this platform has "
     "(select(2) until step05).",
     default_install},
    {"select", "select(2) based reactor.", select_install},
};

const struct reactor_type *get_reactor_types(size_t *n)
{
    if (n)
        *n = sizeof reactor_types / sizeof reactor_types[0];
    return reactor_types;
}

int install_reactor_by_name(const char *name)
{
    size_t n;
    const struct reactor_type *types = get_reactor_types(&n);
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(types[i].short_name, name) == 0)
            return types[i].install();
    return ERR_NO_SUCH_REACTOR;
}

void print_reactor_types(FILE *out)
{
    if (!out)
        return;
    size_t n;
    const struct reactor_type *types = get_reactor_types(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "    %-7s %s\n", types[i].short_name,
                types[i].description);
}
