#include "bench/joules/joules_report.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hf::joules {
namespace {

int era_rank(const JoulesRow& r) {
    if (r.era == "cpu") return 0;
    if (r.era == "gpu-style") return 1;
    if (r.era == "gpu" || r.era == "gpu-model") return 2;
    if (r.era == "fpga") return 3;
    if (r.era == "asic") return 4;
    return 5;
}

int origin_rank(const JoulesRow& r) {
    switch (r.hashrate_source) {
        case HashrateSource::Reference: return 0;
        case HashrateSource::Measured: return 1;
        case HashrateSource::Modeled: return 2;
    }
    return 3;
}

std::string pad(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string lpad(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

std::vector<JoulesRow> rows_in_display_order(const std::vector<JoulesRow>& rows) {
    std::vector<JoulesRow> out = rows;
    std::stable_sort(out.begin(), out.end(), [](const JoulesRow& a, const JoulesRow& b) {
        if (era_rank(a) != era_rank(b)) return era_rank(a) < era_rank(b);
        if (origin_rank(a) != origin_rank(b)) return origin_rank(a) < origin_rank(b);
        if (a.year != b.year) return a.year < b.year;
        return false;  // keep measurement order (1 thread before all cores)
    });
    return out;
}

std::string render_table(const JoulesReport& report) {
    const auto rows = rows_in_display_order(report.rows);
    struct Col {
        std::string title;
        bool right;
    };
    const std::vector<Col> cols = {{"era", false},   {"backend or design", false}, {"thr", true},
                                   {"hashrate", true}, {"power", true},           {"power is", false},
                                   {"J/TH", true},   {"hashes/J", true},         {"vs scalar", true},
                                   {"src", true}};
    std::vector<std::vector<std::string>> cells;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        char w[32];
        std::snprintf(w, sizeof w, "%.1f W", r.watts);
        cells.push_back({era_label(r), r.year ? r.name + std::string(" (").append(std::to_string(r.year)).append(")") : r.name,
                         r.threads ? std::to_string(r.threads) : "", hashrate_text(r.hashrate),
                         r.watts >= 1000 ? format_si(r.watts, "W") : std::string(w),
                         std::string(power_source_name(r.power_source)),
                         r.valid() ? format_si(r.joules_per_terahash(), "J/TH") : "n/a",
                         r.valid() ? format_si(r.hashes_per_joule(), "H/J") : "n/a",
                         r.ratio_to_scalar ? format_ratio(*r.ratio_to_scalar) : "", std::string("[").append(std::to_string(i + 1)).append("]")});
    }
    std::vector<std::size_t> width(cols.size());
    for (std::size_t c = 0; c < cols.size(); ++c) {
        width[c] = cols[c].title.size();
        for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
    }
    std::ostringstream out;
    auto line = [&](const std::vector<std::string>& v) {
        std::string s;
        for (std::size_t c = 0; c < cols.size(); ++c) {
            if (c) s += "  ";
            s += cols[c].right ? lpad(v[c], width[c]) : pad(v[c], width[c]);
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        out << s << "\n";
    };
    std::vector<std::string> titles;
    for (const auto& c : cols) titles.push_back(c.title);
    line(titles);
    std::vector<std::string> rule;
    for (std::size_t c = 0; c < cols.size(); ++c) rule.push_back(std::string(width[c], '-'));
    line(rule);
    for (const auto& row : cells) line(row);
    out << "\nJ/TH: joules per 10^12 hashes. hashes/J: hashes per joule. vs scalar: hashes per joule relative to\n"
           "the scalar CPU backend on 1 thread. 'power is' says where every row's watts come from.\n";
    out << "\nSources:\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        out << "  [" << i + 1 << "] hashrate " << hashrate_source_name(r.hashrate_source) << ": " << r.source << "\n"
            << "      power " << power_source_name(r.power_source) << ": " << r.power_note << "\n";
    }
    if (!report.notes.empty()) {
        out << "\nNotes:\n";
        for (const auto& n : report.notes) out << "  - " << n << "\n";
    }
    return out.str();
}

nlohmann::json report_to_json(const JoulesReport& report) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : rows_in_display_order(report.rows)) rows.push_back(row_to_json(r));
    return {
        {"machine", report.machine},
        {"generated", report.generated},
        {"units", {{"hashrate", "H/s"}, {"watts", "W"}, {"joules_per_terahash", "J/TH"}, {"hashes_per_joule", "H/J"}}},
        {"rows", rows},
        {"notes", report.notes},
    };
}

}  // namespace hf::joules
