# cmake/backends.cmake: step05's backends.  Which of select, poll, epoll
# and kqueue this platform has, which one "default" picks, and tests that
# run once per backend (reported skipped where the backend is missing).

# Which backends this platform has: epoll on Linux, kqueue on macOS and
# the BSDs; select and poll everywhere.
include(CheckSymbolExists)
check_symbol_exists(epoll_create1 "sys/epoll.h" HAVE_EPOLL)
check_symbol_exists(kqueue "sys/types.h;sys/event.h;sys/time.h" HAVE_KQUEUE)
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

# step_backend_test(NAME BACKEND COMMAND...): the test STEP.BACKEND.NAME,
# run with REACTOR=BACKEND and labelled backend:BACKEND; where this
# platform lacks the backend, it reports skipped instead of vanishing.
function(step_backend_test name backend)
  if(backend IN_LIST built)
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
