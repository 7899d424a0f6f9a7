# Writes OUT, a header defining THINKBENCH_GIT as `git describe` of SOURCE_DIR says it now. Run at
# every build (the run store records it with each run, so a configure-time value would go stale);
# file(CONFIGURE) leaves OUT untouched when the text is the same, so nothing recompiles then.
cmake_minimum_required(VERSION 3.25) # script mode: today's policies for file(CONFIGURE)
execute_process(COMMAND git describe --always --dirty --tags
    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE THINKBENCH_GIT
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT THINKBENCH_GIT)
    set(THINKBENCH_GIT "unknown")
endif()
file(CONFIGURE OUTPUT "${OUT}" CONTENT "#pragma once\n#define THINKBENCH_GIT \"@THINKBENCH_GIT@\"\n" @ONLY)
