#include "cli/pipeline_html.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/pipeline_designs.hpp"
#include "cli/resources.hpp"
#include "cli/version.hpp"
#include "core/block_header.hpp"
#include "core/hex.hpp"
#include "hw_model/core_sim.hpp"

namespace hf::cli {
namespace {

using nlohmann::json;

// Clocks traced after the found strobe, and a cap for designs that would take long to find it.
constexpr unsigned kClocksAfterFound = 4;
constexpr unsigned kMaxClocks = 2000;

// One clock as the page reads it: [nonce counter, pass, found, found nonce, per stage: nonce index
// (-1 when the stage is empty), a, e of the first lane].
json snapshot(const hw::CycleCore& core, const StageViewer& view, std::uint32_t first) {
    json stages = json::array();
    for (unsigned s = 0; s < core.spec().stages.size(); ++s) {
        const auto v = view(core, s);
        stages.push_back(v.valid ? static_cast<std::int64_t>(v.nonce - first) : -1);
        stages.push_back(v.a);
        stages.push_back(v.e);
    }
    return json::array({core.nonce_counter(), core.phase(), core.found() ? 1 : 0, core.found_nonce(), std::move(stages)});
}

// The numbers the sweep table shows for one design.
json design_figures(const hw::CoreConfig& c, const PipelinePageOptions& o) {
    const hw::PipelineSpec spec = hw::build_pipeline(c);
    const auto e = hw::estimate_energy(spec, *o.node, {o.voltage, o.mhz}, hw::measure_toggles_per_clock(spec));
    return {{"describe", c.describe()},
            {"flags", pipeline_flags(c)},
            {"stages", spec.stages.size()},
            {"register_bits", spec.hardware.register_bits},
            {"adders", spec.hardware.adders32},
            {"latency", spec.latency_clocks},
            {"hashes_per_clock", spec.hashes_per_clock},
            {"mhz", e.clock_mhz},
            {"area_mm2", e.area_mm2},
            {"power_mw", e.power_w * 1e3},
            {"j_per_th", e.joules_per_th()}};
}

// Runs the core from the picture's job until the found strobe (plus a few clocks), recording
// every clock from 0 (the job just loaded).
json trace_design(const std::string& label, const hw::CoreConfig& c, const PipelinePageOptions& o) {
    const hw::PipelineSpec spec = hw::build_pipeline(c);
    const std::uint32_t first = picture_first_nonce();
    hw::CycleCore core(spec, false);
    load_picture_job(core, c);
    const StageViewer view(spec);
    json clocks = json::array({snapshot(core, view, first)});
    std::optional<unsigned> found_clock;
    std::uint32_t found_nonce = 0;
    for (unsigned clock = 1; clock <= kMaxClocks; ++clock) {
        core.clock();
        clocks.push_back(snapshot(core, view, first));
        if (core.found() && !found_clock) {
            found_clock = clock;
            found_nonce = core.found_nonce();
        }
        if (found_clock && clock >= *found_clock + kClocksAfterFound) break;
    }
    json names = json::array();
    for (const auto& s : spec.stages) names.push_back(s.name());
    json d = design_figures(c, o);
    d["label"] = label;
    d["loop"] = c.loop;
    d["rounds_per_hash"] = spec.rounds_per_hash;
    d["stage_names"] = std::move(names);
    d["found_clock"] = found_clock ? json(*found_clock) : json(nullptr);
    d["found_nonce"] = found_nonce;
    d["clocks"] = std::move(clocks);
    return d;
}

struct Preset {
    const char* label;
    hw::CoreConfig config;
};

hw::CoreConfig make(unsigned rounds, unsigned loop, bool savings = true, unsigned midstates = 1) {
    hw::CoreConfig c;
    c.rounds_per_stage = rounds;
    c.loop = loop;
    c.midstates = midstates;
    c.midstate_from_host = c.precompute_job_rounds = c.hardwire_padding = c.cut_final_rounds = savings;
    return c;
}

// Fully unrolled, partly unrolled, looped; with and without the ASIC savings; version rolling.
std::vector<Preset> presets() {
    return {{"fully unrolled: 1 round per stage", make(1, 1)},
            {"partly unrolled: 8 rounds per stage", make(8, 1)},
            {"partly unrolled and looped: 4 rounds x 4 passes", make(4, 4)},
            {"looped: one stage per compression, 64 passes", make(1, 64)},
            {"4 rounds per stage, with the ASIC savings", make(4, 1)},
            {"4 rounds per stage, without the ASIC savings", make(4, 1, false)},
            {"version rolling: 4 midstates share a schedule", make(1, 1, true, 4)}};
}

json joules_rows(const PipelinePageOptions& o) {
    std::string text, origin;
    if (o.joules_path) {
        std::ifstream in(*o.joules_path, std::ios::binary);
        if (!in) throw std::invalid_argument("--joules: cannot open '" + *o.joules_path + "'");
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
        origin = *o.joules_path;
    } else {
        text = std::string(resources::joules_report());
        origin = "docs/joules.json, built into this hashforge";
    }
    json report;
    try {
        report = json::parse(text);
    } catch (const json::parse_error& e) {
        throw std::invalid_argument("joules report " + origin + ": not valid JSON: " + e.what());
    }
    if (!report.is_object() || !report.contains("rows") || !report["rows"].is_array())
        throw std::invalid_argument("joules report " + origin + ": no \"rows\" array (expected `hashforge bench --joules --json` output)");
    json rows = json::array();
    for (const auto& r : report["rows"]) {
        if (!r.is_object() || !r.contains("hashes_per_joule") || !r["hashes_per_joule"].is_number() || !r.contains("name"))
            throw std::invalid_argument("joules report " + origin + ": a row without \"name\" and \"hashes_per_joule\"");
        json row = json::object();
        for (const char* k : {"era", "name", "year", "threads", "hashrate", "watts", "hashes_per_joule", "joules_per_terahash",
                              "hashrate_source", "power_source", "power_note", "source"})
            if (r.contains(k)) row[k] = r[k];
        rows.push_back(std::move(row));
    }
    return {{"origin", origin},
            {"generated", report.value("generated", "")},
            {"machine", report.value("machine", "")},
            {"notes", report.value("notes", json::array())},
            {"rows", std::move(rows)}};
}

}  // namespace

json pipeline_page_data(const PipelinePageOptions& o) {
    const std::string chosen_flags = pipeline_flags(o.chosen);
    json designs = json::array();
    std::size_t selected = 0;
    bool chosen_is_preset = false;
    for (const auto& p : presets()) chosen_is_preset |= pipeline_flags(p.config) == chosen_flags;
    if (!chosen_is_preset) designs.push_back(trace_design("your design: " + chosen_flags, o.chosen, o));
    for (const auto& p : presets()) {
        if (pipeline_flags(p.config) == chosen_flags) selected = designs.size();
        designs.push_back(trace_design(p.label, p.config, o));
    }

    json sweep = json::array();
    bool chosen_in_sweep = false;
    auto add = [&](const hw::CoreConfig& c, const char* group) {
        json row = design_figures(c, o);
        row["group"] = group;
        row["chosen"] = row["flags"] == chosen_flags;
        chosen_in_sweep |= row["chosen"].get<bool>();
        sweep.push_back(std::move(row));
    };
    for (const auto& c : design_grid()) add(c, "unrolling and looping");
    for (const auto& c : saving_variants()) add(c, "the ASIC savings, one at a time");
    if (!chosen_in_sweep) add(o.chosen, "your design");

    return {{"generator", "hashforge " + std::string(version_number()) + " pipeline --html"},
            {"job", {{"header", "Bitcoin genesis block"},
                     {"first_nonce", picture_first_nonce()},
                     {"genesis_nonce", kGenesisNonce},
                     {"comparator", "difficulty 1 (32 leading zero bits)"}}},
            {"energy", {{"node", o.node->name}, {"voltage", o.voltage}, {"mhz", o.mhz}, {"source", "modeled (hw_model/energy_model.cpp, calibrated on the Antminer S9)"}}},
            {"selected", selected},
            {"designs", std::move(designs)},
            {"sweep", std::move(sweep)},
            {"joules", joules_rows(o)}};
}

std::string pipeline_page_html(const json& data) {
    std::string page(resources::pipeline_page());
    // Inside a <script> element "</" would end it early: JSON allows "<\/" for the same text.
    std::string text = data.dump();
    for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) text.replace(at, 2, "<\\/");
    const std::string marker = "/*HASHFORGE_DATA*/null";
    const auto at = page.find(marker);
    if (at == std::string::npos) throw std::logic_error("pipeline.html has no data marker");
    return page.replace(at, marker.size(), text);
}

int write_pipeline_page(const std::string& path, const PipelinePageOptions& options) {
    json data;
    try {
        data = pipeline_page_data(options);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    const std::string page = pipeline_page_html(data);
    std::ofstream out(path, std::ios::binary);
    out << page;
    out.close();
    if (!out) throw UsageError("--html: cannot write '" + path + "'");
    std::printf("wrote %s (%zu KiB, self-contained): %zu designs traced clock by clock by hw_model's cycle model\n",
                path.c_str(), page.size() / 1024, data["designs"].size());
    const auto& designs = data["designs"];
    for (std::size_t i = 0; i < designs.size(); ++i) {
        const auto& d = designs[i];
        const std::string found = d["found_clock"].is_null() ? std::string("not found") :
            "found " + u32_to_hex(d["found_nonce"].get<std::uint32_t>()) + " at clock " + std::to_string(d["found_clock"].get<unsigned>());
        std::printf("  [%zu]%s %-48s %s; %s\n", i, i == data["selected"].get<std::size_t>() ? "*" : " ",
                    d["label"].get<std::string>().c_str(), d["flags"].get<std::string>().c_str(), found.c_str());
    }
    const auto& j = data["joules"];
    std::printf("joules rows: %zu from %s (%s)\n", j["rows"].size(), j["origin"].get<std::string>().c_str(),
                j["generated"].get<std::string>().c_str());
    return kExitOk;
}

}  // namespace hf::cli
