# core/image: decoding (tools/make_bad_images.py fixtures) and Pillow-exact preprocessing
# (tools/make_preprocess_fixtures.py fixtures).
vitscope_add_test(tst_image_io SOURCES tst_image_io.cpp LIBS vitscope::core)
vitscope_add_test(tst_preprocess SOURCES tst_preprocess.cpp LIBS vitscope::core)
