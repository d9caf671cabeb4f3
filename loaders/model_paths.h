// Finding the shared model files.
//
// Search order: an explicit folder (the CLI's --models), then the FACET_MODELS environment
// variable, then ../shared/models beside the source checkout (compiled in), then ../shared/models
// relative to the current directory and to the executable's folder and its parents, then
// ~/.cache/facet/models (where tools/fetch-models puts files by default).
#pragma once

#include <string>
#include <vector>

namespace facet::loaders {

// The folders that are searched, in order (existing or not).
std::vector<std::string> model_search_path(const std::string& explicit_dir = "");

// The first folder of the search path that exists, or "" if none does.
std::string find_models_dir(const std::string& explicit_dir = "");

// Resolves a model file: an existing path is returned as is; otherwise `relative` is looked up in
// every folder of the search path. Throws facet::Error listing the folders tried.
std::string resolve_model_file(const std::string& relative, const std::string& explicit_dir = "");

}  // namespace facet::loaders
