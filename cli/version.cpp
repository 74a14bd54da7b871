#include "cli/version.hpp"

#include "core/sha256_impl.hpp"

#ifndef HASHFORGE_VERSION
#define HASHFORGE_VERSION "unknown"
#endif

namespace hf::cli {

const char* version_number() { return HASHFORGE_VERSION; }

std::string version_text() {
    std::string out = "hashforge " HASHFORGE_VERSION "\ncompiler: g++ " __VERSION__ "\nsha256 implementations:";
    for (const auto& impl : sha256::implementations()) {
        out += ' ';
        out += impl.name;
    }
    return out;
}

}  // namespace hf::cli
