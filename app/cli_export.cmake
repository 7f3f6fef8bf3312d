# `vitscope-cli export` (issue 5). Included from app/cli.cmake after the vitscope-cli target
# exists. The figures live in vitscope_ui; without it (VITSCOPE_BUILD_GUI=OFF) the command is
# compiled as a stub that says so.
target_sources(vitscope-cli PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/cli_export.cpp)
if(TARGET vitscope_ui)
    target_link_libraries(vitscope-cli PRIVATE vitscope::ui)
else()
    target_compile_definitions(vitscope-cli PRIVATE VITSCOPE_NO_FIGURE_EXPORT)
endif()
