#pragma once

#include <string>

namespace hf::cli {

// "hashforge 0.1.0" plus the compiler and the SHA-256 implementations compiled in.
std::string version_text();
// Just the number, "0.1.0" (user agents, API replies).
const char* version_number();

}  // namespace hf::cli
