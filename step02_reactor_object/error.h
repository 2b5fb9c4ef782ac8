/*
 * error.h: what can go wrong, as codes with names
 * (twisted/internet/error.py).
 *
 * Twisted raises exceptions; C returns codes.  Every function here that
 * can fail returns one of these (REACTOR_OK is 0), and the two functions
 * below turn a code into the exception's name and a readable message.
 */
#ifndef ERROR_H
#define ERROR_H

/* clang-format off */
typedef enum reactor_error {
    REACTOR_OK = 0,
    ERR_REACTOR_NOT_RUNNING,       /* error.ReactorNotRunning */
    ERR_REACTOR_ALREADY_RUNNING,   /* error.ReactorAlreadyRunning */
    ERR_REACTOR_NOT_RESTARTABLE,   /* error.ReactorNotRestartable */
    ERR_FD_OUT_OF_RANGE,           /* select's ValueError: fd >= FD_SETSIZE */
    ERR_BAD_DESCRIPTOR,            /* fileno() is negative */
    ERR_FD_IN_USE,                 /* another descriptor holds that fd */
    ERR_NO_SUCH_TRIGGER,           /* ValueError from removeTrigger */
    ERR_INVALID_ARGUMENT,          /* KeyError("invalid phase") and the like */
    ERR_NO_MEMORY,                 /* MemoryError */
    ERR_SYSTEM                     /* OSError: see errno */
} reactor_error;
/* clang-format on */

/* "ReactorNotRunning" */
const char *reactor_error_name(reactor_error e);
/* "Can't stop reactor that isn't running." */
const char *reactor_error_message(reactor_error e);

/*
 * Why a descriptor was disconnected: the Failure that Twisted passes to
 * connectionLost.  0 is "not disconnected"; a negative value is -errno
 * (an OSError).
 */
enum {
    CONNECTION_DONE = 1,           /* main.CONNECTION_DONE: a clean close */
    CONNECTION_LOST = 2,           /* main.CONNECTION_LOST: an unclean one */
    CONNECTION_FDESC_WENT_AWAY = 3 /* error.ConnectionFdescWentAway */
};

/* For a function that can only return NULL: the errno value that says
 * why `e` happened (ERR_SYSTEM: errno as it is). */
int reactor_error_to_errno(reactor_error e);

/* "ConnectionDone", "ConnectionLost", or strerror(-reason). */
const char *reason_name(int reason);

#endif
