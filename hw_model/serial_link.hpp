// The in-process host view of an emulated chain: a byte pipe (the asic-emu backend drives chips
// through it). Real chips, and the emulator on a pseudo-terminal, use hw_model/host's SerialPort.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hw_model/asic_chip.hpp"

namespace hf::hw {

class ByteLink {
public:
    virtual ~ByteLink() = default;
    virtual void write(std::span<const std::uint8_t> bytes) = 0;
    virtual std::vector<std::uint8_t> read() = 0;  // whatever has arrived (possibly nothing)
};

// A UART at `baud` (8N1: 10 bit times per byte) into an emulated chain. Time on the wire and hash
// time are both modeled, not slept.
class EmulatedSerialLink final : public ByteLink {
public:
    EmulatedSerialLink(ChipChain& chain, unsigned baud);
    void write(std::span<const std::uint8_t> bytes) override;
    std::vector<std::uint8_t> read() override;

    unsigned baud() const { return baud_; }
    std::uint64_t bytes_down() const { return down_; }
    std::uint64_t bytes_up() const { return up_; }
    double wire_seconds() const { return (down_ + up_) * 10.0 / baud_; }  // modeled
    // Flips one bit of the next byte written (to test that CRCs catch line noise).
    void corrupt_next_write() { corrupt_ = true; }

private:
    ChipChain& chain_;
    unsigned baud_;
    std::uint64_t down_ = 0, up_ = 0;
    bool corrupt_ = false;
};

}  // namespace hf::hw
