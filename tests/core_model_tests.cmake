vitscope_add_test(tst_model_golden SOURCES tst_model_golden.cpp test_util.h LIBS vitscope::core LABELS core)
vitscope_add_test(tst_model_loader SOURCES tst_model_loader.cpp test_util.h LIBS vitscope::core LABELS core)
vitscope_add_test(tst_pos_interp SOURCES tst_pos_interp.cpp LIBS vitscope::core LABELS core)
vitscope_add_test(tst_bundled_model SOURCES tst_bundled_model.cpp test_util.h LIBS vitscope::core LABELS core)
