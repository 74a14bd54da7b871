// The host's view of a chain: a byte pipe. The driver only ever writes and reads bytes, so the
// same driver could talk to real chips (or to this emulator behind a pseudo-terminal).
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
    // Lets hash time pass on the far side (an emulated chain runs its clocks; a real line waits).
    virtual void wait(double seconds) = 0;
};

// A UART at `baud` (8N1: 10 bit times per byte) into an emulated chain. Time on the wire and hash
// time are both modeled, not slept.
class EmulatedSerialLink final : public ByteLink {
public:
    EmulatedSerialLink(ChipChain& chain, unsigned baud);
    void write(std::span<const std::uint8_t> bytes) override;
    std::vector<std::uint8_t> read() override;
    void wait(double seconds) override;

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
