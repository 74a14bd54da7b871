// The comparison as a whole: rows plus the notes that explain them (skipped backends, why power
// was not measured), rendered as a text table, JSON, or an SVG chart.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bench/joules/joules_row.hpp"

namespace hf::joules {

struct JoulesReport {
    std::string machine;              // e.g. "AMD EPYC, 2 cores, sha avx2"
    std::string generated;            // UTC date and time
    std::vector<JoulesRow> rows;
    std::vector<std::string> notes;   // shown under the table and in the JSON
};

// Fixed-width table, one line per row, then a numbered source line for every row.
std::string render_table(const JoulesReport& report);

nlohmann::json report_to_json(const JoulesReport& report);

// Rows in the order the chart and table show them: CPU, GPU-style, GPU, FPGA, ASIC; published
// machines by year within an era, then this machine's and the models'.
std::vector<JoulesRow> rows_in_display_order(const std::vector<JoulesRow>& rows);

}  // namespace hf::joules
