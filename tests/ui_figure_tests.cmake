# Issue 5: figure export, the spatial-bias experiments, the bundled model's inductive bias and
# `vitscope-cli export` smoke tests. Included from tests/CMakeLists.txt.
vitscope_add_test(tst_experiments SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_experiments.cpp
                  LIBS vitscope::core LABELS experiments)
vitscope_add_test(tst_bundled_inductive_bias SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_bundled_inductive_bias.cpp
                  LIBS vitscope::core LABELS bundled-model)
if(TARGET vitscope_ui)
    vitscope_add_test(tst_figures SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_figures.cpp
                      LIBS vitscope::ui LABELS figures)
endif()

# vitscope-cli export on the bundled model: the three Figure 7 panels (the README's pictures)
# and the numbers, in every format.
if(TARGET vitscope-cli AND TARGET vitscope_ui)
    set(_model ${VITSCOPE_RESOURCES}/models/fashion-mnist-vit)
    set(_image ${VITSCOPE_TEST_DATA}/images/grey16.png)
    set(_out ${CMAKE_CURRENT_BINARY_DIR}/cli_export)
    file(MAKE_DIRECTORY ${_out})
    foreach(_case
            "posembed-similarity;png" "posembed-similarity;svg" "posembed-similarity;npy"
            "attention-distance;pdf" "attention-distance;csv"
            "embedding-filters;png" "embedding-filters;npy"
            "attention;svg" "rollout;npy" "experiments;pdf")
        list(GET _case 0 _fig)
        list(GET _case 1 _ext)
        add_test(NAME cli_export_${_fig}_${_ext}
                 COMMAND vitscope-cli export --model ${_model} --image ${_image} --figure ${_fig}
                         --out ${_out}/${_fig}.${_ext})
        set_tests_properties(cli_export_${_fig}_${_ext} PROPERTIES
                             ENVIRONMENT "QT_QPA_PLATFORM=offscreen" LABELS "cli;figures")
    endforeach()
    add_test(NAME cli_export_bad_figure
             COMMAND vitscope-cli export --model ${_model} --figure nope --out ${_out}/x.png)
    set_tests_properties(cli_export_bad_figure PROPERTIES WILL_FAIL TRUE LABELS cli)
    add_test(NAME cli_export_bad_image
             COMMAND vitscope-cli export --model ${_model} --image ${VITSCOPE_TEST_DATA}/bad/nope.png
                     --figure attention --out ${_out}/x.png)
    set_tests_properties(cli_export_bad_image PROPERTIES WILL_FAIL TRUE LABELS cli)
endif()
