# vitscope: the desktop window, a thin main over vitscope::ui.
qt_add_executable(vitscope ${CMAKE_CURRENT_SOURCE_DIR}/main_gui.cpp)
target_link_libraries(vitscope PRIVATE vitscope::ui)
# The source tree's resources (bundled model, samples) for running from the build tree; an
# installed vitscope looks in ../share/vitscope/resources next to the executable instead.
target_compile_definitions(vitscope PRIVATE
    VITSCOPE_RESOURCES="${PROJECT_SOURCE_DIR}/resources"
    VITSCOPE_VERSION="${PROJECT_VERSION}")
vitscope_set_warnings(vitscope)
install(TARGETS vitscope RUNTIME DESTINATION bin)
