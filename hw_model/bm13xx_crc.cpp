#include "hw_model/bm13xx_crc.hpp"

namespace hf::hw::bm13xx {

std::uint8_t crc5(std::span<const std::uint8_t> data, std::size_t bits) {
    std::uint8_t crc = 0x1f;
    for (std::size_t i = 0; i < bits && i / 8 < data.size(); ++i) {
        const unsigned bit = (data[i / 8] >> (7 - i % 8)) & 1u;
        const unsigned feedback = ((crc >> 4) & 1u) ^ bit;
        crc = static_cast<std::uint8_t>((crc << 1) & 0x1f);
        if (feedback) crc ^= 0x05;
    }
    return crc;
}

std::uint16_t crc16_ccitt_false(std::span<const std::uint8_t> data) {
    std::uint16_t crc = 0xffff;
    for (std::uint8_t byte : data) {
        crc ^= static_cast<std::uint16_t>(byte << 8);
        for (int i = 0; i < 8; ++i)
            crc = static_cast<std::uint16_t>(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

}  // namespace hf::hw::bm13xx
