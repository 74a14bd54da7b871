// The registry of core hashing backends (Bitcoin Core style: one source file per instruction set,
// one dispatch that picks once, a self-test of each), their start-up self-test against the
// portable reference, and the measured calibration that picks the fastest on this machine.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash_backend.hpp"

namespace hf {

// Factories, one per backend source file. Calling one whose instruction set this CPU lacks is
// allowed (construction runs no special instructions); scanning with it is not.
std::unique_ptr<HashBackend> make_scalar_backend();
std::unique_ptr<HashBackend> make_shani_backend();
std::unique_ptr<HashBackend> make_avx2_backend();
// SHA-NI with 1..4 nonces interleaved ("shani-x1".."shani-x4"), for measuring the interleave;
// "shani" uses shani_streams(): the fastest of 2..4 here, measured once (2 unless 3 or 4 is
// clearly faster).
std::unique_ptr<HashBackend> make_shani_backend_streams(int streams);
int shani_streams();
// (SHA-NI interleaved with SSE or AVX2 lanes in one thread was measured and lost heavily on this
// machine; see the README and commit 31b85c9, where the shani+sse / shani+avx2 backends live.)
std::unique_ptr<HashBackend> make_avx512_backend();
// AVX-512 with 1 or 2 independent 16-lane groups interleaved ("avx512", "avx512-x2"), for measuring.
std::unique_ptr<HashBackend> make_avx512_backend_groups(int groups);
// 16 AVX-512 lanes and 2 SHA-NI streams woven in one thread, 18 nonces a step ("avx512+shani");
// with 1..3 streams ("avx512+shani-x1".."-x3") for measuring the ratio (docs/performance-kernels.md).
std::unique_ptr<HashBackend> make_avx512_shani_backend();
std::unique_ptr<HashBackend> make_avx512_shani_backend_streams(int streams);

// Every backend compiled into core, in a fixed listing order (scalar first). The order is for
// display only: dispatch measures (see choose_backend).
const std::vector<BackendInfo>& core_backends();
// The entry named `name` in `backends`, if any.
std::optional<BackendInfo> find_backend(std::span<const BackendInfo> backends, std::string_view name);

// Why supported() is false: "not supported by this CPU", or for the GPU era the OpenCL reason
// ("no OpenCL device", a kernel build failure).
std::string unsupported_reason(const BackendInfo& backend);

// Checks a backend against the portable reference: the genesis block's nonce is found (and only
// it) at difficulty 1, and for random headers at an easy target the exact set of nonces found
// equals the reference's, across lane boundaries and the 2^32 wrap. Empty string: pass.
std::string backend_self_test(const BackendInfo& backend);
// supported() and backend_self_test() passed; the self-test result is cached per name.
bool backend_usable(const BackendInfo& backend);

struct CalibrationResult {
    std::string name;
    bool usable = false;
    std::string why_not;    // "not supported by this CPU" or the self-test failure
    double hashrate = 0;    // measured, hashes per second, one thread
};

// Measures each usable backend on the calling thread and returns the fastest (scalar if nothing
// else is usable). Backends are measured in turns, three rounds of about per_backend / 3 each,
// in hashes per second of this thread's CPU time (so a burst the OS interrupted does not count
// against a backend), keeping each backend's best round. Every result, including the unusable
// ones, goes to `report`.
BackendInfo choose_backend(std::span<const BackendInfo> backends,
                           std::chrono::milliseconds per_backend = std::chrono::milliseconds(5),
                           std::vector<CalibrationResult>* report = nullptr);

// Hashes `backend` can do in about `duration` on the calling thread (a random header, an
// impossible target). Returns {hashes, seconds} measured with steady_clock.
struct Measurement {
    std::uint64_t hashes = 0;
    double seconds = 0;
    double rate() const { return seconds > 0 ? static_cast<double>(hashes) / seconds : 0; }
};
Measurement measure_backend(const BackendInfo& backend, std::chrono::duration<double> duration);
// The same on `threads` threads at once, each with its own instance and nonces: hashes summed,
// seconds the longest thread's wall time.
Measurement measure_backend(const BackendInfo& backend, std::chrono::duration<double> duration, unsigned threads);
// The same, but `seconds` is the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID) over the run.
Measurement measure_backend_cpu(const BackendInfo& backend, std::chrono::duration<double> cpu_duration);

}  // namespace hf
