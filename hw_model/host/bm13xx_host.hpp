// The host side of a BM1366 or BM1397 chain on a serial port, written to drive real silicon (a
// Bitaxe) the way ESP-Miner's drivers do: count the chips by their chip-id answers, address them,
// program PLL, ticket mask and version mask, send jobs with the model's job-id stepping, and
// decode results with the model's own bit layout. It knows nothing of hashforge's emulator.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/block_header.hpp"
#include "hw_model/bm13xx_protocol.hpp"
#include "hw_model/host/serial_port.hpp"

namespace hf::hw::host {

enum class ChipModel { BM1366, BM1397 };

// What a host must know of a model on its own (chips report their id, not their geometry).
struct ModelInfo {
    ChipModel model;
    const char* name;
    std::uint16_t chip_id;
    unsigned cores;          // for the nonce-field decode and the job interval
    unsigned sub_cores;      // per core
    bool full_header_jobs;   // BM1366: header jobs, the chip rolls versions; BM1397: midstates
    std::uint8_t job_id_step;   // 8 (BM1366) / 4 (BM1397), ids wrap at 128
    std::uint8_t job_id_mask;   // bits of the result's job byte that carry the id: 0xF8 / 0xFC
    double default_frequency_mhz;
};
const ModelInfo& model_info(ChipModel m);
std::optional<ChipModel> parse_chip_model(const std::string& name);  // "bm1366", "BM1397"

// PLL0 as each model's driver writes it (25 MHz reference): {vdo scale, fb_div, ref_div, post}.
// BM1366: post = (p1 - 1) << 4 | (p2 - 1); BM1397: post = p1 << 4 | p2. Returns {value, MHz}.
std::pair<std::uint32_t, double> pll_register(ChipModel m, double mhz);

// A job as the host keeps it: the header it describes (version = the job's base version).
struct HostJob {
    HeaderBytes header{};
    std::uint32_t version_mask = 0;  // what the pool lets us roll
    std::uint64_t tag = 0;           // the caller's bookkeeping (which extranonce2, which pool job)
};

// One result, decoded and re-hashed on the host.
struct HostResult {
    std::uint8_t job_id = 0;       // masked per model
    std::uint32_t nonce = 0;       // header order, as the chip sent it
    std::uint32_t version = 0;     // rolled version rebuilt from the result
    unsigned chip = 0;             // chain position, from the nonce's address field
    unsigned core = 0;             // from the nonce's core field
    unsigned sub = 0;              // sub-core (BM1366) or midstate (BM1397)
    Hash256 hash{};
    unsigned zero_bits = 0;        // leading zero bits of the hash
    HostJob job;
};

struct HostCounters {
    std::uint64_t results = 0;
    std::uint64_t stale = 0;            // job id not (or no longer) live
    std::uint64_t hardware_errors = 0;  // rehash shows no work: < kEvidenceZeroBits, or bits outside the mask
    std::uint64_t below_ticket = 0;     // real work, but easier than the ticket mask asked for
    std::uint64_t crc_errors = 0;
    std::uint64_t bytes_skipped = 0;
    std::uint64_t register_reads = 0;
};

// A result whose rebuilt header hashes to fewer leading zero bits than this shows no work at all
// (a wrong nonce passes with odds 1 in 65536): a hardware error. Between this and the ticket mask
// it is real work the chip was not asked for (a difficulty-scaled emulator sends such results);
// it is counted apart and used like any other.
inline constexpr unsigned kEvidenceZeroBits = 16;

class Bm13xxHost {
public:
    Bm13xxHost(SerialPort& port, ChipModel model);

    // The init sequence ESP-Miner runs: (BM1366) enable version rolling, read chip ids from all
    // chips and count the answers, chain inactive, set addresses 256/N apart, core and misc
    // registers, ticket mask, PLL, hash counting number. Returns the chips found; throws when
    // none answer or the count differs from `expected` (0: accept any).
    unsigned init(unsigned expected, double frequency_mhz, double ticket_difficulty);

    void set_ticket_difficulty(double difficulty);  // rounded down to a power of two, at least 1
    std::uint64_t ticket_difficulty() const { return ticket_; }
    void set_version_mask(std::uint32_t mask);      // BM1366: register 0xA4; BM1397: host midstates
    // Sends `job` with the next job id and returns it. With `clean`, results of every earlier
    // job become stale; otherwise earlier ids stay live until their id comes round again.
    std::uint8_t send_job(const HostJob& job, bool clean);
    // Reads for up to `timeout_ms` and returns the verified results that arrived.
    std::vector<HostResult> poll(int timeout_ms);

    void write_register(std::uint8_t reg, std::uint32_t value, std::optional<std::uint8_t> chip = std::nullopt);
    // Register reads from every chip (broadcast) or one; the answers that arrive within `timeout_ms`.
    std::vector<bm13xx::RegisterResponse> read_register(std::uint8_t reg, std::optional<std::uint8_t> chip, int timeout_ms);

    const ModelInfo& info() const { return info_; }
    unsigned chips() const { return chips_; }
    unsigned address_interval() const { return interval_; }
    double frequency_mhz() const { return frequency_; }
    const HostCounters& counters() const { return counters_; }

private:
    void send_raw(const std::vector<std::uint8_t>& bytes);
    std::optional<HostResult> verify(const bm13xx::NonceResponse& r);
    void absorb(std::vector<HostResult>* results, std::vector<bm13xx::RegisterResponse>* regs);

    SerialPort& port_;
    const ModelInfo& info_;
    bm13xx::ChipFrameParser parser_;
    unsigned chips_ = 0, interval_ = 256;
    double frequency_ = 0;
    std::uint64_t ticket_ = 1;
    std::uint32_t version_mask_ = 0;
    std::uint8_t next_id_ = 0;
    std::array<std::optional<HostJob>, 128> live_{};  // by job id
    HostCounters counters_;
};

}  // namespace hf::hw::host
