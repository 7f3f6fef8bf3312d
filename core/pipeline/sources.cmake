target_sources(vitscope_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/run.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dataset.cpp
)
