// hashforge bench --joules: the CPU -> GPU -> ASIC hashes-per-joule comparison in one table (and
// optionally JSON and an SVG chart). The work is in bench/joules (hashforge_joules); this file
// only parses options, picks the backends and the ASIC model rows, and writes the outputs.
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "bench/joules/joules_runner.hpp"
#include "bench/joules/svg_chart.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/joules_asic_rows.hpp"
#include "core/backend_opencl.hpp"
#include "core/backends.hpp"
#include "core/cpu_features.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge bench --joules [--seconds S] [--cpu-watts W] [--json FILE] [--svg FILE]\n"
    "                       [--backend NAME]... [--threads N]... [--powercap-root DIR] [--reference FILE]\n\n"
    "Compares hashes per joule across eras: every CPU backend of this machine (scalar, shani; the\n"
    "GPU-style SIMD kernels avx2, avx512) at 1 thread and at all cores, a GPU model predicted from the\n"
    "kernel's operation count, the ASIC energy model for every chip description in chips/ (the ASIC\n"
    "generations, 110 nm to 3 nm: docs/chips.md), and published machines (CPU, GPU, FPGA, Antminer\n"
    "S9/S19/S21). Every row says where its power comes from: measured (RAPL), declared (--cpu-watts),\n"
    "assumed (a cited per-core default), modeled, or reference (published).\n\n"
    "  --seconds S          wall time of each CPU run (default 2; the whole command stays under a minute)\n"
    "  --cpu-watts W        CPU power per busy core in watts, used when RAPL cannot be read\n"
    "                       (e.g. from a wall meter: (loaded - idle) / cores)\n"
    "  --json FILE          write every row (era, name, hashrate, watts, joules_per_terahash,\n"
    "                       power_source, sources) as JSON ('-' for standard output)\n"
    "  --svg FILE           draw the evolution chart (hashes per joule, log scale) as SVG\n"
    "  --backend NAME       measure only this CPU backend (repeatable)\n"
    "  --threads N          thread counts to run (repeatable; default 1 and all cores)\n"
    "  --powercap-root DIR  where the RAPL zones are (default /sys/class/powercap)\n"
    "  --reference FILE     published figures to use instead of the built-in ones\n"
    "                       (format: bench/joules/reference_machines.json)\n";

std::string read_file(const std::string& path, const char* option) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError(std::string(option) + ": cannot open '" + path + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Writes `text` to `path` (or standard output for "-"); a failure is reported, not ignored.
void write_output(const std::string& path, const std::string& text, const char* option) {
    if (path == "-") {
        std::cout << text;
        return;
    }
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw std::runtime_error(std::string(option) + ": cannot write '" + path + "'");
}

std::string machine_description() {
    const auto& f = cpu_features();
    std::string s = f.brand.empty() ? (f.vendor.empty() ? "unknown CPU" : f.vendor) : f.brand;
    s += ", " + std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " logical CPUs";
    const auto names = f.names();
    if (!names.empty()) {
        s += " (";
        for (std::size_t i = 0; i < names.size(); ++i) s.append(i ? " " : "").append(names[i]);
        s += ")";
    }
    return s;
}

}  // namespace

int run_bench_joules(std::span<char* const> argv) {
    static const OptionSpec specs[] = {
        {"help", 'h', false},    {"joules", 0, false},        {"seconds", 0, true},   {"cpu-watts", 0, true},
        {"json", 0, true},       {"svg", 0, true},            {"backend", 0, true},   {"threads", 't', true},
        {"powercap-root", 0, true}, {"reference", 0, true},
    };
    const auto args = parse_args(specs, argv);
    if (args.has("help")) {
        std::cout << kHelp;
        return kExitOk;
    }
    if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");

    joules::JoulesOptions o;
    if (auto s = args.get_double("seconds")) {
        if (!(*s > 0 && *s <= 600)) throw UsageError("--seconds must be in (0, 600]");
        o.seconds = *s;
    }
    if (auto w = args.get_double("cpu-watts")) {
        if (!(*w > 0 && *w < 10000)) throw UsageError("--cpu-watts must be a positive number of watts per core");
        o.cpu_watts_per_core = *w;
    }
    for (const auto& t : args.all("threads")) {
        long long n = 0;
        try {
            std::size_t used = 0;
            n = std::stoll(t, &used);
            if (used != t.size()) n = 0;
        } catch (const std::exception&) {
            n = 0;
        }
        if (n < 1 || n > 1024) throw UsageError("--threads: '" + t + "' is not a thread count from 1 to 1024");
        o.thread_counts.push_back(static_cast<unsigned>(n));
    }
    if (auto root = args.get("powercap-root")) o.powercap_root = *root;
    o.only_backends = args.all("backend");
    o.cpu_brand = cpu_features().brand;
    try {
        o.data = args.has("reference") ? joules::parse_reference_data(read_file(*args.get("reference"), "--reference"))
                                       : joules::load_embedded_reference_data();
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--reference: ") + e.what());
    }

    std::vector<BackendInfo> backends = core_backends();
    backends.push_back(opencl_backend_info());  // measured on this machine's OpenCL device
    const joules::UsabilityCheck usable = [](const BackendInfo& b) -> std::string {
        if (!b.supported()) {
            if (b.era == Era::Gpu) return unsupported_reason(b);
            if (b.name.starts_with("avx512")) return "this CPU has no AVX-512 (F+VL per CPUID/XGETBV)";
            return "this CPU lacks the instructions it needs (CPUID)";
        }
        if (!backend_usable(b)) return "failed its self-test against the reference: " + backend_self_test(b);
        return "";
    };

    std::vector<joules::JoulesRow> asic_rows;
    std::vector<std::string> asic_notes;
    asic_model_rows(asic_rows, asic_notes);

    std::cerr << "hashforge bench --joules: " << o.seconds << " s per run\n";
    joules::JoulesReport report;
    try {
        report = joules::build_joules_report(o, backends, usable, std::move(asic_rows), &std::cerr);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    report.machine = machine_description();
    for (auto& n : asic_notes) report.notes.push_back(std::move(n));

    // With JSON or SVG going to standard output, the table goes to standard error.
    const bool stdout_taken = args.get("json") == std::optional<std::string>("-") || args.get("svg") == std::optional<std::string>("-");
    std::ostream& table_out = stdout_taken ? std::cerr : std::cout;
    table_out << "Hashes per joule on " << report.machine << ", " << report.generated << "\n\n" << joules::render_table(report);
    if (auto path = args.get("json")) write_output(*path, joules::report_to_json(report).dump(2) + "\n", "--json");
    if (auto path = args.get("svg")) write_output(*path, joules::render_svg(report), "--svg");
    return kExitOk;
}

}  // namespace hf::cli
