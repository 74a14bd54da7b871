// The network layer: one event loop (a Boost.Asio io_context), TCP or TLS line connections, a line
// listener for the pool, and a request/reply listener for the cgminer-style API.
//
// This header does not include Asio: only net.cpp does, so the rest of the program compiles fast.
// Every wait has a deadline (connect, handshake, read), outgoing queues and incoming lines are
// bounded, and all handlers run on the loop's thread. send() and close() may be called from any
// thread; they are posted to the loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hf::net {

class EventLoop {
public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    void run();   // runs handlers until stop()
    void stop();  // thread-safe
    bool stopped() const;
    void post(std::function<void()> fn);  // thread-safe
    // SIGINT and SIGTERM: `fn` runs on the loop (once per signal) instead of killing the process.
    void on_signals(std::function<void(int signal)> fn);

    struct Impl;
    Impl& impl() { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// A one-shot timer on the loop. Destroying it cancels the pending call.
class Timer {
public:
    explicit Timer(EventLoop& loop);
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    void after(std::chrono::milliseconds delay, std::function<void()> fn);  // replaces a pending call
    void cancel();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

struct TlsClientConfig {
    bool enabled = false;
    bool verify = true;        // check the certificate chain and the host name
    std::string ca_file;       // extra trusted CA or pinned certificate (PEM)
};

struct TlsServerConfig {
    std::string cert_file;  // PEM certificate chain
    std::string key_file;   // PEM private key
};

inline constexpr std::size_t kMaxSendQueueBytes = 4 * 1024 * 1024;
// Listener bounds (docs/limits.md): a TLS client's handshake, one API request and its answer.
inline constexpr std::chrono::milliseconds kTlsHandshakeTimeout{10000};
inline constexpr std::size_t kMaxTlsHandshakes = 256;  // at once per listener; more are closed at once
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;
inline constexpr std::chrono::milliseconds kRequestTimeout{5000};

// A byte stream (TCP or TLS) carrying newline-terminated lines.
class LineConnection : public std::enable_shared_from_this<LineConnection> {
public:
    using ConnectHandler = std::function<void(std::shared_ptr<LineConnection> connection, std::string error)>;
    struct Handlers {
        std::function<void(std::string_view bytes)> on_data;
        std::function<void(const std::string& why)> on_close;  // called once
    };

    // Resolves, connects and (for TLS) handshakes within `timeout`; the handler gets a connection
    // or an error text.
    static void connect(EventLoop& loop, const std::string& host, const std::string& port, const TlsClientConfig& tls,
                        std::chrono::milliseconds timeout, ConnectHandler handler);

    void start(Handlers handlers, std::chrono::milliseconds read_timeout);
    void send(std::string data);
    // Half-close: once the queued bytes are written, ends the sending direction (a TCP FIN) while
    // reading goes on, as shutdown(SHUT_WR) does. Plain TCP only: on TLS it closes the connection.
    void shutdown_send();
    void close(const std::string& why);
    const std::string& remote() const;  // "address:port"
    bool is_tls() const;

    struct Impl;
    explicit LineConnection(std::shared_ptr<Impl> impl);
    ~LineConnection();

private:
    std::shared_ptr<Impl> impl_;
};

class LineListener {
public:
    using AcceptHandler = std::function<void(std::shared_ptr<LineConnection>)>;
    // Binds and listens (throws std::runtime_error naming the address on failure). Port 0 picks a
    // free port. TLS connections are handed over after a handshake done within kTlsHandshakeTimeout.
    LineListener(EventLoop& loop, const std::string& host, std::uint16_t port, std::optional<TlsServerConfig> tls,
                 AcceptHandler on_accept);
    ~LineListener();
    std::uint16_t port() const;
    void close();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// A one-request-per-connection listener, as cgminer's API works: read one request (ended by a
// newline, the peer closing, or a complete JSON object), answer it, close. Bounded to
// kMaxRequestBytes and kRequestTimeout.
class RequestListener {
public:
    using Handler = std::function<std::string(const std::string& request, const std::string& peer_address)>;
    RequestListener(EventLoop& loop, const std::string& host, std::uint16_t port, Handler handler);
    ~RequestListener();
    std::uint16_t port() const;
    void close();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace hf::net
