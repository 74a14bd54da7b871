#include "hw_model/pty_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

namespace hf::hw {
namespace {

std::runtime_error sys_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

// Unread results are held up to this much (a UART with nobody reading would block the chain's
// busy line); beyond it the oldest are dropped, as a host that never reads loses them anyway.
constexpr std::size_t kMaxPendingOut = 1 << 20;

}  // namespace

PtyServer::PtyServer(WireChain& chain, std::string link_path) : chain_(chain), link_(std::move(link_path)) {
    if (link_.empty()) throw std::runtime_error("--pty: empty path");
    struct stat st {};
    if (lstat(link_.c_str(), &st) == 0 && !S_ISLNK(st.st_mode))
        throw std::runtime_error("--pty " + link_ + ": a file that is not a symbolic link is in the way");
    if (openpty(&master_, &slave_, nullptr, nullptr, nullptr) != 0) throw sys_error("openpty");
    termios t{};
    tcgetattr(slave_, &t);
    cfmakeraw(&t);
    cfsetspeed(&t, B115200);
    tcsetattr(slave_, TCSANOW, &t);
    fcntl(master_, F_SETFL, fcntl(master_, F_GETFL) | O_NONBLOCK);
    device_ = ttyname(slave_);
    unlink(link_.c_str());
    if (symlink(device_.c_str(), link_.c_str()) != 0) {
        const auto e = sys_error("--pty " + link_);
        close(master_);
        close(slave_);
        throw e;
    }
}

PtyServer::~PtyServer() {
    char target[256] = {};
    // Remove the link only if it still points at our device (someone may have replaced it).
    if (readlink(link_.c_str(), target, sizeof target - 1) > 0 && device_ == target) unlink(link_.c_str());
    close(master_);
    close(slave_);  // held open so the master never reads EIO between host sessions
}

void PtyServer::pump_io(int timeout_ms) {
    pollfd p{master_, POLLIN, 0};
    if (!pending_out_.empty()) p.events |= POLLOUT;
    if (poll(&p, 1, timeout_ms) < 0 && errno != EINTR) throw sys_error("poll");
    if (p.revents & POLLIN) {
        std::uint8_t buf[4096];
        const ssize_t n = read(master_, buf, sizeof buf);
        if (n > 0) chain_.from_host(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
    }
    const auto up = chain_.take_upstream();
    pending_out_.append(up.begin(), up.end());
    if (pending_out_.size() > kMaxPendingOut) pending_out_.erase(0, pending_out_.size() - kMaxPendingOut);
    if (!pending_out_.empty()) {
        const ssize_t n = write(master_, pending_out_.data(), pending_out_.size());
        if (n > 0) pending_out_.erase(0, static_cast<std::size_t>(n));
    }
}

void PtyServer::serve(const std::atomic<bool>& stop, unsigned threads) {
    std::atomic<bool> quit{false};
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < threads; ++i)
        workers.emplace_back([&] {
            while (!quit.load()) {
                if (chain_.step() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        });
    try {
        while (!stop.load()) pump_io(chain_.hashing() ? 1 : 50);
    } catch (...) {
        quit = true;
        for (auto& w : workers) w.join();
        throw;
    }
    quit = true;
    for (auto& w : workers) w.join();
}

}  // namespace hf::hw
