// The interface every hashing backend implements: scan a range of nonces of one header and report
// the nonces whose sha256d meets a target. CPU (scalar, shani), GPU-style SIMD (avx2, avx512), a
// real GPU kernel (opencl) and the emulated ASIC (hw_model's asic-emu) all look the same to the
// search engine.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/block_header.hpp"
#include "core/sha256.hpp"
#include "core/uint256.hpp"

namespace hf {

// Everything a scanner needs for one header, derived once per (job, extranonce2, version).
struct ScanWork {
    HeaderBytes header{};             // the nonce field is ignored
    sha256::State midstate{};         // SHA-256 state after header bytes 0..63
    std::array<std::uint32_t, 3> tail{};  // header bytes 64..75 as big-endian message words W0..W2
    U256 target;                      // report nonces whose hash <= target

    static ScanWork from_header(const HeaderBytes& header, const U256& target);
};

// [first, first + count) with count up to 2^32: a whole nonce space fits.
struct NonceRange {
    std::uint32_t first = 0;
    std::uint64_t count = 0;
};

enum class Era { Cpu, GpuStyle, Gpu, Asic };
std::string_view era_name(Era era);  // "CPU", "GPU-style", "GPU", "ASIC"

class HashBackend {
public:
    virtual ~HashBackend() = default;
    virtual std::string_view name() const = 0;
    virtual Era era() const = 0;
    // Scans `range`, appending to `found` every nonce whose sha256d meets work.target (a backend
    // may report extra candidates; the engine re-hashes each on the host before anyone sees it).
    // Returns the number of nonces hashed. Checks `stop` often enough to return within about 1 ms.
    virtual std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                               const std::atomic<bool>& stop) = 0;
};

// A backend that is one scan function and nothing else: every CPU backend is one of these, made in
// the file of its instruction set (where `Scan` is compiled for that set).
using ScanFunction = std::uint64_t (*)(const ScanWork&, NonceRange, std::vector<std::uint32_t>&, const std::atomic<bool>&);
template <ScanFunction Scan>
class KernelBackend final : public HashBackend {
public:
    KernelBackend(std::string_view name, Era era) : name_(name), era_(era) {}
    std::string_view name() const override { return name_; }
    Era era() const override { return era_; }
    std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                       const std::atomic<bool>& stop) override {
        return Scan(work, range, found, stop);
    }

private:
    std::string_view name_;  // a literal: backends are named in their own files
    Era era_;
};

// One entry per backend compiled in. Core registers scalar/shani/avx2/avx512; the CLI adds
// hw_model's asic-emu, so core never depends on hw_model.
struct BackendInfo {
    std::string name;
    Era era;
    std::function<bool()> supported;                       // can this machine run it?
    std::function<std::unique_ptr<HashBackend>()> create;  // a fresh instance per worker thread
};

}  // namespace hf
