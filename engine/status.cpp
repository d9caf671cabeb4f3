#include "engine/status.h"

namespace facet {

void fail(const std::string& msg) { throw Error(msg); }

}  // namespace facet
