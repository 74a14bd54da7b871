#include "hw_model/host/serial_port.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hf::hw::host {
namespace {

std::runtime_error sys_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

speed_t speed_for(unsigned baud) {
    switch (baud) {
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        case 230400: return B230400;
        case 460800: return B460800;
        case 500000: return B500000;
        case 921600: return B921600;
        case 1000000: return B1000000;
        case 3000000: return B3000000;
    }
    throw std::invalid_argument("unsupported baud rate " + std::to_string(baud));
}

}  // namespace

SerialPort::SerialPort(const std::string& path, unsigned baud) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) throw sys_error(path);
    if (!isatty(fd_)) {
        ::close(fd_);
        throw std::runtime_error(path + ": not a serial device (tty)");
    }
    set_baud(baud);
}

SerialPort::~SerialPort() {
    if (fd_ >= 0) ::close(fd_);
}

void SerialPort::set_baud(unsigned baud) {
    termios t{};
    if (tcgetattr(fd_, &t) != 0) throw sys_error(path_);
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(CSTOPB | CRTSCTS | PARENB);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    const speed_t s = speed_for(baud);
    cfsetispeed(&t, s);
    cfsetospeed(&t, s);
    if (tcsetattr(fd_, TCSANOW, &t) != 0) throw sys_error(path_);
}

void SerialPort::write(std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) throw sys_error(path_ + ": write");
        pollfd p{fd_, POLLOUT, 0};
        if (poll(&p, 1, 1000) == 0) throw std::runtime_error(path_ + ": write timed out (1 s)");
    }
}

std::vector<std::uint8_t> SerialPort::read(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    const int r = poll(&p, 1, timeout_ms);
    if (r < 0 && errno != EINTR) throw sys_error(path_ + ": poll");
    std::vector<std::uint8_t> out;
    if (r <= 0) return out;
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL) && !(p.revents & POLLIN))
        throw std::runtime_error(path_ + ": device closed");
    std::uint8_t buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n > 0) {
            out.insert(out.end(), buf, buf + n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
        if (n < 0) throw sys_error(path_ + ": read");
        break;
    }
    return out;
}

void SerialPort::drain_input() { tcflush(fd_, TCIFLUSH); }

}  // namespace hf::hw::host
