// The chip descriptions in chips/, compiled into the program by CMake (hw_model/CMakeLists.txt
// generates shipped_chips.cpp from every chips/*.json), so `--model NAME` works from any directory.
// Read them through chip_description.hpp; this is only the raw text.
#pragma once

#include <span>
#include <string_view>

namespace hf::hw {

struct ShippedChipFile {
    std::string_view file_name;  // "bm1397.json"
    std::string_view json;
};

std::span<const ShippedChipFile> shipped_chip_files();

}  // namespace hf::hw
