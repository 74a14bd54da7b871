// Predicts a GPU's sha256d hashrate and J/TH from first principles: the per-nonce operation
// count of hashforge's OpenCL kernel (opencl_kernel_ops.hpp) on the GPU's instruction set, divided into
// its ALU throughput (lanes x clock x per-lane issue rate of each operation class). Power is the
// board's rated power. No measured GPU hashrate enters the prediction; published hashrates are
// kept beside it only to say how far off the model is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bench/joules/op_graph.hpp"

namespace hf::joules {

struct GpuSpec {
    std::string name;
    int year = 0;
    std::string architecture;
    double lanes = 0;        // 32-bit ALU lanes ("stream processors", "CUDA cores")
    double clock_mhz = 0;    // the clock those lanes run at (shader clock on Fermi)
    double board_watts = 0;  // rated board power
    IsaFeatures isa;
    // Operations per lane per clock, by class (1 = every lane every clock). From the vendor's
    // throughput tables, e.g. NVIDIA's CUDA guide: Kepler sm_30 shifts at 32 of 192 lanes.
    double add_rate = 1, logic_rate = 1, shift_rate = 1, rotate_rate = 1;
    std::string spec_source;
    std::optional<double> published_hashrate;  // H/s, for comparison only
    std::string published_source;
};

struct GpuPrediction {
    OpCounts ops_per_hash;         // with early exit, on this GPU's ISA
    double lane_cycles_per_hash = 0;
    double hashrate = 0;           // H/s
    double watts = 0;
    double joules_per_terahash = 0;
    std::optional<double> error_vs_published;  // prediction / published - 1
};

// Per-nonce ops on `isa` of the OpenCL kernel hashforge runs (core/opencl/sha256d.cl, counted by
// instrumenting its source: opencl_kernel_ops.hpp), with early exit, on a fixed header; the count
// does not depend on the header or the nonce.
OpCounts kernel_ops_per_nonce(const IsaFeatures& isa);

GpuPrediction predict_gpu(const GpuSpec& gpu);

// Parses one entry of the "gpu_models" array of reference_machines.json. Throws
// std::invalid_argument naming the field when one is missing or out of range.
GpuSpec gpu_spec_from_json(const nlohmann::json& j);

}  // namespace hf::joules
