// Speed of the ASIC emulator against the scalar CPU backend, in the same run.
//   build/bench/bench_hw_model --benchmark_repetitions=3
// BM_SameRunRatios interleaves the three in one loop (so load drift on a shared machine hits all
// alike) and reports cycle/scalar and functional/scalar as counters.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>

#include "core/backends.hpp"
#include "core/sha256_rounds.hpp"
#include "hw_model/asic_backend.hpp"
#include "hw_model/core_sim.hpp"

namespace {

using namespace hf;

HeaderBytes bench_header() {
    HeaderBytes h{};
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(i * 29 + 3);
    return h;
}

hw::CoreJob bench_job(const hw::PipelineSpec& spec) {
    std::vector<std::uint32_t> versions;
    for (unsigned m = 0; m < spec.lanes; ++m) versions.push_back(0x20000000u + (m << 13));
    return hw::core_job_from_header(bench_header(), versions, 32);
}

ScanWork impossible_work() { return ScanWork::from_header(bench_header(), U256(0)); }

void BM_ScalarBackend(benchmark::State& state) {
    auto backend = make_scalar_backend();
    const ScanWork work = impossible_work();
    std::atomic<bool> stop{false};
    std::vector<std::uint32_t> found;
    std::uint32_t first = 0;
    for (auto _ : state) {
        backend->scan(work, {first, 4096}, found, stop);
        first += 4096;
    }
    state.SetItemsProcessed(state.iterations() * 4096);
}
BENCHMARK(BM_ScalarBackend);

void BM_FunctionalCore(benchmark::State& state) {
    hw::CoreConfig cfg;
    cfg.midstates = static_cast<unsigned>(state.range(0));
    const auto spec = hw::build_pipeline(cfg);
    hw::FunctionalCore core(spec);
    core.load_job(bench_job(spec));
    std::vector<hw::CoreHit> hits;
    std::uint32_t first = 0;
    for (auto _ : state) {
        core.scan(first, 4096, hits);
        first += 4096;
        hits.clear();
    }
    state.SetItemsProcessed(state.iterations() * 4096 * spec.lanes);  // hashes
}
BENCHMARK(BM_FunctionalCore)->Arg(1)->Arg(4);

// The fully unrolled core, every register every clock; range(0) = count toggles.
void BM_CycleCore(benchmark::State& state) {
    hw::CoreConfig cfg;
    cfg.rounds_per_stage = static_cast<unsigned>(state.range(1));
    const auto spec = hw::build_pipeline(cfg);
    hw::CycleCore core(spec, state.range(0) != 0);
    core.load_job(bench_job(spec), 0, std::uint64_t{1} << 32);
    for (unsigned i = 0; i < spec.latency_clocks; ++i) core.clock();
    for (auto _ : state)
        for (int i = 0; i < 256; ++i) core.clock();
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 256 * spec.hashes_per_clock));
    state.counters["toggles_per_clock"] = state.range(0) ? static_cast<double>(core.toggles()) / static_cast<double>(core.cycles()) : 0;
}
BENCHMARK(BM_CycleCore)->Args({1, 1})->Args({0, 1})->Args({1, 8});

// Through the chip, the serial protocol and the host driver.
void BM_AsicEmuBackend(benchmark::State& state) {
    auto backend = hw::make_asic_backend(hw::shipped_chip("asic-emu"), state.range(0) ? hw::SimMode::Cycle : hw::SimMode::Functional);
    const ScanWork work = impossible_work();
    std::atomic<bool> stop{false};
    std::vector<std::uint32_t> found;
    std::uint32_t first = 0;
    const std::uint32_t chunk = state.range(0) ? 4096 : 65536;
    for (auto _ : state) {
        backend->scan(work, {first, chunk}, found, stop);
        first += chunk;
    }
    state.SetItemsProcessed(state.iterations() * chunk);
}
BENCHMARK(BM_AsicEmuBackend)->Arg(0)->Arg(1);

void BM_SameRunRatios(benchmark::State& state) {
    auto scalar = make_scalar_backend();
    const ScanWork work = impossible_work();
    std::atomic<bool> stop{false};
    std::vector<std::uint32_t> found;
    const auto spec = hw::build_pipeline(hw::CoreConfig{});
    hw::FunctionalCore functional(spec);
    functional.load_job(bench_job(spec));
    hw::CycleCore cycle(spec, true);  // activity counting on
    cycle.load_job(bench_job(spec), 0, std::uint64_t{1} << 32);
    std::vector<hw::CoreHit> hits;
    double t_scalar = 0, t_functional = 0, t_cycle = 0;
    std::uint64_t n_scalar = 0, n_functional = 0, n_cycle = 0;
    std::uint32_t first = 0;
    using clock = std::chrono::steady_clock;
    for (auto _ : state) {
        auto t0 = clock::now();
        scalar->scan(work, {first, 8192}, found, stop);
        auto t1 = clock::now();
        functional.scan(first, 8192, hits);
        auto t2 = clock::now();
        for (int i = 0; i < 2048; ++i) cycle.clock();
        auto t3 = clock::now();
        t_scalar += std::chrono::duration<double>(t1 - t0).count();
        t_functional += std::chrono::duration<double>(t2 - t1).count();
        t_cycle += std::chrono::duration<double>(t3 - t2).count();
        n_scalar += 8192;
        n_functional += 8192;
        n_cycle += 2048;
        first += 8192;
        hits.clear();
    }
    const double scalar_rate = static_cast<double>(n_scalar) / t_scalar;
    state.counters["scalar_MHps"] = scalar_rate / 1e6;
    state.counters["functional_over_scalar"] = static_cast<double>(n_functional) / t_functional / scalar_rate;
    state.counters["cycle_over_scalar"] = static_cast<double>(n_cycle) / t_cycle / scalar_rate;
}
BENCHMARK(BM_SameRunRatios)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
