// The BM13xx serial protocol (Bitmain BM1387/BM1397/BM1366 family), as public notes describe it:
// ESP-Miner's bm1397_protocol.md, skot/BM1397's bm1366_protocol.md and mujina's PROTOCOL.md.
//
// Host -> chip:  55 AA | type/flags | length | payload | CRC
//   type/flags: bit 6 = command (1) or work (0), bit 4 = broadcast to all chips, bits 3..0 = command.
//   length counts type/flags, length, payload and CRC. Commands end in CRC5, jobs in CRC16 (high
//   byte first).
// Chip -> host:  AA 55 | payload | CRC5 byte (bits 7..5 response type: 0 register, 4 nonce)
//   BM1397: 9 bytes  (nonce[4], midstate number, job id, CRC5)
//   BM1366-class: 11 bytes (nonce[4], midstate number, job id, version bits[2] LE, CRC5)
//   register read: 9 bytes (value[4] big-endian, chip address, register address, CRC5)
// Multi-byte data are little-endian except register values, which are sent as they sit in the
// register (most significant byte first), as the published example packets show.
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

// A midstate on the wire: its 32-byte big-endian serialisation, reversed (this emulator's convention).
std::array<std::uint8_t, 32> midstate_to_wire(const sha256::State& s);
sha256::State midstate_from_wire(std::span<const std::uint8_t, 32> bytes);

struct NonceResponse {
    std::uint32_t nonce = 0;
    std::uint8_t midstate = 0;
    std::uint8_t job_id = 0;
    std::optional<std::uint16_t> version_bits;  // present in the 11-byte format: (version >> 13) & 0xffff
};
struct RegisterResponse {
    std::uint32_t value = 0;
    std::uint8_t chip_address = 0;
    std::uint8_t reg_address = 0;
};
std::vector<std::uint8_t> encode_nonce_response(const NonceResponse& r);  // 9 or 11 bytes
std::vector<std::uint8_t> encode_register_response(const RegisterResponse& r);  // 9 bytes

// What arrives from a byte stream in either direction.
struct HostFrame {  // host -> chip
    bool is_job = false;
    Command command;
    JobPacket job;
};
struct ChipFrame {  // chip -> host
    bool is_nonce = false;
    NonceResponse nonce;
    RegisterResponse reg;
};

// Reassembles frames from a byte stream: skips to a preamble, waits for the whole frame, checks
// its length and CRC. A frame that fails is counted and skipped, never delivered.
class HostFrameParser {
public:
    void feed(std::span<const std::uint8_t> bytes);
    std::optional<HostFrame> next();
    std::uint64_t errors() const { return errors_; }

private:
    std::vector<std::uint8_t> buf_;
    std::uint64_t errors_ = 0;
};

class ChipFrameParser {
public:
    explicit ChipFrameParser(bool version_format) : version_format_(version_format) {}
    void feed(std::span<const std::uint8_t> bytes);
    std::optional<ChipFrame> next();
    std::uint64_t errors() const { return errors_; }

private:
    bool version_format_;
    std::vector<std::uint8_t> buf_;
    std::uint64_t errors_ = 0;
};

// The ticket mask register as drivers program it: difficulty (a power of two, rounded down) - 1,
// each byte bit-reversed, least significant byte last.
std::uint32_t ticket_mask_for_difficulty(std::uint64_t difficulty);
std::uint64_t difficulty_from_ticket_mask(std::uint32_t mask);

// PLL0: [flags][feedback divider][reference divider][post dividers p1 << 4 | p2] from a 25 MHz
// reference: f = 25 MHz * fbdiv / (refdiv * p1 * p2).
inline constexpr double kReferenceClockMHz = 25.0;
std::uint32_t pll_for_frequency(double mhz);
double frequency_from_pll(std::uint32_t value);  // 0 if the dividers are invalid

}  // namespace hf::hw::bm13xx
