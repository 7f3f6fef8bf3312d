# vitscope-cli as scripts use it: exit codes, outputs, and the bundled model's accuracy.
vitscope_add_test(tst_cli SOURCES tst_cli.cpp test_util.h LIBS vitscope::core LABELS cli)
target_compile_definitions(tst_cli PRIVATE VITSCOPE_CLI="$<TARGET_FILE:vitscope-cli>")
add_dependencies(tst_cli vitscope-cli)

# Issue 3's contract: the C++ core's accuracy on the full Fashion-MNIST test set equals the
# PyTorch accuracy recorded at training time to within 0.1 percentage point.
add_test(NAME cli_eval_fashion_mnist
         COMMAND ${CMAKE_COMMAND} -DCLI=$<TARGET_FILE:vitscope-cli>
                 -DMODEL=${PROJECT_SOURCE_DIR}/resources/models/fashion-mnist-vit
                 -DDATA=/usr/share/datasets/fashion-mnist
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/check_eval.cmake)
set_tests_properties(cli_eval_fashion_mnist PROPERTIES LABELS "cli;accuracy" TIMEOUT 900)
