# core/io: checkpoint and data-file parsers (fixtures: tools/make_bad_fixtures.py).
vitscope_add_test(tst_safetensors SOURCES tst_safetensors.cpp LIBS vitscope::core)
vitscope_add_test(tst_npy_npz SOURCES tst_npy_npz.cpp LIBS vitscope::core)
vitscope_add_test(tst_idx SOURCES tst_idx.cpp LIBS vitscope::core)
vitscope_add_test(tst_pickle_guard SOURCES tst_pickle_guard.cpp LIBS vitscope::core)
