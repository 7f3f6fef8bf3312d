target_sources(vitscope_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/data_export.cpp
    ${CMAKE_CURRENT_LIST_DIR}/file_util.cpp
    ${CMAKE_CURRENT_LIST_DIR}/idx.cpp
    ${CMAKE_CURRENT_LIST_DIR}/mapped_file.cpp
    ${CMAKE_CURRENT_LIST_DIR}/npy.cpp
    ${CMAKE_CURRENT_LIST_DIR}/npz.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pickle_guard.cpp
    ${CMAKE_CURRENT_LIST_DIR}/resource_locator.cpp
    ${CMAKE_CURRENT_LIST_DIR}/safetensors.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tensor_store.cpp
)
# The locator's build-tree fallback: the source tree's resources/, for executables inside this
# build folder only (an installed tree uses its own share/vitscope/resources).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/resource_locator.cpp PROPERTIES
    COMPILE_DEFINITIONS "VITSCOPE_SOURCE_RESOURCES=\"${PROJECT_SOURCE_DIR}/resources\";VITSCOPE_BUILD_DIR=\"${PROJECT_BINARY_DIR}\"")
