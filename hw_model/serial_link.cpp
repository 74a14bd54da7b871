#include "hw_model/serial_link.hpp"

#include <stdexcept>

namespace hf::hw {

EmulatedSerialLink::EmulatedSerialLink(ChipChain& chain, unsigned baud) : chain_(chain), baud_(baud) {
    if (baud == 0) throw std::invalid_argument("baud rate must be positive");
}

void EmulatedSerialLink::write(std::span<const std::uint8_t> bytes) {
    down_ += bytes.size();
    if (corrupt_ && !bytes.empty()) {
        std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
        copy[copy.size() / 2] ^= 0x04;
        corrupt_ = false;
        chain_.from_host(copy);
        return;
    }
    chain_.from_host(bytes);
}

std::vector<std::uint8_t> EmulatedSerialLink::read() {
    auto bytes = chain_.to_host();
    up_ += bytes.size();
    return bytes;
}

}  // namespace hf::hw
