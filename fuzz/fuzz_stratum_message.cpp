// Fuzz target: the Stratum V1 wire format. Bytes are cut into lines, each line parsed as a message,
// and everything a peer controls is read the way the client and the pool read it (ids, numbers,
// reject reasons, mining.notify) and echoed back in an error reply. The contract under test: bad
// input raises ProtocolError, nothing else escapes, and any error text can be serialised.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stratum/message.hpp"

using namespace hf::stratum;

namespace {

void read_like_a_peer(const Message& m) {
    (void)id_number(m.id);
    if (m.kind == MessageKind::Response) {
        const RejectReason r = parse_reject(m);
        (void)make_error(m.id, r.code, r.text);
        return;
    }
    for (std::size_t i = 0; i < 3; ++i)
        if (const auto* p = param(m.params, i, "difficulty")) (void)json_number(*p);
    if (m.method == "mining.notify") (void)parse_notify(m.params);
    (void)make_result(m.id, m.params);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    LineSplitter splitter(4096);
    std::vector<std::string> lines;
    try {
        splitter.feed(bytes, lines);
    } catch (const ProtocolError&) {
    }
    lines.emplace_back(bytes);  // the whole input as one line too, newlines and all
    for (const auto& line : lines) {
        try {
            read_like_a_peer(parse_message(line));
        } catch (const ProtocolError& e) {
            (void)make_error(nullptr, kErrOther, e.what());  // the error text goes back on the wire
        }
    }
    return 0;
}
