target_sources(vitscope_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/decoders.cpp
    ${CMAKE_CURRENT_LIST_DIR}/exif_orientation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/image_header.cpp
    ${CMAKE_CURRENT_LIST_DIR}/image_io.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pillow_resize.cpp
    ${CMAKE_CURRENT_LIST_DIR}/preprocess.cpp)
