// Puts a WireChain on a pseudo-terminal: a serial port any host program can open. The pty is in
// raw mode; PATH becomes a symbolic link to its device while the server runs.
#pragma once

#include <atomic>
#include <string>

#include "hw_model/wire_chain.hpp"

namespace hf::hw {

class PtyServer {
public:
    // Opens the pty and creates the link (an existing symlink at `link_path` is replaced; any
    // other file there is an error). Throws std::runtime_error with the reason.
    PtyServer(WireChain& chain, std::string link_path);
    ~PtyServer();  // removes the link
    PtyServer(const PtyServer&) = delete;
    PtyServer& operator=(const PtyServer&) = delete;

    const std::string& device() const { return device_; }  // e.g. /dev/pts/7
    const std::string& link() const { return link_; }

    // Serves until `stop` is set: bytes in go to the chain, its answers go out, and `threads`
    // threads hash whenever there is a job. Every wait has a deadline (50 ms), so a stop request
    // is seen promptly.
    void serve(const std::atomic<bool>& stop, unsigned threads = 1);

private:
    void pump_io(int timeout_ms);

    WireChain& chain_;
    std::string link_, device_;
    int master_ = -1, slave_ = -1;
    std::string pending_out_;
};

}  // namespace hf::hw
