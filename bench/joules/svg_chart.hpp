// The evolution chart: one line per row, hashes per joule on a log axis, eras in colour, and the
// marker's shape/fill saying where the power figure came from (measured, declared, assumed,
// modeled, published). Self-contained SVG 1.1, readable without the table.
#pragma once

#include <string>

#include "bench/joules/joules_report.hpp"

namespace hf::joules {

std::string render_svg(const JoulesReport& report);

// Escapes &, <, >, " and ' for XML text and attribute values.
std::string xml_escape(const std::string& s);

}  // namespace hf::joules
