target_sources(vitscope_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/attention_distance.cpp
    ${CMAKE_CURRENT_LIST_DIR}/attention_maps.cpp
    ${CMAKE_CURRENT_LIST_DIR}/colormap.cpp
    ${CMAKE_CURRENT_LIST_DIR}/embedding_filters.cpp
    ${CMAKE_CURRENT_LIST_DIR}/experiments.cpp
    ${CMAKE_CURRENT_LIST_DIR}/head_fusion.cpp
    ${CMAKE_CURRENT_LIST_DIR}/lab_results.cpp
    ${CMAKE_CURRENT_LIST_DIR}/map_display.cpp
    ${CMAKE_CURRENT_LIST_DIR}/patch_grid.cpp
    ${CMAKE_CURRENT_LIST_DIR}/posembed_similarity.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rollout.cpp
    ${CMAKE_CURRENT_LIST_DIR}/source_mapping.cpp
)
