// Google Benchmark cases for the hashing hot loop: one compression per SHA-256 implementation (and
// SHA-NI compression throughput with 1..4 independent streams), one sha256d nonce per backend, and
// scans of a nonce range per backend at difficulty 1 (early reject in force).
//
//   bench_hashing                                  all cases
//   bench_hashing --benchmark_filter=Nonce         one family
//   HASHFORGE_BENCH_FULL=1 bench_hashing --benchmark_filter=FullRange   adds the whole 2^32 range
//
// Unsupported backends are skipped with a message. Rates are items (hashes or compressions) per
// second as Google Benchmark measures them; compare ratios within one run.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/backends.hpp"
#include "core/sha256_impl.hpp"
#include "core/sha256d_plan.hpp"
#include "core/target.hpp"
#include "core/tsc.hpp"

namespace {

using namespace hf;

HeaderBytes bench_header() {
    std::mt19937_64 rng(42);
    HeaderBytes h;
    for (auto& b : h) b = static_cast<std::uint8_t>(rng());
    return h;
}

std::vector<BackendInfo> bench_backends() {
    std::vector<BackendInfo> out = core_backends();
    const auto shani = find_backend(core_backends(), "shani");
    if (shani) {
        for (int n = 1; n <= 4; ++n)
            out.push_back({"shani-x" + std::to_string(n), Era::Cpu, shani->supported, [n] { return make_shani_backend_streams(n); }});
        out.push_back({"shani+sse", Era::Cpu, shani->supported, &make_shani_sse_backend});
    }
    return out;
}

void BM_Compress(benchmark::State& state, const sha256::Implementation* impl) {
    if (!impl->supported()) {
        state.SkipWithError("not supported by this CPU");
        return;
    }
    sha256::State s = sha256::kInitialState;
    const HeaderBytes block = bench_header();
    for (auto _ : state) {
        impl->compress(s, block.data(), 1);
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations());
}

// SHA-NI compression throughput with `streams` independent compressions in flight (the bound).
void BM_ShaniCompressStreams(benchmark::State& state) {
    const int streams = static_cast<int>(state.range(0));
    if (shani_tsc_per_compression(streams, 1) == 0) {
        state.SkipWithError("SHA-NI not supported by this CPU");
        return;
    }
    constexpr std::uint64_t kRounds = 1000;
    double ticks = 0;
    for (auto _ : state) ticks += shani_tsc_per_compression(streams, kRounds);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kRounds) * streams);
    state.counters["tsc_per_compression"] = ticks / static_cast<double>(state.iterations());
}

// One sha256d nonce through the portable reference (what every candidate is re-hashed with).
void BM_ReferenceSha256dNonce(benchmark::State& state) {
    const ScanWork w = ScanWork::from_header(bench_header(), U256{});
    std::uint32_t nonce = 0;
    for (auto _ : state) benchmark::DoNotOptimize(reference_sha256d(w, nonce++));
    state.SetItemsProcessed(state.iterations());
}

// One sha256d nonce per backend: scans of 1024 nonces, time per item = time per nonce.
void BM_Sha256dNonce(benchmark::State& state, const BackendInfo* info) {
    if (!info->supported()) {
        state.SkipWithError("not supported by this CPU");
        return;
    }
    auto backend = info->create();
    const ScanWork w = ScanWork::from_header(bench_header(), U256{});
    const std::atomic<bool> no_stop{false};
    std::vector<std::uint32_t> found;
    std::uint32_t next = 0;
    std::uint64_t hashed = 0;
    for (auto _ : state) {
        hashed += backend->scan(w, {next, 1024}, found, no_stop);
        next += 1024;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(hashed));
}

// A scan of 2^log2 nonces of one header at difficulty 1, as the engine hands a slice to a worker.
void BM_FullRangeScan(benchmark::State& state, const BackendInfo* info) {
    if (!info->supported()) {
        state.SkipWithError("not supported by this CPU");
        return;
    }
    auto backend = info->create();
    const ScanWork w = ScanWork::from_header(bench_header(), difficulty1_target());
    const std::atomic<bool> no_stop{false};
    std::vector<std::uint32_t> found;
    std::uint64_t hashed = 0;
    for (auto _ : state) {
        found.clear();
        hashed += backend->scan(w, {0, std::uint64_t{1} << state.range(0)}, found, no_stop);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(hashed));
    state.counters["found"] = static_cast<double>(found.size());
}

const bool registered = [] {
    for (const auto& impl : sha256::implementations())
        benchmark::RegisterBenchmark(("BM_Compress/" + std::string(impl.name)).c_str(), BM_Compress, &impl);
    benchmark::RegisterBenchmark("BM_ShaniCompressStreams", BM_ShaniCompressStreams)->DenseRange(1, 4);
    benchmark::RegisterBenchmark("BM_ReferenceSha256dNonce", BM_ReferenceSha256dNonce);
    static const std::vector<BackendInfo> backends = bench_backends();
    const bool full = std::getenv("HASHFORGE_BENCH_FULL") != nullptr;
    for (const auto& b : backends) {
        benchmark::RegisterBenchmark(("BM_Sha256dNonce/" + b.name).c_str(), BM_Sha256dNonce, &b);
        auto* r = benchmark::RegisterBenchmark(("BM_FullRangeScan/" + b.name).c_str(), BM_FullRangeScan, &b);
        r->Arg(b.name == "scalar" || b.name == "shani+sse" ? 20 : 24)->Unit(benchmark::kMillisecond)->Iterations(1);
        if (full) r->Arg(32);
    }
    return true;
}();

}  // namespace

BENCHMARK_MAIN();
