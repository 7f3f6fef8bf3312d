# Installs the build into a temporary prefix and runs the installed vitscope-cli from a working
# folder outside the source and build trees. It must classify the installed T-shirt sample with
# the installed model, and `info --json` must report a model path under the prefix: the
# installed program finds its own share/vitscope/resources and never reads the source tree.
#   cmake -DBUILD_DIR=<build> -DSOURCE_DIR=<source> -DGUI=<ON|OFF> -P check_install.cmake
foreach(var BUILD_DIR SOURCE_DIR GUI)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "check_install.cmake: -D${var}=... is required")
    endif()
endforeach()

# A fresh staging folder in the system's temporary folder, outside both trees, so that the
# locator's build-tree fallback cannot apply.
if(DEFINED ENV{TMPDIR} AND IS_DIRECTORY "$ENV{TMPDIR}")
    set(tmp "$ENV{TMPDIR}")
else()
    set(tmp "/tmp")
endif()
string(RANDOM LENGTH 10 suffix)
file(REAL_PATH "${tmp}" tmp)
set(staging "${tmp}/vitscope-install-${suffix}")
file(REAL_PATH "${SOURCE_DIR}" source)
file(REAL_PATH "${BUILD_DIR}" build)
foreach(tree "${source}" "${build}")
    string(FIND "${staging}/" "${tree}/" at)
    if(at EQUAL 0)
        message(FATAL_ERROR "staging folder ${staging} is inside ${tree}: set TMPDIR elsewhere")
    endif()
endforeach()
set(prefix "${staging}/prefix")
set(workdir "${staging}/elsewhere")
file(MAKE_DIRECTORY "${workdir}")

function(run what)
    execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${workdir}"
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}\n(staging kept in ${staging})")
    endif()
    set(out "${out}" PARENT_SCOPE)
endfunction()

run("cmake --install" "${CMAKE_COMMAND}" --install "${build}" --prefix "${prefix}")

set(resources "${prefix}/share/vitscope/resources")
set(expected
    bin/vitscope-cli
    share/vitscope/resources/models/fashion-mnist-vit/config.json
    share/vitscope/resources/models/fashion-mnist-vit/model.safetensors
    share/vitscope/resources/samples/fashion-mnist/0-t-shirt-top.png
    share/vitscope/resources/labels/imagenet-1k-labels.txt)
if(GUI)
    list(APPEND expected bin/vitscope)
endif()
foreach(f ${expected})
    if(NOT EXISTS "${prefix}/${f}")
        message(FATAL_ERROR "cmake --install did not install ${f} (staging kept in ${staging})")
    endif()
endforeach()

set(cli "${prefix}/bin/vitscope-cli")
run("installed vitscope-cli predict" "${cli}" predict
    --image "${resources}/samples/fashion-mnist/0-t-shirt-top.png")
string(FIND "${out}" "T-shirt/top" at)
if(at LESS 0)
    message(FATAL_ERROR "installed vitscope-cli predict does not name T-shirt/top:\n${out}")
endif()

run("installed vitscope-cli info --json" "${cli}" info --json)
string(JSON model GET "${out}" path)
file(REAL_PATH "${model}" model)
string(FIND "${model}/" "${prefix}/" at)
if(NOT at EQUAL 0)
    message(FATAL_ERROR "installed vitscope-cli uses the model ${model}, not the one under ${prefix}")
endif()

if(GUI)
    # The figure export's default model and Qt's offscreen platform, from the installed tree.
    run("installed vitscope-cli export" ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
        "${cli}" export --figure posembed-similarity --out "${workdir}/posembed.png")
    if(NOT EXISTS "${workdir}/posembed.png")
        message(FATAL_ERROR "installed vitscope-cli export wrote no posembed.png")
    endif()
    run("installed vitscope --version" ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
        "${prefix}/bin/vitscope" --version)
endif()

message(STATUS "installed into ${prefix}; vitscope-cli found its model at ${model}")
file(REMOVE_RECURSE "${staging}")
