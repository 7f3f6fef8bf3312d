# Finds just the OpenCV modules vitscope uses (core, imgproc) and makes OpenCV::core /
# OpenCV::imgproc targets. Debian ships OpenCVConfig.cmake only in libopencv-dev, which drags in
# every module (dnn, video, contrib, VTK...); the two -dev packages we need are a fraction of that.
# (imgcodecs is not used: on Debian it links GDAL, GDCM, poppler and ~120 more libraries, which
# cost every process ~48 MB of resident memory and ~110 ms of start-up; core/image/decoders.cpp
# calls libpng, libjpeg-turbo, libwebp and libtiff directly.)
find_path(OpenCVMinimal_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
foreach(module core imgproc)
    find_library(OpenCVMinimal_${module}_LIBRARY NAMES opencv_${module})
    list(APPEND _ocv_libs OpenCVMinimal_${module}_LIBRARY)
endforeach()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenCVMinimal REQUIRED_VARS OpenCVMinimal_INCLUDE_DIR ${_ocv_libs})
if(OpenCVMinimal_FOUND)
    foreach(module core imgproc)
        if(NOT TARGET OpenCV::${module})
            add_library(OpenCV::${module} UNKNOWN IMPORTED)
            set_target_properties(OpenCV::${module} PROPERTIES
                IMPORTED_LOCATION "${OpenCVMinimal_${module}_LIBRARY}"
                INTERFACE_INCLUDE_DIRECTORIES "${OpenCVMinimal_INCLUDE_DIR}")
        endif()
    endforeach()
endif()
