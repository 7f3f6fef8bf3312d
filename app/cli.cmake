# vitscope-cli: headless commands over vitscope_core; `export` draws with vitscope_ui offscreen.
add_executable(vitscope-cli
    ${CMAKE_CURRENT_LIST_DIR}/main_cli.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cli_args.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cli_session.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cli_commands.cpp)
target_link_libraries(vitscope-cli PRIVATE vitscope::core nlohmann_json::nlohmann_json)
target_include_directories(vitscope-cli PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(vitscope-cli PRIVATE VITSCOPE_RESOURCES="${PROJECT_SOURCE_DIR}/resources")
vitscope_set_warnings(vitscope-cli)
install(TARGETS vitscope-cli RUNTIME DESTINATION bin)
include(${CMAKE_CURRENT_LIST_DIR}/cli_export.cmake)
