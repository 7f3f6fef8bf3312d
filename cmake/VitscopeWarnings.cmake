# vitscope_set_warnings(target): the project's warning set, as errors with VITSCOPE_WERROR.
function(vitscope_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                           -Wno-unused-parameter $<$<BOOL:${VITSCOPE_WERROR}>:-Werror>)
endfunction()
