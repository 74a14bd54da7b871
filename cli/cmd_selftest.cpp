// hashforge selftest: every implementation compiled in, tested against known answers, pass or fail.
#include <cstdio>
#include <iostream>

#include "cli/args.hpp"
#include "cli/backend_registry.hpp"
#include "cli/commands.hpp"
#include "cli/selftest_checks.hpp"
#include "core/backend_opencl.hpp"
#include "core/cpu_features.hpp"

namespace hf::cli {

namespace {

// Every OpenCL platform/device the ICD loader sees, numbered for --opencl-device; * = selected.
void print_opencl_devices() {
    const auto devices = opencl_devices();
    if (devices.empty()) {
        std::cout << "OpenCL: no OpenCL device (no platform installed, e.g. Debian's pocl-opencl-icd)\n";
        return;
    }
    std::cout << "OpenCL devices (--opencl-device N):\n";
    for (const auto& d : devices)
        std::printf("  %c %d  %s: %s (%s, %u compute units, %u MHz, %s)\n", d.index == selected_opencl_device() ? '*' : ' ',
                    d.index, d.platform.c_str(), d.name.c_str(), d.type.c_str(), d.compute_units, d.clock_mhz, d.version.c_str());
    if (const std::string why = opencl_unavailable_reason(); !why.empty()) {
        std::cout << "  device " << selected_opencl_device() << " unusable: " << why << '\n';
        return;
    }
    const OpenClWorkSize w = opencl_work_size();
    std::printf("  work size on device %d (measured): %u nonces per work-item, %zu work-items per group, %zu nonces\n"
                "  per launch, %.2f MH/s at that size\n",
                selected_opencl_device(), w.vector_width, w.local, w.batch, w.hashrate / 1e6);
}

}  // namespace

int run_selftest(std::span<char* const> argv) {
    static const OptionSpec specs[] = {{"help", 'h', false}, {"opencl-device", 0, true}};
    const auto args = parse_args(specs, argv);
    if (args.has("help")) {
        std::cout << "Usage: hashforge selftest [--opencl-device N]\n\n"
                     "Runs known-answer tests of every SHA-256 implementation and hashing backend compiled\n"
                     "into this binary. Implementations this CPU cannot run are listed as skipped.\n"
                     "OpenCL devices are listed and numbered; the opencl backend is tested on the first GPU\n"
                     "(else device 0), or on device N.\n"
                     "Exit status: 0 when every runnable check passes, 1 otherwise.\n";
        return kExitOk;
    }
    apply_opencl_device(args.get("opencl-device"));
    std::cout << "CPU: " << (cpu_features().brand.empty() ? "unknown" : cpu_features().brand) << "\nfeatures:";
    for (const auto& f : cpu_features().names()) std::cout << ' ' << f;
    std::cout << "\n";
    print_opencl_devices();
    std::cout << "\n";
    int failed = 0, passed = 0;
    for (const auto& check : selftest_checks()) {
        const SelfTestOutcome r = check.run();
        const char* status = r.status == SelfTestOutcome::Pass ? "pass" : r.status == SelfTestOutcome::Skip ? "skip" : "FAIL";
        std::printf("  %-8s %-28s %s\n", status, check.name.c_str(), r.detail.c_str());
        if (r.status == SelfTestOutcome::Fail) ++failed;
        if (r.status == SelfTestOutcome::Pass) ++passed;
    }
    std::printf("\n%d passed, %d failed\n", passed, failed);
    return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace hf::cli
