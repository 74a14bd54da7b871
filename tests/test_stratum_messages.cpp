// Stratum wire format: line splitting, message shapes real pools send, reject reasons, URLs.
#include <doctest/doctest.h>

#include "stratum/message.hpp"
#include "stratum/pool_url.hpp"

using namespace hf::stratum;

TEST_CASE("lines split across reads, several per read, CRLF and blank lines") {
    LineSplitter s;
    std::vector<std::string> out;
    s.feed("{\"id\":1,", out);
    CHECK(out.empty());
    s.feed("\"result\":true}\r\n\n{\"id\":2}\n{\"id\"", out);
    REQUIRE(out.size() == 2);
    CHECK(out[0] == "{\"id\":1,\"result\":true}");
    CHECK(out[1] == "{\"id\":2}");
    s.feed(":3}\n", out);
    REQUIRE(out.size() == 3);
    CHECK(out[2] == "{\"id\":3}");
}

TEST_CASE("an over-long line is refused, not buffered") {
    LineSplitter s(16);
    std::vector<std::string> out;
    CHECK_THROWS_AS(s.feed(std::string(17, 'x'), out), ProtocolError);
    CHECK(s.buffered() == 0);
    LineSplitter big;
    CHECK_THROWS_AS(big.feed(std::string(kMaxLineBytes + 1, 'y'), out), ProtocolError);
}

TEST_CASE("message shapes: ids as ints, strings and null; params as arrays, objects and bare values") {
    auto m = parse_message(R"({"id":7,"result":true,"error":null})");
    CHECK(m.kind == MessageKind::Response);
    CHECK(id_number(m.id) == 7u);
    m = parse_message(R"({"id":"12","result":[1],"error":null,"extra":"ignored"})");
    CHECK(id_number(m.id) == 12u);
    m = parse_message(R"({"id":null,"method":"mining.set_difficulty","params":[0.5]})");
    CHECK(m.kind == MessageKind::Notification);
    CHECK(m.method == "mining.set_difficulty");
    m = parse_message(R"({"method":"mining.set_difficulty","params":{"difficulty":"0.25"}})");
    CHECK(m.kind == MessageKind::Notification);
    REQUIRE(param(m.params, 0, "difficulty") != nullptr);
    CHECK(json_number(*param(m.params, 0, "difficulty")) == 0.25);
    m = parse_message(R"({"id":"abc","method":"client.get_version","params":null})");
    CHECK(m.kind == MessageKind::Request);
    CHECK(m.params.is_array());
    CHECK_FALSE(id_number(m.id).has_value());
    m = parse_message(R"({"id":5,"method":"mining.set_difficulty","params":2})");
    CHECK(json_number(m.params[0]) == 2.0);
}

TEST_CASE("malformed messages are reported, never crash") {
    for (const char* bad : {"{", "not json", "[1,2]", "42", R"({"id":1})", R"({"method":5})", R"({"id":[1],"result":1})",
                            "{\"id\":1,\"result\":tru}", "\xff\xfe"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_message(bad), ProtocolError);
    }
}

TEST_CASE("reject reasons in every shape pools use, counted by kind") {
    auto kind = [](const char* line) { return parse_reject(parse_message(line)); };
    auto r = kind(R"({"id":4,"result":null,"error":[21,"Job not found",null]})");
    CHECK(r.kind == RejectKind::Stale);
    CHECK(r.code == 21);
    CHECK(r.text == "Job not found");
    CHECK(kind(R"({"id":4,"result":false,"error":null,"reject-reason":"job-not-found"})").kind == RejectKind::Stale);
    CHECK(kind(R"({"id":4,"result":false,"error":{"code":-1,"message":"Stale share"}})").kind == RejectKind::Stale);
    CHECK(kind(R"({"id":4,"result":null,"error":[22,"Duplicate share",null]})").kind == RejectKind::Duplicate);
    CHECK(kind(R"({"id":4,"result":false,"error":"duplicate"})").kind == RejectKind::Duplicate);
    r = kind(R"({"id":4,"result":null,"error":{"code":23,"message":"Low difficulty share"}})");
    CHECK(r.kind == RejectKind::LowDifficulty);
    CHECK(r.text == "Low difficulty share");
    CHECK(kind(R"({"id":4,"result":false,"error":null,"reject-reason":"high-hash"})").kind == RejectKind::LowDifficulty);
    CHECK(kind(R"({"id":4,"result":null,"error":["24","Unauthorized worker"]})").kind == RejectKind::Other);
    r = kind(R"({"id":4,"result":false,"error":null})");
    CHECK(r.kind == RejectKind::Other);
    CHECK_FALSE(r.text.empty());
}

TEST_CASE("requests are serialised with exact ids and a newline") {
    CHECK(make_request(3, "mining.authorize", {"w", "x"}) ==
          "{\"id\":3,\"method\":\"mining.authorize\",\"params\":[\"w\",\"x\"]}\n");
    CHECK(make_error(9, 21, "Job not found") == "{\"error\":[21,\"Job not found\",null],\"id\":9,\"result\":null}\n");
}

TEST_CASE("pool URLs") {
    auto u = parse_pool_url("stratum+tcp://pool.example.org:3333");
    CHECK(u.host == "pool.example.org");
    CHECK(u.port == "3333");
    CHECK_FALSE(u.tls);
    for (const char* tls : {"stratum+ssl://h:443", "stratum+tls://h:443", "stratum+tcps://h:443", "STRATUM+SSL://h:443"})
        CHECK(parse_pool_url(tls).tls);
    CHECK(parse_pool_url("127.0.0.1:3333").host == "127.0.0.1");
    CHECK(parse_pool_url("stratum+tcp://[::1]:3333").host == "::1");
    CHECK_THROWS_AS(parse_pool_url("http://h:1"), UrlError);
    CHECK_THROWS_AS(parse_pool_url("stratum+tcp://h"), UrlError);
    CHECK_THROWS_AS(parse_pool_url("stratum+tcp://h:99999"), UrlError);
    CHECK_THROWS_AS(parse_pool_url("stratum+tcp://:3333"), UrlError);
}
