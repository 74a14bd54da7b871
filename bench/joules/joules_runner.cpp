#include "bench/joules/joules_runner.hpp"
#include "bench/joules/joules_row.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "bench/joules/cpu_measure.hpp"
#include "bench/joules/cpu_power.hpp"
#include "bench/joules/gpu_model.hpp"
#include "core/backend_opencl.hpp"

namespace hf::joules {
namespace {

std::string isa_description(const IsaFeatures& isa) {
    std::string s = isa.native_rotate ? "native rotate" : "rotate = 2 shifts + or";
    if (isa.bit_select) s += ", bit-select";
    if (isa.three_input_logic) s += ", 3-input logic";
    return s;
}

// "CPU", "GPU", ... of the OpenCL device the opencl backend uses.
std::string opencl_device_type() {
    const auto devices = opencl_devices();
    const int i = selected_opencl_device();
    return i >= 0 && i < static_cast<int>(devices.size()) ? devices[static_cast<std::size_t>(i)].type : "none";
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

}  // namespace

std::string kernel_ops_note() {
    struct Named {
        const char* what;
        IsaFeatures isa;
    };
    const Named isas[] = {
        {"2-input ops, no rotate (AVX2, NVIDIA Fermi/Kepler sm_30)", {false, false, false}},
        {"native rotate", {true, false, false}},
        {"rotate + bit-select (AMD VLIW5, GCN)", {true, true, false}},
        {"rotate + 3-input logic (AVX-512, NVIDIA sm_50+)", {true, false, true}},
    };
    std::string s = "GPU model: 32-bit ops per sha256d nonce of hashforge's OpenCL kernel (core/opencl/sha256d.cl: midstate, "
                    "precomputed rounds 0-3, folded padding, early exit on H7), counted by compiling its source with an "
                    "op-counting word type:";
    for (const auto& n : isas) {
        const OpCounts c = kernel_ops_per_nonce(n.isa);
        s += std::string(" ") + n.what + ": " + format_number("%.0f", c.total()) + " (" + format_number("%.0f", c.adds) + " add, " +
             format_number("%.0f", c.logic) + " logic, " + format_number("%.0f", c.shifts) + " shift, " + format_number("%.0f", c.rotates) + " rotate);";
    }
    s.pop_back();
    return s;
}

std::vector<JoulesRow> gpu_model_rows(const ReferenceData& data) {
    std::vector<JoulesRow> rows;
    for (const auto& g : data.gpus) {
        const GpuPrediction p = predict_gpu(g);
        JoulesRow r;
        r.era = "gpu-model";
        r.name = g.name;
        r.year = g.year;
        r.hashrate = p.hashrate;
        r.watts = p.watts;
        r.hashrate_source = HashrateSource::Modeled;
        r.power_source = PowerSource::Modeled;
        r.power_note = "rated board power, assumed drawn in full while mining [" + g.spec_source + "]";
        r.source = "op-count model: " + format_number("%.0f", p.ops_per_hash.total()) + " ops/nonce (" + isa_description(g.isa) +
                   "), " + format_number("%.0f", p.lane_cycles_per_hash) + " lane-cycles/nonce, " + format_number("%.0f", g.lanes) + " lanes x " +
                   format_number("%.0f", g.clock_mhz) + " MHz";
        if (g.published_hashrate) {
            r.source += "; published " + hashrate_text(*g.published_hashrate) + ", model " +
                        format_number("%+.0f%%", *p.error_vs_published * 100) + " [" + g.published_source + "]";
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

JoulesReport build_joules_report(const JoulesOptions& options, std::span<const BackendInfo> backends,
                                 const UsabilityCheck& usable, std::vector<JoulesRow> modeled_asic_rows,
                                 std::ostream* progress) {
    if (!(options.seconds > 0) || options.seconds > 600) throw std::invalid_argument("--seconds must be in (0, 600]");
    for (const auto& want : options.only_backends) {
        const bool known = std::any_of(backends.begin(), backends.end(), [&](const BackendInfo& b) { return b.name == want; });
        if (!known) {
            std::string names;
            for (const auto& b : backends) names += (names.empty() ? "" : ", ") + b.name;
            throw std::invalid_argument("unknown backend '" + want + "' (have: " + names + ")");
        }
    }
    if (options.cpu_watts_per_core && !(*options.cpu_watts_per_core > 0 && *options.cpu_watts_per_core < 10000))
        throw std::invalid_argument("--cpu-watts must be a positive number of watts per core");

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::vector<unsigned> threads = options.thread_counts;
    if (threads.empty()) threads = {1, cores};
    std::sort(threads.begin(), threads.end());
    threads.erase(std::unique(threads.begin(), threads.end()), threads.end());

    JoulesReport report;
    report.generated = utc_now();
    RaplReader rapl(options.powercap_root);
    const CpuPowerDefault* assumed = options.data.cpu_power_default_for(options.cpu_brand);
    if (rapl.available()) {
        std::string names;
        for (const auto& d : rapl.domains()) names += (names.empty() ? "" : ", ") + d.name;
        report.notes.push_back("CPU power measured with RAPL (" + names + ") under " + options.powercap_root.string() +
                               "; package power includes idle and any other load on the package");
    } else {
        report.notes.push_back("CPU power not measured: " + rapl.why_unavailable() + "; " +
                               (options.cpu_watts_per_core ? "using --cpu-watts" : "using the documented per-core default"));
    }

    for (const auto& b : backends) {
        if (!options.only_backends.empty() &&
            std::find(options.only_backends.begin(), options.only_backends.end(), b.name) == options.only_backends.end())
            continue;
        const std::string why = usable ? usable(b) : (b.supported() ? "" : "not supported by this CPU");
        if (!why.empty()) {
            report.notes.push_back(b.name + ": skipped, " + why);
            if (progress) *progress << "  " << b.name << ": skipped (" << why << ")\n";
            continue;
        }
        // An OpenCL device is fed by one host thread. On a CPU device (POCL) the work runs on every
        // core, so every core's power is attributed; a GPU's own power is not read here.
        const bool device = b.era == Era::Gpu;
        const std::string device_type = device ? opencl_device_type() : "";
        if (device && device_type != "CPU") {
            report.notes.push_back(b.name + ": skipped, the device is a " + device_type + " whose power is not measured here (see the gpu-model rows)");
            continue;
        }
        for (unsigned t : device ? std::vector<unsigned>{1} : threads) {
            const BackendRun run = run_backend(b, t, options.seconds, &rapl);
            CpuPowerInputs in;
            in.threads = device ? cores : std::min(t, cores);
            in.seconds = run.seconds;
            in.rapl = run.energy;
            in.rapl_unavailable_reason = run.energy ? "" : run.rapl_note;
            in.declared_watts_per_core = options.cpu_watts_per_core;
            in.assumed = assumed;
            const CpuPower power = attribute_cpu_power(in);
            JoulesRow r;
            r.era = b.era == Era::Cpu ? "cpu" : b.era == Era::GpuStyle ? "gpu-style" : b.era == Era::Gpu ? "gpu" : "asic";
            r.name = device ? b.name + " (POCL on CPU)" : b.name;
            r.threads = t;
            r.hashrate = run.hashrate();
            r.watts = power.watts;
            r.hashrate_source = HashrateSource::Measured;
            r.power_source = power.source;
            r.power_note = power.note;
            r.source = "measured here: " + std::to_string(run.hashes) + " sha256d in " + format_number("%.2f s", run.seconds) + " on " +
                       std::to_string(t) + (t == 1 ? " thread" : " threads") + " (genesis header, nonce scan)";
            if (device) r.source += "; OpenCL kernel run by POCL on all " + std::to_string(cores) + " cores, fed by 1 host thread";
            if (progress)
                *progress << "  " << b.name << " x" << t << ": " << hashrate_text(r.hashrate) << ", " << format_number("%.1f W", r.watts)
                          << " (" << power_source_name(r.power_source) << ")\n";
            report.rows.push_back(std::move(r));
        }
    }
    for (auto& r : gpu_model_rows(options.data)) report.rows.push_back(std::move(r));
    report.notes.push_back(kernel_ops_note());
    for (auto& r : modeled_asic_rows) report.rows.push_back(std::move(r));
    for (const auto& r : options.data.machines) report.rows.push_back(r);
    if (!set_ratios_to_scalar(report.rows)) report.notes.push_back("no scalar CPU row: the 'vs scalar' column is empty");
    return report;
}

}  // namespace hf::joules
