# The house rules a change must keep, as one CTest test (house.rules): every C++ source is
# formatted by the project's .clang-format, and none is longer than the limit (one concept per
# file keeps files short). Run by tests/CMakeLists.txt with SOURCE_DIR and CLANG_FORMAT set.

set(max_lines 600)
set(folders app bench core inference training widgets tests fuzz)
set(sources)
foreach(folder ${folders})
    file(GLOB_RECURSE found "${SOURCE_DIR}/${folder}/*.cpp" "${SOURCE_DIR}/${folder}/*.h" "${SOURCE_DIR}/${folder}/*.cu")
    list(APPEND sources ${found})
endforeach()
list(SORT sources)

set(problems "")
foreach(source ${sources})
    execute_process(COMMAND "${CLANG_FORMAT}" --style=file --dry-run --Werror "${source}"
                    RESULT_VARIABLE unformatted OUTPUT_QUIET ERROR_QUIET)
    file(RELATIVE_PATH name "${SOURCE_DIR}" "${source}")
    if(NOT unformatted EQUAL 0)
        string(APPEND problems "  ${name}: not formatted (clang-format -i ${name})\n")
    endif()
    file(READ "${source}" text)
    string(REGEX REPLACE "[^\n]" "" newlines "${text}")
    string(LENGTH "${newlines}" count)
    if(count GREATER max_lines)
        string(APPEND problems "  ${name}: ${count} lines, more than ${max_lines}: split it by concept\n")
    endif()
endforeach()

list(LENGTH sources checked)
if(problems)
    message(FATAL_ERROR "house rules broken in ${SOURCE_DIR}:\n${problems}")
endif()
message(STATUS "${checked} sources formatted and at most ${max_lines} lines each")
