# cmake/compare.cmake: an optional build of the benchmark that runs the
# same workloads on libev, libevent and libuv too
# (-DREACTOR_BENCH_COMPARE=ON, off by default).  The project depends on
# none of them.
option(REACTOR_BENCH_COMPARE "Benchmarks also run on libev, libevent, libuv" OFF)

# bench_timers beside them: -DREACTOR_BENCH_COMPARE=ON builds
# bench/compare/{ev,event,uv}_timers.c into bench_timers, whose run then
# prints its two workloads on each library found too, with ratios.
if(REACTOR_BENCH_COMPARE)
  find_package(PkgConfig)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(BENCH_TIMERS_LIBEVENT libevent)
    pkg_check_modules(BENCH_TIMERS_LIBUV libuv)
  endif()
  find_path(BENCH_TIMERS_LIBEV_INCLUDE ev.h) # libev ships no .pc
  find_library(BENCH_TIMERS_LIBEV_LIBRARY ev)
  set(compared)
  target_compile_definitions(${step}_bench_timers PRIVATE REACTOR_BENCH_COMPARE)
  # libevent first, by its full path: libev also exports libevent's old
  # names (event_add, ...), and the first library linked provides them.
  if(BENCH_TIMERS_LIBEVENT_FOUND)
    target_sources(${step}_bench_timers PRIVATE bench/compare/event_timers.c)
    target_include_directories(${step}_bench_timers PRIVATE
                               ${BENCH_TIMERS_LIBEVENT_INCLUDE_DIRS})
    target_link_libraries(${step}_bench_timers ${BENCH_TIMERS_LIBEVENT_LINK_LIBRARIES})
    target_compile_definitions(${step}_bench_timers PRIVATE BENCH_TIMERS_LIBEVENT=1)
    list(APPEND compared libevent)
  endif()
  if(BENCH_TIMERS_LIBEV_INCLUDE AND BENCH_TIMERS_LIBEV_LIBRARY)
    target_sources(${step}_bench_timers PRIVATE bench/compare/ev_timers.c)
    target_include_directories(${step}_bench_timers PRIVATE ${BENCH_TIMERS_LIBEV_INCLUDE})
    target_link_libraries(${step}_bench_timers ${BENCH_TIMERS_LIBEV_LIBRARY})
    target_compile_definitions(${step}_bench_timers PRIVATE BENCH_TIMERS_LIBEV=1)
    list(APPEND compared libev)
  endif()
  if(BENCH_TIMERS_LIBUV_FOUND)
    target_sources(${step}_bench_timers PRIVATE bench/compare/uv_timers.c)
    target_include_directories(${step}_bench_timers PRIVATE
                               ${BENCH_TIMERS_LIBUV_INCLUDE_DIRS})
    target_link_libraries(${step}_bench_timers ${BENCH_TIMERS_LIBUV_LINK_LIBRARIES})
    target_compile_definitions(${step}_bench_timers PRIVATE BENCH_TIMERS_LIBUV=1)
    list(APPEND compared libuv)
  endif()
  message(STATUS "${step} bench_timers compares with: ${compared}")
endif()
