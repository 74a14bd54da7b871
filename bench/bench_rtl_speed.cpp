// Clocks per second: our cycle model against the Verilator model of the same generated RTL (the
// fully unrolled R1 L1 core, test_rtl_cosim's `unrolled` model), interleaved in one run, per
// CPU-second, median of rounds. Built beside the co-simulation (tests/CMakeLists.txt).
//   build/release/tests/bench_rtl_speed [rounds]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <vector>

#include "Vunrolled.h"
#include "hw_model/core_sim.hpp"
#include "hw_model/pipeline_spec.hpp"

namespace {

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    using namespace hf::hw;
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
    const PipelineSpec spec = build_pipeline(CoreConfig{});
    hf::HeaderBytes header{};
    for (std::size_t i = 0; i < header.size(); ++i) header[i] = static_cast<std::uint8_t>(i * 29 + 3);
    const CoreJob job = core_job_from_header(header, std::vector<std::uint32_t>{0x20000000u}, 32);

    CycleCore model(spec, true);  // counting toggles, as the energy figures do
    CycleCore bare(spec, false);
    model.load_job(job, 0, std::uint64_t{1} << 32);
    bare.load_job(job, 0, std::uint64_t{1} << 32);
    auto context = std::make_unique<VerilatedContext>();
    Vunrolled rtl(context.get());
    const auto words = job_register_values(spec, model.job(), 0, std::uint64_t{1} << 32);
    for (std::size_t i = 0; i < words.size(); ++i) rtl.job[i] = words[i];
    rtl.load = 1;
    rtl.rst = 0;

    constexpr unsigned kClocks = 20000;
    std::vector<double> ours, ours_bare, verilator;
    for (int r = 0; r < rounds; ++r) {
        double t = cpu_seconds();
        for (unsigned i = 0; i < kClocks; ++i) model.clock();
        ours.push_back(kClocks / (cpu_seconds() - t));
        t = cpu_seconds();
        for (unsigned i = 0; i < kClocks; ++i) bare.clock();
        ours_bare.push_back(kClocks / (cpu_seconds() - t));
        t = cpu_seconds();
        for (unsigned i = 0; i < kClocks; ++i) {
            rtl.clk = 1;
            rtl.eval();
            rtl.clk = 0;
            rtl.eval();
            rtl.load = 0;
        }
        verilator.push_back(kClocks / (cpu_seconds() - t));
    }
    const double v = median(verilator);
    std::printf("R1 L1 M1 core, %d interleaved rounds of %u clocks, median clocks per CPU-second (measured):\n", rounds, kClocks);
    std::printf("  cycle model, counting toggles  %10.0f  %.2fx Verilator\n", median(ours), median(ours) / v);
    std::printf("  cycle model, no toggle count   %10.0f  %.2fx Verilator\n", median(ours_bare), median(ours_bare) / v);
    std::printf("  Verilator (-O1 model)          %10.0f  1.00x\n", v);
    return 0;
}
