/*
 * backends.h: which backends this build has.
 *
 * CMake checks for epoll and kqueue and passes HAVE_EPOLL / HAVE_KQUEUE
 * as 0 or 1.  Built without CMake (the one-line cc command in the
 * README), the platform decides.
 */
#ifndef BACKENDS_H
#define BACKENDS_H

#ifndef HAVE_EPOLL
#if defined(__linux__)
#define HAVE_EPOLL 1
#else
#define HAVE_EPOLL 0
#endif
#endif

#ifndef HAVE_KQUEUE
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) ||    \
    defined(__NetBSD__) || defined(__DragonFly__)
#define HAVE_KQUEUE 1
#else
#define HAVE_KQUEUE 0
#endif
#endif

#endif
