// The only translation unit that includes Boost.Asio (see net.hpp).
#include "stratum/net.hpp"
#include "stratum/net_asio.hpp"

#include <utility>  // Boost 1.74 Asio uses std::exchange without including it

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <atomic>
#include <deque>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hf::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

struct EventLoop::Impl {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    std::unique_ptr<asio::signal_set> signals;
    std::function<void(int)> on_signal;

    void wait_signal() {
        signals->async_wait([this](const error_code& ec, int sig) {
            if (ec) return;
            if (on_signal) on_signal(sig);
            wait_signal();
        });
    }
};

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}
EventLoop::~EventLoop() {
    if (impl_->signals) {
        error_code ec;
        impl_->signals->cancel(ec);
    }
}
boost::asio::io_context& io_context(EventLoop& loop) { return loop.impl().io; }
void EventLoop::run() { impl_->io.run(); }
void EventLoop::stop() { impl_->io.stop(); }
bool EventLoop::stopped() const { return impl_->io.stopped(); }
void EventLoop::post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }
void EventLoop::on_signals(std::function<void(int)> fn) {
    impl_->on_signal = std::move(fn);
    if (!impl_->signals) {
        impl_->signals = std::make_unique<asio::signal_set>(impl_->io, SIGINT, SIGTERM);
        impl_->wait_signal();
    }
}

// ---------------------------------------------------------------------------------------------
struct Timer::Impl {
    explicit Impl(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    std::uint64_t generation = 0;
};

Timer::Timer(EventLoop& loop) : impl_(std::make_shared<Impl>(loop.impl().io)) {}
Timer::~Timer() { cancel(); }
void Timer::cancel() {
    ++impl_->generation;
    impl_->timer.cancel();
}
void Timer::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    cancel();
    impl_->timer.expires_after(delay);
    const auto gen = impl_->generation;
    std::weak_ptr<Impl> weak = impl_;
    impl_->timer.async_wait([weak, gen, fn = std::move(fn)](const error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || self->generation != gen) return;
        fn();
    });
}

// ---------------------------------------------------------------------------------------------
namespace {

std::shared_ptr<asio::ssl::context> plain_context() {
    static auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    return ctx;
}

// Client and server alike: TLS 1.2 or later only.
std::shared_ptr<asio::ssl::context> tls_context(asio::ssl::context::method method) {
    auto ctx = std::make_shared<asio::ssl::context>(method);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    return ctx;
}

std::string endpoint_text(const tcp::endpoint& ep) {
    const auto addr = ep.address();
    return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" + std::to_string(ep.port());
}

std::string ssl_error_text(const error_code& ec) {
    std::string text = ec.message();
    if (ec.category() == asio::error::get_ssl_category()) {
        char buf[256];
        ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
        text = buf;
    }
    return text;
}

}  // namespace

struct LineConnection::Impl : std::enable_shared_from_this<LineConnection::Impl> {
    Impl(asio::io_context& io_, std::shared_ptr<asio::ssl::context> ctx_, bool tls_)
        : io(io_), ctx(std::move(ctx_)), stream(io_, *ctx), tls(tls_), read_timer(io_), deadline(io_) {}

    asio::io_context& io;
    std::shared_ptr<asio::ssl::context> ctx;  // must outlive the stream
    asio::ssl::stream<tcp::socket> stream;
    bool tls;
    std::string remote;
    Handlers handlers;
    std::chrono::milliseconds read_timeout{0};
    asio::steady_timer read_timer;
    asio::steady_timer deadline;  // connect / handshake
    std::array<char, 16384> buffer{};
    std::deque<std::string> queue;
    std::size_t queued_bytes = 0;
    bool writing = false;
    std::atomic<bool> closed{false};  // also read by ~LineConnection, on any thread
    bool shutdown_after_queue = false;  // shutdown_send(): end the sending direction once written

    tcp::socket& socket() { return stream.next_layer(); }

    void arm_read_timer() {
        if (read_timeout.count() <= 0) return;
        read_timer.expires_after(read_timeout);
        read_timer.async_wait([self = shared_from_this()](const error_code& ec) {
            if (ec) return;
            self->do_close("no data from " + self->remote + " for " + std::to_string(self->read_timeout.count() / 1000) + " s");
        });
    }

    void read() {
        auto handler = [self = shared_from_this()](const error_code& ec, std::size_t n) {
            if (self->closed) return;
            if (ec) {
                self->do_close(ec == asio::error::eof || ec == asio::ssl::error::stream_truncated
                                   ? "connection closed by " + self->remote
                                   : "read from " + self->remote + " failed: " + ssl_error_text(ec));
                return;
            }
            self->arm_read_timer();
            if (self->handlers.on_data) self->handlers.on_data(std::string_view(self->buffer.data(), n));
            if (!self->closed) self->read();
        };
        if (tls)
            stream.async_read_some(asio::buffer(buffer), std::move(handler));
        else
            socket().async_read_some(asio::buffer(buffer), std::move(handler));
    }

    void write_next() {
        if (!writing && queue.empty() && shutdown_after_queue && !closed) {
            shutdown_after_queue = false;
            error_code ec;
            socket().shutdown(tcp::socket::shutdown_send, ec);
        }
        if (writing || queue.empty() || closed) return;
        writing = true;
        auto handler = [self = shared_from_this()](const error_code& ec, std::size_t) {
            self->writing = false;
            if (self->closed) return;
            if (ec) {
                self->do_close("write to " + self->remote + " failed: " + ssl_error_text(ec));
                return;
            }
            self->queued_bytes -= self->queue.front().size();
            self->queue.pop_front();
            self->write_next();
        };
        if (tls)
            asio::async_write(stream, asio::buffer(queue.front()), std::move(handler));
        else
            asio::async_write(socket(), asio::buffer(queue.front()), std::move(handler));
    }

    void do_send(std::string data) {
        if (closed) return;
        if (queued_bytes + data.size() > kMaxSendQueueBytes) {
            do_close("send queue to " + remote + " overflowed (peer not reading)");
            return;
        }
        queued_bytes += data.size();
        queue.push_back(std::move(data));
        write_next();
    }

    void do_close(const std::string& why) {
        if (closed) return;
        closed = true;
        error_code ec;
        read_timer.cancel();
        deadline.cancel();
        socket().shutdown(tcp::socket::shutdown_both, ec);
        socket().close(ec);
        auto on_close = std::move(handlers.on_close);
        handlers = {};  // break reference cycles through the handlers
        if (on_close) on_close(why);
    }
};

LineConnection::LineConnection(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
LineConnection::~LineConnection() {
    if (!impl_->closed) {
        auto impl = impl_;
        asio::post(impl->io, [impl] { impl->do_close("connection released"); });
    }
}

void LineConnection::start(Handlers handlers, std::chrono::milliseconds read_timeout) {
    auto impl = impl_;
    asio::post(impl->io, [impl, handlers = std::move(handlers), read_timeout]() mutable {
        if (impl->closed) {
            if (handlers.on_close) handlers.on_close("connection already closed");
            return;
        }
        impl->handlers = std::move(handlers);
        impl->read_timeout = read_timeout;
        impl->arm_read_timer();
        impl->read();
    });
}

void LineConnection::send(std::string data) {
    auto impl = impl_;
    asio::post(impl->io, [impl, data = std::move(data)]() mutable { impl->do_send(std::move(data)); });
}

void LineConnection::shutdown_send() {
    auto impl = impl_;
    asio::post(impl->io, [impl] {
        if (impl->tls) return impl->do_close("TLS connection half-closed");
        impl->shutdown_after_queue = true;
        impl->write_next();
    });
}

void LineConnection::close(const std::string& why) {
    auto impl = impl_;
    asio::post(impl->io, [impl, why] { impl->do_close(why); });
}

const std::string& LineConnection::remote() const { return impl_->remote; }
bool LineConnection::is_tls() const { return impl_->tls; }

void LineConnection::connect(EventLoop& loop, const std::string& host, const std::string& port,
                             const TlsClientConfig& tls, std::chrono::milliseconds timeout, ConnectHandler handler) {
    asio::io_context& io = loop.impl().io;
    std::shared_ptr<asio::ssl::context> ctx = plain_context();
    if (tls.enabled) {
        try {
            ctx = tls_context(asio::ssl::context::tls_client);
            ctx->set_default_verify_paths();
            if (!tls.ca_file.empty()) {
                ctx->load_verify_file(tls.ca_file);
                // Accept a chain that ends at the given certificate even when it is not a root:
                // that is what pinning a pool's own certificate means.
                X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx->native_handle()), X509_V_FLAG_PARTIAL_CHAIN);
            }
            ctx->set_verify_mode(tls.verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
        } catch (const std::exception& e) {
            asio::post(io, [handler, msg = std::string("TLS set-up failed: ") + e.what()] { handler(nullptr, msg); });
            return;
        }
    }
    auto impl = std::make_shared<Impl>(io, ctx, tls.enabled);
    auto resolver = std::make_shared<tcp::resolver>(io);
    auto done = std::make_shared<bool>(false);
    auto finish = [impl, resolver, done, handler](std::string error) {
        if (*done) return;
        *done = true;
        impl->deadline.cancel();
        resolver->cancel();
        if (!error.empty()) {
            error_code ec;
            impl->socket().close(ec);
            impl->closed = true;
            handler(nullptr, error);
            return;
        }
        handler(std::make_shared<LineConnection>(impl), "");
    };
    const std::string where = host + ":" + port;
    impl->deadline.expires_after(timeout);
    impl->deadline.async_wait([finish, where, timeout](const error_code& ec) {
        if (!ec) finish("connecting to " + where + " timed out after " + std::to_string(timeout.count()) + " ms");
    });
    resolver->async_resolve(host, port, [impl, finish, where, host, tls](const error_code& ec, tcp::resolver::results_type results) {
        if (ec) return finish("cannot resolve " + where + ": " + ec.message());
        asio::async_connect(impl->socket(), results, [impl, finish, where, host, tls](const error_code& ec2, const tcp::endpoint& ep) {
            if (ec2) return finish("cannot connect to " + where + ": " + ec2.message());
            impl->remote = endpoint_text(ep);
            error_code ignore;
            impl->socket().set_option(tcp::no_delay(true), ignore);
            if (!tls.enabled) return finish("");
            SSL* ssl = impl->stream.native_handle();
            error_code addr_ec;
            asio::ip::make_address(host, addr_ec);
            const bool is_ip = !addr_ec;
            if (!is_ip) SSL_set_tlsext_host_name(ssl, host.c_str());
            if (tls.verify) {
                X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
                if (is_ip)
                    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
                else
                    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
            }
            impl->stream.async_handshake(asio::ssl::stream_base::client, [impl, finish, where](const error_code& ec3) {
                if (ec3) {
                    std::string why = ssl_error_text(ec3);
                    const long vr = SSL_get_verify_result(impl->stream.native_handle());
                    if (vr != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(vr) + ")";
                    return finish("TLS handshake with " + where + " failed: " + why);
                }
                finish("");
            });
        });
    });
}

// ---------------------------------------------------------------------------------------------
namespace {

tcp::endpoint make_endpoint(const std::string& host, std::uint16_t port) {
    error_code ec;
    auto addr = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) throw std::runtime_error("cannot listen on '" + host + "': not an IP address");
    return tcp::endpoint(addr, port);
}

void open_acceptor(tcp::acceptor& acceptor, const tcp::endpoint& ep) {
    error_code ec;
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + endpoint_text(ep) + ": " + ec.message());
}

// An accept error (out of file descriptors, EMFILE/ENFILE) leaves the connection in the backlog:
// accepting again at once would fail again at once and spin the loop. Wait this long instead (the
// status page's server does the same).
constexpr std::chrono::milliseconds kAcceptRetry{100};

// Accepts connections one after another for `self` (a listener's Impl with `acceptor`,
// `accept_pause` and `closed`), handing each socket to on_socket.
template <typename Impl, typename OnSocket>
void accept_loop(const std::shared_ptr<Impl>& self, OnSocket on_socket) {
    self->acceptor.async_accept([self, on_socket](const error_code& ec, tcp::socket socket) {
        if (self->closed || ec == asio::error::operation_aborted) return;
        if (ec) {
            self->accept_pause.expires_after(kAcceptRetry);
            self->accept_pause.async_wait([self, on_socket](const error_code& e) {
                if (!e && !self->closed) accept_loop(self, on_socket);
            });
            return;
        }
        on_socket(std::move(socket));
        accept_loop(self, on_socket);
    });
}

}  // namespace

struct LineListener::Impl : std::enable_shared_from_this<LineListener::Impl> {
    Impl(asio::io_context& io_, AcceptHandler h) : io(io_), acceptor(io_), accept_pause(io_), on_accept(std::move(h)) {}
    asio::io_context& io;
    tcp::acceptor acceptor;
    asio::steady_timer accept_pause;
    std::shared_ptr<asio::ssl::context> tls_ctx;
    AcceptHandler on_accept;
    bool closed = false;
    std::size_t handshaking = 0;  // TLS connections not handed over yet (not counted by the pool)

    void accept() {
        std::weak_ptr<Impl> weak = shared_from_this();
        accept_loop(shared_from_this(), [weak](tcp::socket socket) {
            if (auto self = weak.lock()) self->admit(std::move(socket));
        });
    }

    void admit(tcp::socket socket) {
        auto impl = std::make_shared<LineConnection::Impl>(io, tls_ctx ? tls_ctx : plain_context(), tls_ctx != nullptr);
        error_code ec;
        const auto ep = socket.remote_endpoint(ec);
        impl->remote = ec ? "?" : endpoint_text(ep);
        impl->socket() = std::move(socket);
        impl->socket().set_option(tcp::no_delay(true), ec);
        if (!tls_ctx) {
            on_accept(std::make_shared<LineConnection>(impl));
            return;
        }
        if (handshaking >= kMaxTlsHandshakes) {  // sockets that never handshake would hold descriptors
            error_code ignore;
            impl->socket().close(ignore);
            impl->closed = true;
            return;
        }
        ++handshaking;
        impl->deadline.expires_after(kTlsHandshakeTimeout);
        impl->deadline.async_wait([impl](const error_code& e) {
            if (!e) {
                error_code ignore;
                impl->socket().close(ignore);
            }
        });
        std::weak_ptr<Impl> weak = shared_from_this();
        impl->stream.async_handshake(asio::ssl::stream_base::server, [impl, weak](const error_code& e) {
            impl->deadline.cancel();
            auto self = weak.lock();
            if (self) --self->handshaking;
            if (e || !self || self->closed) {
                error_code ignore;
                impl->socket().close(ignore);
                impl->closed = true;
                return;
            }
            self->on_accept(std::make_shared<LineConnection>(impl));
        });
    }
};

LineListener::LineListener(EventLoop& loop, const std::string& host, std::uint16_t port,
                           std::optional<TlsServerConfig> tls, AcceptHandler on_accept)
    : impl_(std::make_shared<Impl>(loop.impl().io, std::move(on_accept))) {
    if (tls) {
        try {
            impl_->tls_ctx = tls_context(asio::ssl::context::tls_server);
            impl_->tls_ctx->use_certificate_chain_file(tls->cert_file);
            impl_->tls_ctx->use_private_key_file(tls->key_file, asio::ssl::context::pem);
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot load TLS certificate '" + tls->cert_file + "' / key '" + tls->key_file +
                                     "': " + e.what());
        }
    }
    open_acceptor(impl_->acceptor, make_endpoint(host, port));
    impl_->accept();
}

LineListener::~LineListener() { close(); }
std::uint16_t LineListener::port() const { return impl_->acceptor.local_endpoint().port(); }
void LineListener::close() {
    auto impl = impl_;
    asio::post(impl->io, [impl] {
        impl->closed = true;
        error_code ec;
        impl->acceptor.close(ec);
        impl->accept_pause.cancel();
    });
}

// ---------------------------------------------------------------------------------------------
struct RequestListener::Impl : std::enable_shared_from_this<RequestListener::Impl> {
    Impl(asio::io_context& io_, Handler h) : io(io_), acceptor(io_), accept_pause(io_), handler(std::move(h)) {}
    asio::io_context& io;
    tcp::acceptor acceptor;
    asio::steady_timer accept_pause;
    Handler handler;
    bool closed = false;

    struct Exchange : std::enable_shared_from_this<Exchange> {
        Exchange(asio::io_context& io, tcp::socket s) : socket(std::move(s)), deadline(io) {}
        tcp::socket socket;
        asio::steady_timer deadline;
        std::array<char, 4096> chunk{};
        std::string request;
        std::string reply;
    };

    void accept() {
        std::weak_ptr<Impl> weak = shared_from_this();
        accept_loop(shared_from_this(), [weak](tcp::socket socket) {
            auto self = weak.lock();
            if (!self) return;
            auto ex = std::make_shared<Exchange>(self->io, std::move(socket));
            ex->deadline.expires_after(kRequestTimeout);
            ex->deadline.async_wait([ex](const error_code& e) {
                if (!e) {
                    error_code ignore;
                    ex->socket.close(ignore);
                }
            });
            self->read(ex);
        });
    }

    static bool complete(const std::string& r) {
        if (r.find('\n') != std::string::npos || r.find('\0') != std::string::npos) return true;
        if (!r.empty() && r.front() == '{') return nlohmann::json::accept(r);
        return !r.empty();  // plain "summary": cgminer answers the first read
    }

    void read(const std::shared_ptr<Exchange>& ex) {
        ex->socket.async_read_some(asio::buffer(ex->chunk), [self = shared_from_this(), ex](const error_code& ec, std::size_t n) {
            ex->request.append(ex->chunk.data(), n);
            const bool eof = ec == asio::error::eof;
            if (ec && !eof) return;
            if (ex->request.size() > kMaxRequestBytes) {
                error_code ignore;
                ex->socket.close(ignore);
                return;
            }
            if (!eof && !complete(ex->request)) return self->read(ex);
            error_code e;
            const auto ep = ex->socket.remote_endpoint(e);
            std::string req = ex->request;
            while (!req.empty() && (req.back() == '\n' || req.back() == '\r' || req.back() == '\0')) req.pop_back();
            try {
                ex->reply = self->handler(req, e ? std::string() : ep.address().to_string());
            } catch (const std::exception&) {  // costs this request, never the loop
                error_code ignore;
                ex->deadline.cancel();
                ex->socket.close(ignore);
                return;
            }
            ex->reply.push_back('\0');  // cgminer ends every reply with a NUL
            asio::async_write(ex->socket, asio::buffer(ex->reply), [ex](const error_code&, std::size_t) {
                error_code ignore;
                ex->deadline.cancel();
                ex->socket.shutdown(tcp::socket::shutdown_both, ignore);
                ex->socket.close(ignore);
            });
        });
    }
};

RequestListener::RequestListener(EventLoop& loop, const std::string& host, std::uint16_t port, Handler handler)
    : impl_(std::make_shared<Impl>(loop.impl().io, std::move(handler))) {
    open_acceptor(impl_->acceptor, make_endpoint(host, port));
    impl_->accept();
}
RequestListener::~RequestListener() { close(); }
std::uint16_t RequestListener::port() const { return impl_->acceptor.local_endpoint().port(); }
void RequestListener::close() {
    auto impl = impl_;
    asio::post(impl->io, [impl] {
        impl->closed = true;
        error_code ec;
        impl->acceptor.close(ec);
        impl->accept_pause.cancel();
    });
}

}  // namespace hf::net
