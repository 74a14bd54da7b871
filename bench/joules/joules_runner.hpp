// Builds the whole comparison: every CPU backend at 1 thread and at all cores (power from RAPL,
// --cpu-watts or the documented default), the GPU model rows, any modeled ASIC rows the caller
// supplies (hw_model's energy model, via the CLI, so this library does not depend on hw_model),
// and the published reference machines.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/joules/joules_report.hpp"
#include "bench/joules/rapl.hpp"
#include "bench/joules/reference_data.hpp"
#include "core/hash_backend.hpp"

namespace hf::joules {

struct JoulesOptions {
    double seconds = 2.0;                        // wall time of each backend run
    std::vector<unsigned> thread_counts;         // empty: {1, all logical CPUs}
    std::optional<double> cpu_watts_per_core;    // --cpu-watts
    std::filesystem::path powercap_root = kDefaultPowercapRoot;
    std::vector<std::string> only_backends;      // empty: all
    std::string cpu_brand;                       // for the default per-core power
    ReferenceData data;
};

// Returns "" when a backend can run here, else why not (e.g. "this CPU has no AVX-512").
using UsabilityCheck = std::function<std::string(const BackendInfo&)>;

// One line saying the kernel's per-nonce op count on each kind of ISA.
std::string kernel_ops_note();

// The model rows for every GPU in `data` (era "gpu-model").
std::vector<JoulesRow> gpu_model_rows(const ReferenceData& data);

// Runs the measurements and assembles the report. `progress`, when given, gets one line per run.
// Throws std::invalid_argument for options that cannot work (non-positive seconds, unknown
// backend names, no power source at all).
JoulesReport build_joules_report(const JoulesOptions& options, std::span<const BackendInfo> backends,
                                 const UsabilityCheck& usable, std::vector<JoulesRow> modeled_asic_rows,
                                 std::ostream* progress);

}  // namespace hf::joules
