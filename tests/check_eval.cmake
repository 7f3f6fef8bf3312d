# Runs `vitscope-cli eval` on the full Fashion-MNIST test set and compares its top-1 accuracy with
# the PyTorch accuracy recorded in the model's config.json, to within 0.1 percentage point: the
# trained accuracy (vitscope_training.test_top1_percent), or with -DVARIANT=KEY and -DFLAGS=...
# (comma-separated, e.g. "--no-positions,--shuffle-patches") the test-time ablation PyTorch recorded under
# vitscope_lab.test_time_ablation.top1_percent.KEY. -DMIN_TOP1=N also requires at least N %.
# Fails (never skips) when the data set is not installed.
foreach(f t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
    if(NOT EXISTS "${DATA}/${f}")
        message(FATAL_ERROR "${DATA}/${f} missing: apt-get install dataset-fashion-mnist (tools/setup.sh does)")
    endif()
endforeach()
string(REPLACE "," ";" FLAGS "${FLAGS}")
execute_process(COMMAND "${CLI}" eval --model "${MODEL}" --idx-images "${DATA}/t10k-images-idx3-ubyte.gz"
                        --idx-labels "${DATA}/t10k-labels-idx1-ubyte.gz" ${FLAGS} --json
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "vitscope-cli eval failed (${rc}): ${err}")
endif()
string(JSON images GET "${out}" images)
string(JSON cpp GET "${out}" top1_percent)
string(JSON speed GET "${out}" images_per_second)
file(READ "${MODEL}/config.json" config)
if(DEFINED VARIANT)
    string(JSON torch GET "${config}" vitscope_lab test_time_ablation top1_percent ${VARIANT})
else()
    string(JSON torch GET "${config}" vitscope_training test_top1_percent)
endif()
if(NOT images EQUAL 10000)
    message(FATAL_ERROR "evaluated ${images} images, expected the 10000 of the test set")
endif()
math(EXPR cppMilli "0")  # CMake has no float arithmetic: compare in hundredths of a point
string(REGEX REPLACE "^([0-9]+)\\.([0-9][0-9]).*" "\\1\\2" cppHundredths "${cpp}00")
string(REGEX REPLACE "^([0-9]+)\\.([0-9][0-9]).*" "\\1\\2" torchHundredths "${torch}00")
math(EXPR diff "${cppHundredths} - ${torchHundredths}")
if(diff LESS 0)
    math(EXPR diff "0 - ${diff}")
endif()
message(STATUS "C++ top-1 ${cpp}% vs PyTorch ${torch}% (|diff| = ${diff} hundredths of a point), ${speed} images/s")
if(diff GREATER 10)
    message(FATAL_ERROR "C++ accuracy ${cpp}% differs from the recorded PyTorch accuracy ${torch}% by more than 0.1 point")
endif()
if(DEFINED MIN_TOP1 AND cppHundredths LESS ${MIN_TOP1}00)
    message(FATAL_ERROR "C++ accuracy ${cpp}% is below the required ${MIN_TOP1}%")
endif()
