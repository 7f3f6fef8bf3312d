target_sources(vitscope_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/image_io.cpp
    ${CMAKE_CURRENT_LIST_DIR}/preprocess.cpp)
