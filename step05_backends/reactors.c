/*
 * reactors.c: the table of reactor names.
 */
#define _POSIX_C_SOURCE 200809L

#include "reactors.h"

#include <errno.h>
#include <string.h>

#include "backends.h"
#include "epollreactor.h"
#include "error.h"
#include "kqreactor.h"
#include "pollreactor.h"
#include "selectreactor.h"

static const struct reactor_type reactor_types[] = {
    {"default",
     "A reasonable default: epoll(7) on Linux, poll(2) on other POSIX "
     "systems, select(2) on macOS.",
     default_install, NULL, true},
    {"select", "select(2) based reactor.", select_install, select_reactor_new,
     true},
    {"poll", "poll(2) based reactor.", poll_install, poll_reactor_new, true},
    {"epoll", "epoll(4) based reactor.", epoll_install, epoll_reactor_new,
     HAVE_EPOLL},
    {"kqueue", "kqueue(2) based reactor.", kqueue_install, kqueue_reactor_new,
     HAVE_KQUEUE},
};

const struct reactor_type *get_reactor_types(size_t *n)
{
    if (n)
        *n = sizeof reactor_types / sizeof reactor_types[0];
    return reactor_types;
}

static const struct reactor_type *find(const char *name)
{
    size_t n;
    const struct reactor_type *types = get_reactor_types(&n);
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(types[i].short_name, name) == 0)
            return &types[i];
    return NULL;
}

/* The type that "default" stands for here: the one whose install
 * default.c picks. */
static const struct reactor_type *
resolve_default(const struct reactor_type *t)
{
    size_t n;
    const struct reactor_type *types = get_reactor_types(&n);
    for (size_t i = 0; t && !t->new_reactor && i < n; i++)
        if (types[i].new_reactor &&
            types[i].install == default_get_install_function())
            return &types[i];
    return t;
}

int install_reactor_by_name(const char *name)
{
    const struct reactor_type *t = find(name);
    if (!t)
        return ERR_NO_SUCH_REACTOR;
    if (!t->available)
        return ERR_REACTOR_UNAVAILABLE;
    return t->install();
}

struct reactor_base *reactor_new_by_name(const char *name, int *err)
{
    int ignored;
    if (!err)
        err = &ignored;
    const struct reactor_type *t = resolve_default(find(name));
    *err = !t || !t->new_reactor ? ERR_NO_SUCH_REACTOR
           : !t->available       ? ERR_REACTOR_UNAVAILABLE
                                 : REACTOR_OK;
    if (*err)
        return NULL;
    struct reactor_base *r = t->new_reactor();
    if (!r) /* errno says why */
        *err = errno == ENOMEM ? ERR_NO_MEMORY : ERR_SYSTEM;
    return r;
}

void print_reactor_types(FILE *out)
{
    if (!out)
        return;
    size_t n;
    const struct reactor_type *types = get_reactor_types(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "   %c%-7s %s%s\n", types[i].available ? ' ' : '!',
                types[i].short_name, types[i].description,
                types[i].available ? "" : " (not on this platform)");
}
