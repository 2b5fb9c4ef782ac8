/*
 * reactor.c: the import side effect, made explicit.
 *
 * Python runs reactor.py once, at the first import:
 *     del sys.modules["twisted.internet.reactor"]
 *     from twisted.internet import default
 *     default.install()
 * and installReactor puts the new reactor where the module was.  C has
 * no import hook, so the same happens lazily, on the first call here.
 */
#define _POSIX_C_SOURCE 200809L

#include "reactor.h"

#include "default.h"
#include "main.h"

struct reactor_base *global_reactor(void)
{
    if (!installed_reactor())
        default_install();
    return installed_reactor();
}
