# -DFACET_EMBED_MODELS=ON: compile the face model files into facet_models.
#
# A small host program (cmake/embed_gen.cpp, built first) reads each file from FACET_MODELS_DIR
# and writes ${CMAKE_BINARY_DIR}/generated/facet_embedded_models.cpp, which holds every file as a
# byte array; the source lives in the build folder only, never in the repository. The arrays are
# found at run time through models/embedded_models.h, and FacePipeline / `facet face` / the C API
# use them for the model folder name "embedded" or when no model folder is found.
#
# Regenerated when a model file or the generator changes. Cross-compiling: the generator must
# run on the build host; pass -DFACET_EMBED_GEN=/path/to/host/facet_embed_gen.

get_filename_component(_facet_default_models "${CMAKE_CURRENT_SOURCE_DIR}/../shared/models" ABSOLUTE)
set(FACET_MODELS_DIR "${_facet_default_models}" CACHE PATH
    "Folder whose face models -DFACET_EMBED_MODELS=ON compiles in")

# The face pipeline's files (models/face_pipeline.h FaceModelPaths defaults), ~7.5 MB.
set(FACET_EMBED_FILES
    detection/yunet_s_dynamic.onnx
    detection/ultraface_rfb_320x240_simplified.onnx
    tddfa/tddfa_v2_mb05_120x120.onnx
    tddfa/bfm68_u_base.f32
    tddfa/bfm68_w_shp_base.f32
    tddfa/bfm68_w_exp_base.f32
    tddfa/param_mean_62.f32
    tddfa/param_std_62.f32
    landmarks/pfld_ghostone_98pt_112x112.onnx)

set(_facet_embed_deps)
foreach(f ${FACET_EMBED_FILES})
  if(NOT EXISTS "${FACET_MODELS_DIR}/${f}")
    message(FATAL_ERROR "FACET_EMBED_MODELS: '${FACET_MODELS_DIR}/${f}' not found. "
                        "Set -DFACET_MODELS_DIR=<folder holding detection/, tddfa/, landmarks/> "
                        "(tools/fetch-models downloads them).")
  endif()
  list(APPEND _facet_embed_deps "${FACET_MODELS_DIR}/${f}")
endforeach()

if(FACET_EMBED_GEN)
  set(_facet_embed_gen "${FACET_EMBED_GEN}")
elseif(CMAKE_CROSSCOMPILING)
  message(FATAL_ERROR "FACET_EMBED_MODELS when cross-compiling: build cmake/embed_gen.cpp for "
                      "the host and pass -DFACET_EMBED_GEN=<path>")
else()
  add_executable(facet_embed_gen "${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed_gen.cpp")
  set(_facet_embed_gen facet_embed_gen)
  list(APPEND _facet_embed_deps facet_embed_gen)
endif()

set(_facet_embed_out "${CMAKE_BINARY_DIR}/generated/facet_embedded_models.cpp")
file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/generated")
add_custom_command(
  OUTPUT "${_facet_embed_out}"
  COMMAND ${_facet_embed_gen} "${_facet_embed_out}" "${FACET_MODELS_DIR}" ${FACET_EMBED_FILES}
  DEPENDS ${_facet_embed_deps}
  COMMENT "Embedding the face models from ${FACET_MODELS_DIR}"
  VERBATIM)
target_sources(facet_models PRIVATE "${_facet_embed_out}")
# Only the table's user needs to know; -O0 is enough for a file of constant data and keeps the
# compile short.
set_source_files_properties("${CMAKE_CURRENT_SOURCE_DIR}/models/embedded_models.cpp"
                            PROPERTIES COMPILE_DEFINITIONS FACET_EMBED_MODELS=1)
set_source_files_properties("${_facet_embed_out}" PROPERTIES COMPILE_OPTIONS "-O0;-g0")
