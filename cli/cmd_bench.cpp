// hashforge bench: measured hashrate per backend and thread count, through the real search engine
// (job distribution, extranonce2 rolling and host re-verification included) on a synthetic job.
//   the measurements: bench_runs.cpp; what is printed: bench_report.cpp; --joules: cmd_bench_joules.cpp.
#include <algorithm>
#include <iostream>
#include <thread>

#include "cli/args.hpp"
#include "cli/backend_registry.hpp"
#include "cli/bench_report.hpp"
#include "cli/bench_runs.hpp"
#include "cli/commands.hpp"
#include "core/cpu_features.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge bench [--backend all|auto|NAME] [--seconds S] [-t|--threads N] [--json] [--verify]\n\n"
    "Measures sha256d hashrate on this machine through the search engine, per backend and thread\n"
    "count. Every figure is measured (hashes counted / steady_clock seconds), never modeled.\n\n"
    "  --backend B     all: every backend (unsupported ones listed as skipped); auto (default): the one\n"
    "                  the miner would pick; or a name: scalar, shani, avx2, avx512, avx512+shani, opencl;\n"
    "                  measured variants: shani-x1..x4, avx512-x2, avx512+shani-x1..x3\n"
    "  --opencl-device N  the OpenCL device for opencl (numbered as 'hashforge selftest' lists them)\n"
    "  --seconds S     measuring time per run (default 3)\n"
    "  -t, --threads N threads per run (default: 1, then one per core when there is more than one)\n"
    "  --json          print one JSON object: {\"cpu_features\": [...], \"results\": [...]}\n"
    "  --verify        instead of speed, compare each backend's found nonces with the portable\n"
    "                  reference on random headers at an easy target for S seconds\n\n"
    "Eras: scalar and shani are CPU designs; avx2/avx512 are 'GPU-style' (one nonce per SIMD lane,\n"
    "all lanes in lockstep, the way a GPU warp runs); opencl is a real GPU kernel (OpenCL C), run by\n"
    "the OpenCL driver of a GPU, or of the CPU through POCL (threads then mean host threads feeding it).\n\n"
    "hashforge bench --joules [...]: hashes per joule, CPU -> GPU -> ASIC, measured, modeled and\n"
    "published, in one table and chart (see 'hashforge bench --joules --help').\n";

struct BenchSettings {
    bool help = false, json = false, verify = false;
    double seconds = 3;
    std::vector<unsigned> thread_counts;
    std::string backend;
};

BenchSettings read_bench_settings(std::span<char* const> argv) {
    static const OptionSpec specs[] = {{"help", 'h', false}, {"backend", 0, true}, {"seconds", 0, true},
                                       {"threads", 't', true}, {"json", 0, false}, {"verify", 0, false},
                                       {"opencl-device", 0, true}};
    const auto args = parse_args(specs, argv);
    BenchSettings s;
    s.help = args.has("help");
    if (s.help) return s;
    if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
    s.seconds = args.get_double("seconds").value_or(3.0);
    if (!(s.seconds > 0 && s.seconds <= 3600)) throw UsageError("--seconds: must be more than 0 and at most 3600");
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (auto t = args.get_int("threads", 1, 1024)) s.thread_counts.push_back(static_cast<unsigned>(*t));
    else {
        s.thread_counts.push_back(1);
        if (cores > 1) s.thread_counts.push_back(cores);
    }
    s.json = args.has("json");
    s.verify = args.has("verify");
    s.backend = args.get("backend").value_or(std::string(kAutoBackend));
    apply_opencl_device(args.get("opencl-device"));
    return s;
}

// The backends to measure; "all" lists unsupported or failing ones in report.skipped.
std::vector<BackendInfo> select_backends(const std::string& which, BenchReport& report) {
    std::vector<BackendInfo> backends;
    if (which != "all") {
        backends.push_back(resolve_backend(which, &report.calibration, true));
        if (!report.calibration.empty()) report.auto_choice = backends.front().name;
        return backends;
    }
    for (const auto& b : cli_backends()) {
        if (!b.supported()) report.skipped.push_back({b.name, b.era, 0, 0, 0, 0, 0, unsupported_reason(b)});
        else if (const auto why = backend_self_test(b); !why.empty())
            report.skipped.push_back({b.name, b.era, 0, 0, 0, 0, 0, "self-test failed: " + why});
        else backends.push_back(b);
    }
    return backends;
}

void measure(const BenchSettings& s, const std::vector<BackendInfo>& backends, BenchReport& report) {
    if (!s.verify && cpu_features().shani())
        report.bound = measure_shani_bound();
    for (const auto& b : backends) {
        if (s.verify) {
            report.results.push_back(verify_one(b, s.seconds, report.mismatches));
            continue;
        }
        for (unsigned t : s.thread_counts) {
            report.results.push_back(run_one(b, t, s.seconds));
            const BenchResult& r = report.results.back();
            if (t == 1 && r.per_cpu_second() > report.best_single_cpu) {
                report.best_single = r.hashrate;
                report.best_single_cpu = r.per_cpu_second();
                report.best_name = b.name;
            }
        }
    }
}

}  // namespace

int run_bench(std::span<char* const> argv) {
    // `bench --joules` is its own report with its own options (cmd_bench_joules.cpp).
    for (const char* a : argv)
        if (std::string_view(a) == "--joules") return run_bench_joules(argv);
    const BenchSettings settings = read_bench_settings(argv);
    if (settings.help) {
        std::cout << kHelp;
        return kExitOk;
    }
    BenchReport report;
    report.verify = settings.verify;
    const auto backends = select_backends(settings.backend, report);
    measure(settings, backends, report);
    if (settings.json) print_bench_json(report);
    else print_bench_table(report);
    return report.mismatches == 0 ? kExitOk : kExitFailure;
}

}  // namespace hf::cli
