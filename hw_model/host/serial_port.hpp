// A serial device opened the way a host for real BM13xx chips opens its UART: termios raw mode,
// 8N1, no flow control, at a standard baud rate. Works the same on a USB-serial adapter and on a
// pseudo-terminal.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hf::hw::host {

class SerialPort {
public:
    // Throws std::runtime_error saying why (no such device, not a tty, permission...).
    SerialPort(const std::string& path, unsigned baud = 115200);
    ~SerialPort();
    SerialPort(const SerialPort&) = delete;
    SerialPort& operator=(const SerialPort&) = delete;

    void write(std::span<const std::uint8_t> bytes);  // all of it, or throws
    // Whatever arrives within `timeout_ms` (possibly nothing); throws if the device is gone.
    std::vector<std::uint8_t> read(int timeout_ms);
    void set_baud(unsigned baud);
    // Discards unread input (as ESP-Miner's SERIAL_clear_buffer does after an error).
    void drain_input();
    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace hf::hw::host
