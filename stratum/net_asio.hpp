// The Boost.Asio io_context under an EventLoop, for the few servers that speak Asio directly
// (the status page's Boost.Beast server). Include only from files that already use Asio.
#pragma once

#include <boost/asio/io_context.hpp>

#include "stratum/net.hpp"

namespace hf::net {

boost::asio::io_context& io_context(EventLoop& loop);

}  // namespace hf::net
