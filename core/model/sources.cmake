file(READ ${PROJECT_SOURCE_DIR}/resources/labels/imagenet-1k-labels.txt VITSCOPE_IMAGENET_LABELS)
configure_file(${CMAKE_CURRENT_LIST_DIR}/imagenet_labels.cpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/imagenet_labels.cpp @ONLY)
target_sources(vitscope_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/vit_config.cpp
    ${CMAKE_CURRENT_LIST_DIR}/layers.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gemm.cpp
    ${CMAKE_CURRENT_LIST_DIR}/attention_stack.cpp
    ${CMAKE_CURRENT_LIST_DIR}/memory_plan.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pos_interp.cpp
    ${CMAKE_CURRENT_LIST_DIR}/vit_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tensor_names.cpp
    ${CMAKE_CURRENT_LIST_DIR}/token_names.cpp
    ${CMAKE_CURRENT_LIST_DIR}/config_io.cpp
    ${CMAKE_CURRENT_LIST_DIR}/weights_binding.cpp
    ${CMAKE_CURRENT_LIST_DIR}/google_npz.cpp
    ${CMAKE_CURRENT_LIST_DIR}/model_loader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/synthetic_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/workspace_pool.cpp
    ${CMAKE_CURRENT_BINARY_DIR}/imagenet_labels.cpp)
