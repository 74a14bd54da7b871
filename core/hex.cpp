#include "core/hex.hpp"

#include <algorithm>

namespace hf {
namespace {

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string describe_char(char c) {
    if (c >= 0x21 && c <= 0x7e) return std::string("'") + c + "'";
    static const char* digits = "0123456789abcdef";
    const auto u = static_cast<unsigned char>(c);
    return std::string("byte 0x") + digits[u >> 4] + digits[u & 15];
}

void decode_checked(std::string_view hex, std::uint8_t* out, std::string_view what) {
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = nibble(hex[i]);
        const int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            const std::size_t bad = hi < 0 ? i : i + 1;
            throw HexError(std::string(what) + ": not a hex digit: " + describe_char(hex[bad]) +
                           " at position " + std::to_string(bad));
        }
        out[i / 2] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
}

}  // namespace

std::vector<std::uint8_t> hex_decode(std::string_view hex, std::string_view what) {
    if (hex.size() % 2 != 0)
        throw HexError(std::string(what) + ": odd number of hex digits (" + std::to_string(hex.size()) + ")");
    std::vector<std::uint8_t> out(hex.size() / 2);
    decode_checked(hex, out.data(), what);
    return out;
}

void hex_decode_into(std::string_view hex, std::span<std::uint8_t> out, std::string_view what) {
    if (hex.size() != out.size() * 2)
        throw HexError(std::string(what) + ": expected " + std::to_string(out.size() * 2) + " hex digits (" +
                       std::to_string(out.size()) + " bytes), got " + std::to_string(hex.size()));
    decode_checked(hex, out.data(), what);
}

std::uint32_t hex_to_u32(std::string_view hex, std::string_view what) {
    const auto b = hex_decode_fixed<4>(hex, what);
    return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
}

std::string hex_encode(std::span<const std::uint8_t> bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out(bytes.size() * 2, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    return out;
}

std::string hex_encode_reversed(std::span<const std::uint8_t> bytes) {
    std::vector<std::uint8_t> rev(bytes.rbegin(), bytes.rend());
    return hex_encode(rev);
}

std::string u32_to_hex(std::uint32_t v) {
    const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                        static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    return hex_encode(b);
}

}  // namespace hf
