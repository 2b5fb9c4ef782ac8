/*
 * install_demo: installing a reactor, in the right order and the wrong.
 *
 * The installed reactor is process-wide, so each story runs in a fresh
 * child process.  install_demo.py tells the same stories with Twisted.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "main.h"
#include "reactor.h"
#include "reactors.h"
#include "selectreactor.h"

static void show_error(const char *what, int err)
{
    printf("  %s: %s: %s\n", what, reactor_error_name(err),
           reactor_error_message(err));
}

/* Install first: the first use finds it. */
static void right_order(void)
{
    select_install();
    printf("  the import found it installed: %s\n",
           global_reactor()->ops->name);
}

/* Use first: that installs the default, and the install comes too late,
 * as pollreactor.install() does after `from twisted.internet import
 * reactor`. */
static void wrong_order(void)
{
    global_reactor();
    int err = select_install();
    if (err)
        show_error("select install", err);
}

static void install_twice(void)
{
    if (select_install() == REACTOR_OK)
        printf("  first install: ok\n");
    int err = select_install();
    if (err)
        show_error("second install", err);
}

static void by_name(void)
{
    int err = install_reactor_by_name("bogus");
    if (err == ERR_NO_SUCH_REACTOR)
        printf("  'bogus': %s: bogus\n", reactor_error_name(err));
    printf("  installed after that: %s\n",
           installed_reactor() ? "True" : "False");
    if (install_reactor_by_name("select") == REACTOR_OK)
        printf("  'select': %s\n", installed_reactor()->ops->name);
}

static const struct {
    const char *title;
    void (*story)(void);
} stories[] = {
    {"right order: select install, then the first use", right_order},
    {"wrong order: the first use, then select install", wrong_order},
    {"install twice", install_twice},
    {"install by name", by_name},
};

int main(void)
{
    printf("step03: one global reactor, installed at run time\n");
    for (size_t i = 0; i < sizeof stories / sizeof stories[0]; i++) {
        printf("%s\n", stories[i].title);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            stories[i].story();
            fflush(stdout);
            uninstall_reactor();
            _exit(0);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
            return 1;
    }
    return 0;
}
