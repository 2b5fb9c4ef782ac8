# cmake/backends.cmake: step05's backends.  Which of select, poll, epoll
# and kqueue this platform has, which one "default" picks, and tests that
# run once per backend (reported skipped where the backend is missing).

# Which backends this platform has: epoll on Linux, kqueue on macOS and
# the BSDs; select and poll everywhere.
include(CheckSymbolExists)
# NetBSD declares kqueue() and kevent() only under _NETBSD_SOURCE, which
# _POSIX_C_SOURCE switches off.
if(CMAKE_SYSTEM_NAME STREQUAL "NetBSD")
  add_compile_definitions(_NETBSD_SOURCE)
endif()
# The checks see what the sources see: _POSIX_C_SOURCE (each file defines
# it) and this directory's definitions; without them kqueue is found where
# the compile cannot declare it.
get_directory_property(step05_definitions COMPILE_DEFINITIONS)
set(CMAKE_REQUIRED_DEFINITIONS -D_POSIX_C_SOURCE=200809L)
foreach(definition ${step05_definitions})
  list(APPEND CMAKE_REQUIRED_DEFINITIONS -D${definition})
endforeach()
# Linux: -DREACTOR_LIBKQUEUE=ON builds the kqueue backend on libkqueue, a
# userspace kqueue on top of epoll, found by pkg-config (libkqueue.pc).
option(REACTOR_LIBKQUEUE "Linux: build the kqueue backend on libkqueue" OFF)
if(REACTOR_LIBKQUEUE)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(LIBKQUEUE REQUIRED IMPORTED_TARGET libkqueue)
  set(CMAKE_REQUIRED_INCLUDES ${LIBKQUEUE_INCLUDE_DIRS})
  set(CMAKE_REQUIRED_LIBRARIES PkgConfig::LIBKQUEUE)
endif()
check_symbol_exists(epoll_create1 "sys/epoll.h" HAVE_EPOLL)
set(kq HAVE_KERNEL) # cached per source: turning the option on checks anew
if(REACTOR_LIBKQUEUE)
  set(kq HAVE_LIBKQUEUE)
endif()
check_symbol_exists(kqueue "sys/types.h;sys/event.h;sys/time.h" ${kq}_KQUEUE)
check_symbol_exists(kevent "sys/types.h;sys/event.h;sys/time.h" ${kq}_KEVENT)
if(${kq}_KQUEUE AND ${kq}_KEVENT)
  set(HAVE_KQUEUE ON)
else()
  set(HAVE_KQUEUE OFF)
endif()
if(REACTOR_LIBKQUEUE AND NOT HAVE_KQUEUE)
  message(FATAL_ERROR "REACTOR_LIBKQUEUE: libkqueue's kqueue() and kevent() do not link")
endif()
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_LIBRARIES)
set(backends select poll epoll kqueue)
# default.c's choice, which the tests expect of "default".
if(HAVE_EPOLL)
  set(default_class EPollReactor)
elseif(APPLE)
  set(default_class SelectReactor)
else()
  set(default_class PollReactor)
endif()
set(built select poll)
if(HAVE_EPOLL)
  list(APPEND built epoll)
endif()
if(HAVE_KQUEUE)
  list(APPEND built kqueue)
endif()
message(STATUS "step05 backends: ${built}; the default: ${default_class}")
# For the top-level tour: it runs the echo demo on each of them.
set_property(GLOBAL PROPERTY STEP05_BACKENDS "${built}")
find_package(Threads REQUIRED)

# Under libkqueue, the one end-to-end test that cannot pass, and why.
set(libkqueue_skip_kqueue.echo.out_of_descriptors
    "libkqueue holds about nine descriptors of its own, which a 16-descriptor server cannot spare")

# step_backend_test(NAME BACKEND COMMAND...): the test STEP.BACKEND.NAME,
# run with REACTOR=BACKEND and labelled backend:BACKEND; where this
# platform lacks the backend, it reports skipped instead of vanishing (as
# do, under libkqueue, the tests named above).
function(step_backend_test name backend)
  if(REACTOR_LIBKQUEUE AND DEFINED libkqueue_skip_${backend}.${name})
    step_test(${backend}.${name} backend:${backend}
              sh -c "echo 'SKIP: ${libkqueue_skip_${backend}.${name}}' && exit 77")
  elseif(backend IN_LIST built)
    step_test(${backend}.${name} backend:${backend} ${ARGN})
    set_tests_properties(${step}.${backend}.${name} PROPERTIES
                         ENVIRONMENT REACTOR=${backend})
  else()
    step_test(${backend}.${name} backend:${backend}
              sh -c "echo 'SKIP: no ${backend} on this platform' && exit 77")
  endif()
endfunction()

# step_backend_unit_tests(PROGRAM GROUP): step_unit_tests once per
# backend, as Twisted's ReactorBuilder runs its tests: STEP.BACKEND.GROUP.NAME.
function(step_backend_unit_tests program group)
  step_program(${program})
  step_test_names(names tests/${program}.c)
  foreach(name ${names})
    foreach(backend ${backends})
      step_backend_test(${group}.${name} ${backend} ${step}_${program} ${name})
    endforeach()
  endforeach()
endfunction()
