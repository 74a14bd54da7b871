// Hex text <-> bytes. Every decoder names the field it was decoding in its error, so a user who
// passes a bad extranonce or a pool that sends a short prevhash is told exactly what was wrong.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hf {

class HexError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// Decodes any even-length hex string (upper or lower case). `what` names the field in errors.
std::vector<std::uint8_t> hex_decode(std::string_view hex, std::string_view what = "hex");

// Decodes exactly `out.size()` bytes; any other length is an error naming `what`.
void hex_decode_into(std::string_view hex, std::span<std::uint8_t> out, std::string_view what);

template <std::size_t N>
std::array<std::uint8_t, N> hex_decode_fixed(std::string_view hex, std::string_view what) {
    std::array<std::uint8_t, N> out{};
    hex_decode_into(hex, out, what);
    return out;
}

// Exactly 8 hex digits read as a big-endian 32-bit number, as Stratum sends version, nbits, ntime, nonce.
std::uint32_t hex_to_u32(std::string_view hex, std::string_view what);

std::string hex_encode(std::span<const std::uint8_t> bytes);
// The bytes in reverse order, as Bitcoin displays hashes.
std::string hex_encode_reversed(std::span<const std::uint8_t> bytes);
// 8 lower-case hex digits, big-endian: the exact width mining.submit requires.
std::string u32_to_hex(std::uint32_t value);

}  // namespace hf
