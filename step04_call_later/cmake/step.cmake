# cmake/step.cmake: the build rules every step shares, the same file in
# every step.  Each step includes its own copy, also inside the top-level
# build, so a step never runs another step's rules.  The step's directory
# names everything: step04_call_later builds targets step04_* and tests
# step04.*, all labelled step04.

string(REGEX MATCH "^step[0-9]+" step "${PROJECT_NAME}")
set(here ${CMAKE_CURRENT_SOURCE_DIR})

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
option(REACTOR_WERROR "Treat compiler warnings as errors" OFF)
option(REACTOR_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  add_compile_options(-Wall -Wextra -Wpedantic)
  if(REACTOR_WERROR)
    add_compile_options(-Werror)
  endif()
  if(REACTOR_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
  endif()
endif()
if(APPLE)
  add_compile_definitions(_DARWIN_C_SOURCE) # POSIX plus what macOS hides
endif()
# Optimised, with debug information, unless you ask for another build type.
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo)
endif()
enable_testing()

# step_reactor(SOURCES...): the step's reactor, a library its programs
# and tests link with.
function(step_reactor)
  add_library(${step}_reactor STATIC ${ARGN})
  target_include_directories(${step}_reactor PUBLIC ${here})
endfunction()

# step_program(NAME [MORE_SOURCES...]): the program NAME, from NAME.c (or
# tests/NAME.c for a test's program), linked with the step's reactor if
# it has one.
function(step_program name)
  if(EXISTS ${here}/${name}.c)
    set(source ${name}.c)
  else()
    set(source tests/${name}.c)
  endif()
  add_executable(${step}_${name} ${source} ${ARGN})
  if(TARGET ${step}_reactor)
    target_link_libraries(${step}_${name} ${step}_reactor)
  endif()
  set_target_properties(${step}_${name} PROPERTIES OUTPUT_NAME ${name})
endfunction()

# step_test(NAME LABEL COMMAND...): the test STEP.NAME, labelled with the
# step and LABEL, given two minutes; exit status 77 reports it skipped.
function(step_test name label)
  add_test(NAME ${step}.${name} COMMAND ${ARGN})
  set_tests_properties(${step}.${name} PROPERTIES TIMEOUT 120
                       LABELS "${step};${label}" SKIP_RETURN_CODE 77)
endfunction()

# step_test_names(VAR FILE): the NAME of each "    TEST(NAME)," line of a
# unit-test file's table.
function(step_test_names var file)
  file(STRINGS ${here}/${file} lines REGEX "^    TEST\\([A-Za-z0-9_]+\\),$")
  list(TRANSFORM lines REPLACE "^    TEST\\(([A-Za-z0-9_]+)\\),$" "\\1")
  set(${var} ${lines} PARENT_SCOPE)
endfunction()

# step_unit_tests(PROGRAM GROUP): build tests/PROGRAM.c, and make one test,
# STEP.GROUP.NAME, of each TEST(NAME) in it.
function(step_unit_tests program group)
  step_program(${program})
  step_test_names(names tests/${program}.c)
  foreach(name ${names})
    step_test(${group}.${name} ${group} ${step}_${program} ${name})
  endforeach()
endfunction()

# step_echo_test(NAME [SERVER_ARGS...]): the end-to-end echo test NAME of
# tests/echo_e2e.c, against this step's echo server.
function(step_echo_test name)
  step_test(echo.${name} echo ${step}_echo_e2e ${name}
            $<TARGET_FILE:${step}_echo_server> ${ARGN})
endfunction()

# step_transcript_test(NAME EXPECTED PROGRAM [ARGS...]): what PROGRAM
# prints must be tests/EXPECTED, line for line.
function(step_transcript_test name expected program)
  step_test(${name} transcript sh ${here}/tests/expect_output.sh
            ${here}/tests/${expected} $<TARGET_FILE:${step}_${program}> ${ARGN})
endfunction()

# step_twin_test(NAME PROGRAM SCRIPT [ARGS...]): PROGRAM and its Twisted
# twin SCRIPT must print the same (tests/twin_test.sh).
function(step_twin_test name program script)
  step_test(twin.${name} twin sh ${here}/tests/twin_test.sh
            $<TARGET_FILE:${step}_${program}> ${here}/${script} ${ARGN})
endfunction()

# The lesson: where this step has a LESSON.diff, it must turn the previous
# step's code into this step's (tests/lesson_test.sh).  It needs no
# compiled target.
if(EXISTS ${here}/LESSON.diff)
  string(REGEX MATCH "[0-9]+$" number "${step}")
  math(EXPR previous "${number} - 1")
  string(LENGTH "${previous}" digits)
  if(digits LESS 2)
    set(previous 0${previous})
  endif()
  file(GLOB previous_dir LIST_DIRECTORIES true ${here}/../step${previous}_*)
  if(previous_dir)
    get_filename_component(previous_dir ${previous_dir} REALPATH)
  else() # this step alone, without the one before: skipped
    set(previous_dir ${here}/../step${previous}_not_here)
  endif()
  step_test(lesson lesson sh ${here}/tests/lesson_test.sh ${previous_dir} ${here})
endif()
