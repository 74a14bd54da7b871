// The BM13xx serial protocol (Bitmain BM1387/BM1397/BM1366 family), as public notes describe it:
// ESP-Miner's bm1397_protocol.md, skot/BM1397's bm1366_protocol.md and mujina's PROTOCOL.md.
//
// Host -> chip:  55 AA | type/flags | length | payload | CRC
//   type/flags: bit 6 = command (1) or work (0), bit 4 = broadcast to all chips, bits 3..0 = command.
//   length counts type/flags, length, payload and CRC. Commands end in CRC5, jobs in CRC16 (high
//   byte first).
// Chip -> host:  AA 55 | payload | CRC5 byte (bits 7..5 response type: 0 register, 4 nonce)
//   BM1397: 9 bytes  (nonce[4], midstate number, job id, CRC5)
//   BM1366-class: 11 bytes (nonce[4], excess difficulty, job id|sub-core, version bits[2], CRC5)
//   register read: 9 bytes (value[4] big-endian, chip address, register address, CRC5); a
//   BM1366-class chip adds two bytes (11 in all) once version rolling is enabled (reg 0xA4).
// The nonce travels in header byte order. Rolled version bits travel most significant byte first
// (ESP-Miner: ntohs(version) << 13), register values too; job fields are little-endian, and the
// 32-byte hashes of a full-header job travel as eight 4-byte words in reverse word order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/sha256.hpp"

namespace hf::hw::bm13xx {

class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::uint8_t kCommandPreamble[2] = {0x55, 0xAA};
inline constexpr std::uint8_t kResponsePreamble[2] = {0xAA, 0x55};

inline constexpr std::uint8_t kTypeCommand = 0x40;
inline constexpr std::uint8_t kTypeWork = 0x20;  // a job (BM1397 sends 0x21)
inline constexpr std::uint8_t kBroadcast = 0x10;
enum class Cmd : std::uint8_t { SetAddress = 0, Write = 1, Read = 2, ChainInactive = 3 };

// Register map (addresses as the public notes give them).
namespace reg {
inline constexpr std::uint8_t kChipId = 0x00;      // read: chip id (e.g. 0x1397), core count, address
inline constexpr std::uint8_t kPll0 = 0x08;        // hash clock PLL
inline constexpr std::uint8_t kNonceRange = 0x10;  // nonces per core slice
inline constexpr std::uint8_t kTicketMask = 0x14;  // on-chip difficulty floor
inline constexpr std::uint8_t kMiscControl = 0x18;
inline constexpr std::uint8_t kUartBaud = 0x28;
inline constexpr std::uint8_t kVersionMask = 0xA4; // BM1366-class version rolling
// Emulator-only (no real chip has it): a comparator floor below difficulty 1, in leading zero bits
// (0..31), so tests and CPU-speed mining see results; 0xFFFFFFFF = off (the ticket mask rules).
inline constexpr std::uint8_t kEmuZeroBits = 0xF0;
}  // namespace reg

struct Command {
    Cmd cmd = Cmd::Read;
    bool broadcast = false;
    std::uint8_t chip_address = 0;
    std::uint8_t reg_address = 0;
    std::uint32_t value = 0;  // Write only
};

// 55 AA ... CRC5 (7 bytes, or 11 for a register write).
std::vector<std::uint8_t> encode_command(const Command& c);

// A BM1397-format job: the host supplies up to four midstates (one per rolled version).
struct JobPacket {
    std::uint8_t job_id = 0;
    std::uint32_t starting_nonce = 0;
    std::uint32_t nbits = 0;
    std::uint32_t ntime = 0;
    std::array<std::uint8_t, 4> merkle_tail{};  // header bytes 64..67
    std::vector<sha256::State> midstates;       // 1..4
};
std::vector<std::uint8_t> encode_job(const JobPacket& job);

// A BM1366-class job: the whole header; the chip computes midstates and rolls the version itself.
// job_header carries the host's job id (ESP-Miner steps it by 8: bits 6..3).
struct FullJobPacket {
    std::uint8_t job_header = 0;
    std::uint32_t starting_nonce = 0;
    std::uint32_t nbits = 0;
    std::uint32_t ntime = 0;
    std::array<std::uint8_t, 32> merkle_root{};  // header byte order
    std::array<std::uint8_t, 32> prev_hash{};    // header byte order
    std::uint32_t version = 0;
};
std::vector<std::uint8_t> encode_full_job(const FullJobPacket& job);  // 88 bytes
// A 32-byte header field as a full job carries it: its eight 4-byte words in reverse order.
std::array<std::uint8_t, 32> reverse_words(std::span<const std::uint8_t, 32> bytes);

// A midstate on the wire, as ESP-Miner builds it: state words H7..H0, each most significant byte first.
std::array<std::uint8_t, 32> midstate_to_wire(const sha256::State& s);
sha256::State midstate_from_wire(std::span<const std::uint8_t, 32> bytes);

struct NonceResponse {
    std::uint32_t nonce = 0;
    std::uint8_t midstate = 0;  // BM1397: midstate number; BM1366-class: excess difficulty
    std::uint8_t job_id = 0;    // the raw byte: job id and sub-core/midstate bits, per model
    std::optional<std::uint16_t> version_bits;  // 11-byte format: (version >> 13) & 0xffff, sent big-endian
};
struct RegisterResponse {
    std::uint32_t value = 0;
    std::uint8_t chip_address = 0;
    std::uint8_t reg_address = 0;
};
std::vector<std::uint8_t> encode_nonce_response(const NonceResponse& r);  // 9 or 11 bytes
// 9 bytes, or 11 (two zero bytes before the CRC) in the long format.
std::vector<std::uint8_t> encode_register_response(const RegisterResponse& r, bool long_format = false);

// What arrives from a byte stream in either direction.
struct HostFrame {  // host -> chip
    bool is_job = false;       // a midstate job (BM1397 format): `job`
    bool is_full_job = false;  // a full-header job (BM1366 format): `full_job`
    Command command;
    JobPacket job;
    FullJobPacket full_job;
};
struct ChipFrame {  // chip -> host
    bool is_nonce = false;
    NonceResponse nonce;
    RegisterResponse reg;
};

// Reassembles frames from a byte stream: skips to a preamble, waits for the whole frame, checks
// its length and CRC. A frame that fails is counted and skipped, never delivered.
// errors() counts frames that failed; skipped() the bytes dropped while looking for a frame.
// A chip takes one job format: midstate jobs (BM1397: 1..4 midstates) or full-header jobs (BM1366);
// the two cannot be told apart by length alone (2 midstates and a full header are both 86 bytes).
enum class JobFormat { Midstate, FullHeader };
class HostFrameParser {
public:
    explicit HostFrameParser(JobFormat format = JobFormat::Midstate) : format_(format) {}
    void feed(std::span<const std::uint8_t> bytes);
    std::optional<HostFrame> next();
    std::uint64_t errors() const { return errors_; }
    std::uint64_t skipped() const { return skipped_; }

private:
    JobFormat format_;
    std::vector<std::uint8_t> buf_;
    std::uint64_t errors_ = 0, skipped_ = 0;
};

class ChipFrameParser {
public:
    explicit ChipFrameParser(bool version_format) : version_format_(version_format) {}
    void feed(std::span<const std::uint8_t> bytes);
    std::optional<ChipFrame> next();
    std::uint64_t errors() const { return errors_; }
    std::uint64_t skipped() const { return skipped_; }
    // A BM1366-class chip answers register reads in 9 bytes until version rolling is enabled.
    void set_version_format(bool on) { version_format_ = on; }

private:
    bool version_format_;
    std::vector<std::uint8_t> buf_;
    std::uint64_t errors_ = 0, skipped_ = 0;
};

// Leading zero bits of a hash read as Bitcoin reads it (a little-endian number): what the ticket
// mask compares (difficulty 2^k needs 32 + k).
unsigned leading_zero_bits(std::span<const std::uint8_t, 32> hash);

// The ticket mask register as drivers program it: difficulty (a power of two, rounded down) - 1,
// each byte bit-reversed in place (256 -> 00 00 00 FF, 512 -> 00 00 80 FF on the wire).
std::uint32_t ticket_mask_for_difficulty(std::uint64_t difficulty);
std::uint64_t difficulty_from_ticket_mask(std::uint32_t mask);

// PLL0: [flags][feedback divider][reference divider][post dividers p1 << 4 | p2] from a 25 MHz
// reference: f = 25 MHz * fbdiv / (refdiv * p1 * p2).
inline constexpr double kReferenceClockMHz = 25.0;
std::uint32_t pll_for_frequency(double mhz);
double frequency_from_pll(std::uint32_t value);  // 0 if the dividers are invalid

}  // namespace hf::hw::bm13xx
