// The C API (include/facet.h): a thin layer that catches every exception.
#include "facet.h"

#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "engine/session.h"
#include "engine/status.h"
#include "loaders/onnx_loader.h"

struct facet_model {
  std::shared_ptr<facet::Graph> graph;
};

struct facet_session {
  std::unique_ptr<facet::Session> session;
  std::vector<facet::Tensor> inputs;
  std::vector<facet::Tensor> outputs;
};

namespace {

thread_local std::string g_last_error;

facet_status set_error(facet_status code, const std::string& msg) {
  g_last_error = msg;
  return code;
}

// Runs fn, mapping exceptions to status codes.
template <class Fn>
facet_status guarded(facet_status error_code, Fn&& fn) {
  try {
    g_last_error.clear();
    fn();
    return FACET_OK;
  } catch (const facet::Error& e) {
    return set_error(error_code, e.what());
  } catch (const std::bad_alloc&) {
    return set_error(FACET_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return set_error(FACET_ERROR_INTERNAL, e.what());
  } catch (...) {
    return set_error(FACET_ERROR_INTERNAL, "unknown error");
  }
}

}  // namespace

extern "C" {

const char* facet_last_error(void) { return g_last_error.c_str(); }
const char* facet_version(void) { return "0.1.0"; }

facet_status facet_model_load_file(const char* path, facet_model** out) {
  if (!path || !out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  return guarded(FACET_ERROR_LOAD, [&] {
    auto m = std::make_unique<facet_model>();
    m->graph = facet::loaders::load_onnx_file(path);
    *out = m.release();
  });
}

facet_status facet_model_load_memory(const void* data, size_t size, const char* name,
                                     facet_model** out) {
  if (!data || !out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  return guarded(FACET_ERROR_LOAD, [&] {
    auto m = std::make_unique<facet_model>();
    m->graph = facet::loaders::load_onnx_bytes(static_cast<const uint8_t*>(data), size,
                                               name ? name : "<memory>");
    *out = m.release();
  });
}

void facet_model_free(facet_model* model) { delete model; }

size_t facet_model_input_count(const facet_model* model) {
  return model ? model->graph->inputs.size() : 0;
}
size_t facet_model_output_count(const facet_model* model) {
  return model ? model->graph->outputs.size() : 0;
}
const char* facet_model_input_name(const facet_model* model, size_t i) {
  if (!model || i >= model->graph->inputs.size()) return nullptr;
  return model->graph->values[static_cast<size_t>(model->graph->inputs[i])].name.c_str();
}
const char* facet_model_output_name(const facet_model* model, size_t i) {
  if (!model || i >= model->graph->outputs.size()) return nullptr;
  return model->graph->values[static_cast<size_t>(model->graph->outputs[i])].name.c_str();
}

facet_status facet_session_create(const facet_model* model, int threads, facet_session** out) {
  if (!model || !out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  return guarded(FACET_ERROR_INTERNAL, [&] {
    auto s = std::make_unique<facet_session>();
    facet::SessionOptions opts;
    opts.threads = threads;
    s->session = std::make_unique<facet::Session>(model->graph, opts);
    s->inputs.resize(model->graph->inputs.size());
    *out = s.release();
  });
}

void facet_session_free(facet_session* session) { delete session; }

facet_status facet_session_set_input(facet_session* session, size_t i, facet_dtype dtype,
                                     const int64_t* dims, size_t rank, const void* data) {
  if (!session || (rank && !dims))
    return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  if (i >= session->inputs.size())
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("input index ", i, " out of range (the model has ",
                                    session->inputs.size(), " inputs)"));
  if (dtype != FACET_FLOAT32 && dtype != FACET_INT64)
    return set_error(FACET_ERROR_INVALID_ARGUMENT, "dtype must be FACET_FLOAT32 or FACET_INT64");
  return guarded(FACET_ERROR_INVALID_ARGUMENT, [&] {
    facet::Shape shape(dims, dims + rank);
    facet::Tensor t = facet::Tensor::empty(static_cast<facet::DType>(dtype), shape);
    FACET_CHECK(t.nbytes() == 0 || data != nullptr, "null data for a non-empty input");
    if (t.nbytes()) std::memcpy(t.raw(), data, t.nbytes());
    session->inputs[i] = std::move(t);
  });
}

facet_status facet_session_run(facet_session* session) {
  if (!session) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null session");
  return guarded(FACET_ERROR_RUN, [&] { session->outputs = session->session->run(session->inputs); });
}

facet_status facet_session_get_output(facet_session* session, size_t i, facet_dtype* dtype,
                                      int64_t* dims, size_t max_rank, size_t* rank,
                                      const void** data) {
  if (!session) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null session");
  if (i >= session->outputs.size())
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("output index ", i, " out of range (", session->outputs.size(),
                                    " outputs available; did facet_session_run succeed?)"));
  const facet::Tensor& t = session->outputs[i];
  if (dtype) *dtype = static_cast<facet_dtype>(t.dtype());
  if (rank) *rank = static_cast<size_t>(t.rank());
  if (dims)
    for (size_t d = 0; d < max_rank && d < static_cast<size_t>(t.rank()); ++d)
      dims[d] = t.dim(static_cast<int>(d));
  if (data) *data = t.raw();
  return FACET_OK;
}

}  // extern "C"
