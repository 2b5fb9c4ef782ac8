/* error.c: names and messages for the codes in error.h. */
#include "error.h"

#include <errno.h>
#include <string.h>

static const struct {
    const char *name, *message;
} errors[] = {
    [REACTOR_OK] = {"OK", "no error"},
    [ERR_REACTOR_NOT_RUNNING] = {"ReactorNotRunning",
                                 "Can't stop reactor that isn't running."},
    [ERR_REACTOR_ALREADY_RUNNING] = {"ReactorAlreadyRunning",
                                     "The reactor is already running."},
    [ERR_REACTOR_NOT_RESTARTABLE] = {"ReactorNotRestartable",
                                     "A stopped reactor cannot run again."},
    [ERR_REACTOR_ALREADY_INSTALLED] = {"ReactorAlreadyInstalledError",
                                       "reactor already installed"},
    [ERR_NO_SUCH_REACTOR] = {"NoSuchReactor", "no reactor by that name"},
    [ERR_ALREADY_CALLED] = {"AlreadyCalled",
                            "Tried to cancel an already-called event."},
    [ERR_ALREADY_CANCELLED] = {"AlreadyCancelled",
                               "Tried to cancel an already-cancelled event."},
    [ERR_INVALID_DELAY] = {"InvalidDelay",
                           "a delay must be a finite number of seconds, "
                           "and callLater's at least 0"},
    [ERR_FD_OUT_OF_RANGE] = {"FdOutOfRange",
                             "filedescriptor out of range in select()"},
    [ERR_BAD_DESCRIPTOR] = {"BadDescriptor",
                            "the descriptor's fileno() is negative"},
    [ERR_FD_IN_USE] = {"FdInUse",
                       "another descriptor is registered for that fd"},
    [ERR_NO_SUCH_TRIGGER] = {"NoSuchTrigger",
                             "no system event trigger has that id"},
    [ERR_INVALID_ARGUMENT] = {"InvalidArgument", "invalid argument"},
    [ERR_NO_MEMORY] = {"NoMemory", "out of memory"},
    [ERR_SYSTEM] = {"SystemError", "a system call failed (see errno)"},
};

static int known(reactor_error e)
{
    return e >= 0 && (size_t)e < sizeof errors / sizeof errors[0];
}

const char *reactor_error_name(reactor_error e)
{
    return known(e) ? errors[e].name : "UnknownError";
}

const char *reactor_error_message(reactor_error e)
{
    return known(e) ? errors[e].message : "unknown error code";
}

int reactor_error_to_errno(reactor_error e)
{
    switch (e) {
    case ERR_NO_MEMORY:
        return ENOMEM;
    case ERR_SYSTEM:
        return errno;
    case ERR_FD_OUT_OF_RANGE: /* too many files open for select() */
        return EMFILE;
    default:
        return EINVAL;
    }
}

const char *reason_name(int reason)
{
    switch (reason) {
    case 0:
        return "none";
    case CONNECTION_DONE:
        return "ConnectionDone";
    case CONNECTION_LOST:
        return "ConnectionLost";
    case CONNECTION_FDESC_WENT_AWAY:
        return "ConnectionFdescWentAway";
    default:
        return reason < 0 ? strerror(-reason) : "unknown reason";
    }
}
