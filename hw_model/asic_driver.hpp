// The host side of a BM13xx chain, as cgminer's and ESP-Miner's drivers do it: enumerate the chain
// and give chips addresses, program registers (PLL, ticket mask, nonce range), send jobs, read
// nonce responses, drop results of stale job ids, and re-hash every nonce on the host before it
// counts (a nonce that does not re-hash to the programmed floor is a hardware error).
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "core/block_header.hpp"
#include "hw_model/bm13xx_protocol.hpp"
#include "hw_model/serial_link.hpp"

namespace hf::hw {

// A nonce the host re-hashed and found to meet the floor it programmed.
struct VerifiedNonce {
    std::uint32_t nonce = 0;
    std::uint32_t version = 0;  // the header version of the midstate it was found on
    unsigned midstate = 0;
    std::uint8_t job_id = 0;
    Hash256 hash{};
    unsigned zero_bits = 0;  // leading zero bits of the hash (as a little-endian number)
};

struct DriverCounters {
    std::uint64_t responses = 0;
    std::uint64_t stale_dropped = 0;    // job id no longer current
    std::uint64_t hardware_errors = 0;  // re-hash does not meet the floor
    std::uint64_t crc_errors = 0;       // corrupt frames from the chain
    std::uint64_t register_reads = 0;
};

using bm13xx::leading_zero_bits;

class Bm13xxDriver {
public:
    explicit Bm13xxDriver(ByteLink& link) : link_(link), parser_(false) {}

    // Counts chips (broadcast chip-id read), then gives them addresses 0, interval, 2*interval...
    // Returns the chip ids found, in chain order.
    std::vector<std::uint16_t> enumerate(unsigned address_interval = 2);

    void write_register(std::uint8_t reg, std::uint32_t value, std::optional<std::uint8_t> chip = std::nullopt);
    std::optional<std::uint32_t> read_register(std::uint8_t chip, std::uint8_t reg);
    void set_frequency(double mhz);
    // The on-chip floor in leading zero bits: 32 + log2(ticket difficulty) at or above difficulty
    // 1, the emulator's extra register below it.
    void set_floor_zero_bits(unsigned zero_bits);
    unsigned floor_zero_bits() const { return floor_; }
    void set_nonce_range(std::uint32_t per_core);

    // Sends a job for `header` with one midstate per version; returns its job id. With `clean`,
    // results of every earlier job are dropped as stale; otherwise the previous one stays valid.
    std::uint8_t send_job(const HeaderBytes& header, std::span<const std::uint32_t> versions, std::uint32_t starting_nonce,
                          bool clean = true);

    // Reads what the chain sent and returns the verified nonces.
    void poll(std::vector<VerifiedNonce>& out);
    const DriverCounters& counters() const { return counters_; }

private:
    struct ActiveJob {
        std::uint8_t id;
        HeaderBytes header;
        std::vector<std::uint32_t> versions;
    };
    void collect(std::vector<VerifiedNonce>* nonces, std::vector<bm13xx::RegisterResponse>* regs);

    ByteLink& link_;
    bm13xx::ChipFrameParser parser_;
    std::deque<ActiveJob> jobs_;
    std::uint8_t next_id_ = 0;
    unsigned floor_ = 32;
    DriverCounters counters_;
};

}  // namespace hf::hw
