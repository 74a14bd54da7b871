#include "cli/rtl_report.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

namespace hf::cli {
namespace {

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

}  // namespace

std::optional<SynthCounts> yosys_synthesize(const std::filesystem::path& dir) {
    const std::string core = (dir / "hf_core.v").string(), top = (dir / "hf_top.v").string();
    const std::string cmd = "yosys -q -p " + shell_quote("read_verilog " + core + " " + top + "; synth -top hf_top; tee -o /dev/stdout stat") +
                            " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe) return std::nullopt;
    std::string text;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), pipe.get())) text += buf.data();
    const int status = pclose(pipe.release());
    if (status != 0) return std::nullopt;
    // The last "Number of cells" block is the whole design (hf_top with hf_core flattened).
    SynthCounts counts;
    std::istringstream in(text.substr(text.rfind("Number of cells") == std::string::npos ? 0 : text.rfind("Number of cells")));
    std::string line;
    bool any = false;
    while (std::getline(in, line)) {
        std::istringstream l(line);
        std::string key;
        l >> key;
        if (key == "Number") {
            std::string of, cells;
            unsigned n = 0;
            l >> of >> cells >> n;
            counts.cells = n;
            any = true;
        } else if (key.rfind("$_", 0) == 0) {
            unsigned n = 0;
            l >> n;
            counts.by_type[key] += n;
            if (key.find("DFF") != std::string::npos) counts.flip_flops += n;
        }
    }
    if (!any) return std::nullopt;
    return counts;
}

AreaComparison compare_area(const hw::PipelineSpec& spec, const SynthCounts& synth) {
    const hw::HardwareCount& h = spec.hardware;
    AreaComparison c;
    c.model_flip_flops = h.register_bits;
    c.model_cells = h.register_bits + h.adders32 * kCellsPerAdder32 + h.logic32 * kCellsPerLogic32 + h.comparator_bits * kCellsPerComparatorBit;
    c.yosys_flip_flops = synth.flip_flops;
    c.yosys_cells = synth.cells;
    return c;
}

std::string format_area_comparison(const hw::PipelineSpec& spec, const AreaComparison& c) {
    auto ratio = [](unsigned a, unsigned b) { return b ? static_cast<double>(a) / b : 0.0; };
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "Yosys (synth -top hf_top, generic cells; measured) vs the area model (modeled), %s:\n"
                  "  %-34s %10s %10s %8s\n"
                  "  %-34s %10u %10u %8.3f\n"
                  "  %-34s %10u %10u %8.3f",
                  spec.config.describe().c_str(), "", "model", "yosys", "model/yosys", "flip-flops", c.model_flip_flops, c.yosys_flip_flops,
                  ratio(c.model_flip_flops, c.yosys_flip_flops), "cells (model: gate equivalents)", c.model_cells, c.yosys_cells,
                  ratio(c.model_cells, c.yosys_cells));
    return buf;
}

}  // namespace hf::cli
