# The window (issue 4): offscreen Qt Test suites that drive the real MainWindow.
vitscope_add_test(tst_main_window SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_main_window.cpp
                  LIBS vitscope::ui LABELS ui)
# The one background-job helper: restart, cancel, GUI-thread delivery, waiting destructor.
vitscope_add_test(tst_job_runner SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_job_runner.cpp
                  LIBS vitscope::ui LABELS ui)
# The model panel's guessed-settings box and its reload, through the real MainWindow.
vitscope_add_test(tst_model_panel SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_model_panel.cpp
                  LIBS vitscope::ui LABELS ui)
