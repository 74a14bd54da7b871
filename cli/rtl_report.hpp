// Yosys's view of the generated RTL beside the emulator's area model (`hashforge rtl --report`).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "hw_model/pipeline_spec.hpp"

namespace hf::cli {

struct SynthCounts {
    unsigned flip_flops = 0;  // every $_*DFF*_ cell
    unsigned cells = 0;       // every cell, flip-flops included
    std::map<std::string, unsigned> by_type;
};
// Runs `yosys -p "read_verilog hf_core.v hf_top.v; synth -top hf_top; stat"` on DIR; nullopt if it fails.
std::optional<SynthCounts> yosys_synthesize(const std::filesystem::path& dir);

// The area model in Yosys's generic cells: its counted flip-flops and the gate equivalents of its
// adders, logic functions and comparator (per-unit costs measured by synthesizing each unit alone).
struct AreaComparison {
    unsigned model_flip_flops = 0, model_cells = 0;
    unsigned yosys_flip_flops = 0, yosys_cells = 0;
};
AreaComparison compare_area(const hw::PipelineSpec& spec, const SynthCounts& synth);
std::string format_area_comparison(const hw::PipelineSpec& spec, const AreaComparison& c);

// Yosys generic cells per model unit (synth of the unit alone, Yosys 0.23): a 32-bit adder, a
// 32-bit logic function (a Sigma XOR level, Ch, a mux), a comparator bit (AND + OR-tree share).
inline constexpr unsigned kCellsPerAdder32 = 220;
inline constexpr unsigned kCellsPerLogic32 = 32;
inline constexpr unsigned kCellsPerComparatorBit = 2;

}  // namespace hf::cli
