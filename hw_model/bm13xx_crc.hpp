// The two checksums of the BM13xx serial protocol.
//  - CRC5 (polynomial x^5 + x^2 + 1, initial value 0b11111, most significant bit first, no final
//    XOR) protects commands and responses. A response's CRC covers every bit before its last five,
//    including the three response-type bits that share the last byte with it.
//  - CRC16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, MSB first, no final XOR) protects
//    job packets and is sent high byte first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hf::hw::bm13xx {

// CRC5 over the first `bits` bits of `data` (all of them by default).
std::uint8_t crc5(std::span<const std::uint8_t> data, std::size_t bits);
inline std::uint8_t crc5(std::span<const std::uint8_t> data) { return crc5(data, data.size() * 8); }

std::uint16_t crc16_ccitt_false(std::span<const std::uint8_t> data);

}  // namespace hf::hw::bm13xx
