/*
 * Tests of the global reactor and its installation.  The global is
 * process-wide, so CTest runs each test in a fresh process:
 *
 *   test_install NAME [ARGS]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "../main.h"
#include "../reactor.h"
#include "../reactors.h"
#include "../selectreactor.h"
#include "check.h"

static void test_install_twice_is_ReactorAlreadyInstalledError(void)
{
    CHECK_ERR(select_install(), REACTOR_OK);
    struct reactor_base *first = installed_reactor();
    CHECK_ERR(select_install(), ERR_REACTOR_ALREADY_INSTALLED);
    CHECK(installed_reactor() == first); /* the first one stays */
    CHECK_EQ(reactor_error_name(ERR_REACTOR_ALREADY_INSTALLED),
             "ReactorAlreadyInstalledError");
    CHECK_EQ(reactor_error_message(ERR_REACTOR_ALREADY_INSTALLED),
             "reactor already installed");
}

static void test_first_use_installs_the_default(void)
{
    CHECK(installed_reactor() == NULL);
    struct reactor_base *r = global_reactor();
    CHECK(r != NULL);
    CHECK(installed_reactor() == r);
    CHECK(global_reactor() == r); /* every later "import": the same one */
    CHECK_EQ(r->ops->name, "SelectReactor");
}

/* The classic mistake: pollreactor.install() after
 * `from twisted.internet import reactor`. */
static void test_install_after_use_is_ReactorAlreadyInstalledError(void)
{
    struct reactor_base *used = global_reactor();
    CHECK_ERR(select_install(), ERR_REACTOR_ALREADY_INSTALLED);
    CHECK_ERR(install_reactor_by_name("select"),
              ERR_REACTOR_ALREADY_INSTALLED);
    CHECK(global_reactor() == used);
}

static void test_unknown_name_is_NoSuchReactor_and_installs_nothing(void)
{
    CHECK_ERR(install_reactor_by_name("bogus"), ERR_NO_SUCH_REACTOR);
    CHECK_ERR(install_reactor_by_name(""), ERR_NO_SUCH_REACTOR);
    CHECK(install_reactor_by_name(NULL) == ERR_NO_SUCH_REACTOR);
    CHECK(installed_reactor() == NULL);
    CHECK_EQ(reactor_error_name(ERR_NO_SUCH_REACTOR), "NoSuchReactor");
}

static void test_install_null_is_InvalidArgument(void)
{
    CHECK(install_reactor(NULL) == ERR_INVALID_ARGUMENT);
    CHECK(installed_reactor() == NULL);
}

/* Each description is Twisted's plugin's, but default's: Twisted's says
 * "poll(2) if available, otherwise select(2).", which is not what its
 * default.py picks, nor default.c; this one says what default.c picks. */
static void test_descriptions_are_twisted_s_but_default_s(void)
{
    size_t n;
    const struct reactor_type *types = get_reactor_types(&n);
    CHECK_EQ(types[0].short_name, "default");
    CHECK(strstr(types[0].description, "A reasonable default: ") ==
          types[0].description);
    CHECK(strstr(types[0].description, "poll(2) if available") == NULL);
    for (size_t i = 0; i < n; i++)
        if (strcmp(types[i].short_name, "select") == 0)
            CHECK_EQ(types[i].description, "select(2) based reactor.");
}

/* NULL for a name, a count or a stream: refused, never followed. */
static void test_null_name_count_or_stream_is_refused(void)
{
    CHECK_ERR(install_reactor_by_name(NULL), ERR_NO_SUCH_REACTOR);
    CHECK(get_reactor_types(NULL) != NULL); /* the count is not written */
    print_reactor_types(NULL);
    CHECK(installed_reactor() == NULL);
}

/* install_by_name NAME CLASS: the name installs a reactor of that class. */
static void install_by_name(const char *name, const char *class_name)
{
    size_t n;
    const struct reactor_type *types = get_reactor_types(&n);
    int listed = 0;
    for (size_t i = 0; i < n; i++)
        listed += strcmp(types[i].short_name, name) == 0;
    CHECK_EQ(listed, 1);
    CHECK_ERR(install_reactor_by_name(name), REACTOR_OK);
    CHECK(installed_reactor() != NULL);
    if (installed_reactor())
        CHECK_EQ(installed_reactor()->ops->name, class_name);
    CHECK(global_reactor() == installed_reactor());
}

static const struct test tests[] = {
    TEST(install_twice_is_ReactorAlreadyInstalledError),
    TEST(first_use_installs_the_default),
    TEST(install_after_use_is_ReactorAlreadyInstalledError),
    TEST(unknown_name_is_NoSuchReactor_and_installs_nothing),
    TEST(install_null_is_InvalidArgument),
    TEST(null_name_count_or_stream_is_refused),
    TEST(descriptions_are_twisted_s_but_default_s),
};

/* Each test in a fresh process: CTest names one.  install_by_name NAME
 * CLASS checks one entry of the table. */
int main(int argc, char **argv)
{
    int status;
    if (argc == 4 && strcmp(argv[1], "install_by_name") == 0) {
        install_by_name(argv[2], argv[3]);
        status = failures ? 1 : 0;
        printf("%s: install_by_name %s\n", status ? "FAIL" : "PASS", argv[2]);
    } else if (argc == 2) {
        status = run_tests(tests, sizeof tests / sizeof tests[0], argc, argv,
                           NULL);
    } else {
        printf("usage: %s TEST | install_by_name NAME CLASS\n", argv[0]);
        status = 2;
    }
    uninstall_reactor();
    return status;
}
