# core/analysis: rollout, per-token maps, attention distance, position-embedding similarity,
# embedding-filter PCA, patch-grid geometry, colormaps.
vitscope_add_test(tst_rollout SOURCES tst_rollout.cpp LIBS vitscope::core)
vitscope_add_test(tst_attention_analysis SOURCES tst_attention_analysis.cpp analysis_test_util.h LIBS vitscope::core)
vitscope_add_test(tst_patch_grid SOURCES tst_patch_grid.cpp analysis_test_util.h LIBS vitscope::core)
