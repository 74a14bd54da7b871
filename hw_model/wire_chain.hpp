// A chain of emulated BM1366 or BM1397 chips as they behave on a real UART: the bytes in are what
// a host for real silicon sends (ESP-Miner's drivers are the reference), the bytes out are what
// real chips answer. It owns no host logic: it parses, stores registers, hashes and answers.
//
// How the chips split the work, as the silicon does (see docs/serial-chip.md):
//  - The nonce, read most significant byte first (the SHA-256 message word W3), is
//      BM1366: core[31:25] | chip address bits 7..1 [24:18] | counter[17:0]   (mujina's captures)
//      BM1397: core[31:25] | counter[24:0] from address << 17 up to the next chip's address
//    (ESP-Miner decodes the chip as ((W3 >> 17) & 0xff) / address interval for both), so each
//    chip sweeps its own slice and each core the nonces carrying its number.
//  - BM1366: the chip rolls the version itself within the version-mask register (0xA4); a core's
//    sub-cores hash the same nonces with consecutive rolled versions. BM1397: one sweep per
//    host-supplied midstate (1 or 4).
//  - A result is sent when the hash has the leading zero bits the ticket mask (0x14) asks for
//    (32 + log2 difficulty, never fewer than 32: difficulty 1 is the hardware floor), less
//    log2(difficulty scale).
// Thread safety: every public member may be called from any thread; step() may run on several
// threads at once (each takes the next sweep position).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/hash_backend.hpp"
#include "hw_model/bm13xx_protocol.hpp"
#include "hw_model/chip_description.hpp"

namespace hf::hw {

enum class WireModel { BM1366, BM1397 };
const char* wire_model_name(WireModel m);  // "BM1366", "BM1397"

struct WireChipProfile {
    WireModel model = WireModel::BM1366;
    std::uint16_t chip_id = 0x1366;
    unsigned cores = 112;     // cores that split the nonce space (the core-id field holds 0..127)
    unsigned sub_cores = 8;   // BM1366: versions hashed per sweep position
    double frequency_mhz = 485;  // until the host writes the PLL
};
// Published figures: BM1366 112 cores x 8 sub-cores (mujina REFERENCE.md); BM1397 168 cores x 4
// sub-cores (ESP-Miner's device table), of which the 7-bit core field addresses 128.
WireChipProfile default_wire_profile(WireModel m);
// From a chip description with a protocol: BM1366 engines are grouped 8 sub-cores to a core (the
// result's 3-bit sub-core field); a BM1397's cores hash its `core.midstates` midstates. Throws
// ChipDescriptionError when the description names no serial protocol.
WireChipProfile wire_profile(const ChipDescription& chip);

struct WireChainConfig {
    WireChipProfile profile;
    unsigned chips = 1;
    std::uint64_t difficulty_scale = 1;  // a power of two, 1 .. 2^24: divides the chips' difficulty
    BackendInfo backend;                 // the hashing path (core's fastest by default)
};

// Everything the chain ignored, as silicon would, counted.
struct WireCounters {
    std::uint64_t frames = 0;            // host frames accepted
    std::uint64_t bad_frames = 0;        // CRC or length/type failures
    std::uint64_t bytes_skipped = 0;     // garbage between frames (including bad frames' bytes)
    std::uint64_t no_such_address = 0;   // commands to an address no chip has
    std::uint64_t jobs_before_init = 0;  // jobs sent before any chip had an address
    std::uint64_t jobs = 0;
    std::uint64_t results = 0;           // nonce responses sent
    std::uint64_t hashes = 0;            // sha256d computed by all chips
};

class WireChain {
public:
    explicit WireChain(WireChainConfig config);
    ~WireChain();

    // Bytes from the host; complete frames are acted on at once.
    void from_host(std::span<const std::uint8_t> bytes);
    // Bytes for the host (register answers, results), cleared by the call.
    std::vector<std::uint8_t> take_upstream();

    // Hashes the next sweep position of the current job (every chip, core and version at one
    // counter value). Returns the hashes done; 0 when there is nothing to hash.
    std::uint64_t step();
    bool hashing() const;

    WireCounters counters() const;
    const WireChainConfig& config() const { return config_; }
    std::uint32_t read_register(unsigned chip, std::uint8_t reg) const;
    std::uint8_t chip_address(unsigned chip) const;
    // Zero bits a result needs now (after the difficulty scale), per chip.
    unsigned result_zero_bits(unsigned chip) const;
    // Decoded traffic, one line per frame in ("<") and out (">"); for -v.
    void set_log(std::function<void(const std::string&)> log);

private:
    struct Chip;
    struct Sweep;
    struct Claim {  // one sweep position taken by step()
        std::shared_ptr<Sweep> sweep;
        std::shared_ptr<const std::vector<ScanWork>> works;
        std::vector<std::uint32_t> versions;
        std::uint64_t counter = 0;
        std::unique_ptr<HashBackend> backend;
    };
    struct ScanGroup {  // chips scanned together at one position
        std::uint32_t low24 = 0;      // W3 bits 23..0
        int owner[2] = {-1, -1};      // chip index for W3 bit 24 = 0 / 1
        unsigned zero_bits = 256;
    };
    bool claim(Claim& c);
    static std::vector<ScanGroup> groups_at(const Sweep& sweep, std::uint64_t counter);
    std::pair<std::vector<std::uint8_t>, std::string> result_frame(const Claim& c, const ScanGroup& g, std::size_t sub,
                                                                   std::uint32_t nonce, int owner) const;
    void act(const bm13xx::HostFrame& f);
    void load_job(const bm13xx::HostFrame& f);
    void answer_read(const Chip& chip, std::uint8_t reg);
    void send(const std::vector<std::uint8_t>& bytes, const std::string& what);
    unsigned zero_bits_locked(const Chip& chip) const;

    WireChainConfig config_;
    unsigned scale_bits_ = 0;
    mutable std::mutex mutex_;
    std::vector<Chip> chips_;
    bm13xx::HostFrameParser parser_;  // set up for the model's job format
    std::vector<std::uint8_t> upstream_;
    std::shared_ptr<Sweep> sweep_;  // the job being hashed, if any
    std::uint64_t generation_ = 0;
    WireCounters counters_;
    std::function<void(const std::string&)> log_;
    std::vector<std::unique_ptr<HashBackend>> idle_backends_;  // one per concurrent step()
};

}  // namespace hf::hw
