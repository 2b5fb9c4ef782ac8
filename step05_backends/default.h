/*
 * default.h: the platform's best reactor (twisted/internet/default.py).
 */
#ifndef DEFAULT_H
#define DEFAULT_H

typedef int (*install_fn)(void);

/* _getInstallFunction: which install() suits this platform. */
install_fn default_get_install_function(void);

/* default.install: install that one. */
int default_install(void);

#endif
