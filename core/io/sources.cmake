target_sources(vitscope_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/data_export.cpp
    ${CMAKE_CURRENT_LIST_DIR}/file_util.cpp
    ${CMAKE_CURRENT_LIST_DIR}/idx.cpp
    ${CMAKE_CURRENT_LIST_DIR}/mapped_file.cpp
    ${CMAKE_CURRENT_LIST_DIR}/npy.cpp
    ${CMAKE_CURRENT_LIST_DIR}/npz.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pickle_guard.cpp
    ${CMAKE_CURRENT_LIST_DIR}/safetensors.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tensor_store.cpp
)
