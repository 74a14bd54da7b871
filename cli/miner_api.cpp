#include "cli/miner_api.hpp"

#include "stratum/message.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hf::cli {
namespace {

using nlohmann::ordered_json;

std::uint32_t parse_ipv4(const std::string& text) {
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1) throw std::invalid_argument("not an IPv4 address: '" + text + "'");
    return ntohl(a.s_addr);
}

double mhs(double hps) { return hps / 1e6; }

double percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

ordered_json status(const MinerState& s, char code_letter, int code, const std::string& msg) {
    return ordered_json::array({ordered_json{{"STATUS", std::string(1, code_letter)},
                                             {"When", s.now_unix},
                                             {"Code", code},
                                             {"Msg", msg},
                                             {"Description", s.version}}});
}

ordered_json summary(const MinerState& s) {
    const auto& t = s.pools.total;
    const double accepted_diff = t.accepted_difficulty, rejected_diff = t.rejected_difficulty;
    const double total_mh = static_cast<double>(s.hashrate.total_hashes) / 1e6;
    const double minutes = s.elapsed_seconds / 60.0;
    const double rejected = static_cast<double>(t.rejected_total());
    const double all = static_cast<double>(t.accepted) + rejected;
    return ordered_json{{"Elapsed", static_cast<std::int64_t>(s.elapsed_seconds)},
                        {"MHS av", mhs(s.hashrate.rate_total)},
                        {"MHS 5s", mhs(s.hashrate.rate_5s)},
                        {"MHS 1m", mhs(s.hashrate.rate_1m)},
                        {"MHS 15m", mhs(s.hashrate.rate_15m)},
                        {"Found Blocks", 0},
                        {"Getworks", 0},
                        {"Accepted", t.accepted},
                        {"Rejected", t.rejected_total()},
                        {"Hardware Errors", s.hashrate.hardware_errors + t.invalid_local},
                        {"Utility", minutes > 0 ? static_cast<double>(t.accepted) / minutes : 0.0},
                        {"Discarded", 0},
                        {"Stale", t.stale_total()},
                        {"Get Failures", 0},
                        {"Local Work", s.hashrate.total_hashes},
                        {"Remote Failures", 0},
                        {"Network Blocks", 0},
                        {"Total MH", total_mh},
                        {"Work Utility", minutes > 0 ? accepted_diff / minutes : 0.0},
                        {"Difficulty Accepted", accepted_diff},
                        {"Difficulty Rejected", rejected_diff},
                        {"Difficulty Stale", 0.0},
                        {"Best Share", t.best_share},
                        {"Device Hardware%", 0.0},
                        {"Device Rejected%", percent(rejected, all)},
                        {"Pool Rejected%", percent(rejected, all)},
                        {"Pool Stale%", percent(static_cast<double>(t.stale_total()), all)},
                        {"Last getwork", s.now_unix}};
}

ordered_json pools(const MinerState& s) {
    ordered_json out = ordered_json::array();
    for (std::size_t i = 0; i < s.pools.pools.size(); ++i) {
        const auto& p = s.pools.pools[i];
        const auto& c = p.shares;
        const double all = static_cast<double>(c.accepted + c.rejected_total());
        std::int64_t last = 0;
        if (p.last_share)
            last = std::chrono::duration_cast<std::chrono::seconds>(p.last_share->time_since_epoch()).count();
        out.push_back(ordered_json{{"POOL", i},
                                   {"URL", p.url},
                                   {"Status", p.alive ? "Alive" : "Dead"},
                                   {"Priority", i},
                                   {"Quota", 1},
                                   {"Long Poll", "N"},
                                   {"Getworks", 0},
                                   {"Accepted", c.accepted},
                                   {"Rejected", c.rejected_total()},
                                   {"Works", 0},
                                   {"Discarded", 0},
                                   {"Stale", c.stale_total()},
                                   {"Get Failures", p.failures},
                                   {"Remote Failures", 0},
                                   {"User", p.user},
                                   {"Last Share Time", last},
                                   {"Diff1 Shares", 0},
                                   {"Proxy Type", ""},
                                   {"Proxy", ""},
                                   {"Difficulty Accepted", c.accepted_difficulty},
                                   {"Difficulty Rejected", c.rejected_difficulty},
                                   {"Difficulty Stale", 0.0},
                                   {"Last Share Difficulty", p.difficulty},
                                   {"Work Difficulty", p.difficulty},
                                   {"Has Stratum", true},
                                   {"Stratum Active", p.alive && i == s.pools.active},
                                   {"Stratum URL", p.url},
                                   {"Stratum Difficulty", p.difficulty},
                                   {"Has GBT", false},
                                   {"Best Share", c.best_share},
                                   {"Pool Rejected%", percent(static_cast<double>(c.rejected_total()), all)},
                                   {"Pool Stale%", percent(static_cast<double>(c.stale_total()), all)},
                                   {"Bad Work", c.invalid_local}});
    }
    return out;
}

ordered_json devs(const MinerState& s) {
    const auto& t = s.pools.total;
    return ordered_json::array({ordered_json{{"CPU", 0},
                                             {"Name", s.backend},
                                             {"ID", 0},
                                             {"Enabled", "Y"},
                                             {"Status", "Alive"},
                                             {"Temperature", 0},
                                             {"Threads", s.threads},
                                             {"MHS av", mhs(s.hashrate.rate_total)},
                                             {"MHS 5s", mhs(s.hashrate.rate_5s)},
                                             {"Accepted", t.accepted},
                                             {"Rejected", t.rejected_total()},
                                             {"Hardware Errors", s.hashrate.hardware_errors},
                                             {"Total MH", static_cast<double>(s.hashrate.total_hashes) / 1e6},
                                             {"Difficulty Accepted", t.accepted_difficulty},
                                             {"Difficulty Rejected", t.rejected_difficulty},
                                             {"Device Elapsed", static_cast<std::int64_t>(s.elapsed_seconds)}}});
}

// cgminer's text form: "STATUS=S,When=..,Code=..,Msg=..,Description=..|SUMMARY,Key=Value,...|".
std::string to_text(const ordered_json& reply) {
    std::string out;
    auto value = [](const ordered_json& v) {
        if (v.is_string()) return v.get<std::string>();
        if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
        if (v.is_number_float()) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.6f", v.get<double>());
            return std::string(buf);
        }
        return v.dump();
    };
    for (const auto& [section, rows] : reply.items()) {
        if (section == "id" || !rows.is_array()) continue;
        for (const auto& row : rows) {
            // cgminer starts a POOLS row with "POOL=n" and a DEVS row with "CPU=n"; other sections
            // with their name ("SUMMARY,Elapsed=...").
            std::string line = section == "STATUS" || section == "POOLS" || section == "DEVS" ? "" : section;
            for (const auto& [k, v] : row.items()) {
                if (!line.empty()) line += ",";
                line += k + "=" + value(v);
            }
            out += line + "|";
        }
    }
    return out;
}

}  // namespace

ApiAllowList::ApiAllowList(const std::string& spec) {
    std::size_t start = 0;
    while (start <= spec.size()) {
        const auto comma = spec.find(',', start);
        std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
        if (item.empty()) continue;
        if (item.rfind("W:", 0) == 0 || item.rfind("R:", 0) == 0) item = item.substr(2);
        Net n;
        int bits = 32;
        if (const auto slash = item.find('/'); slash != std::string::npos) {
            try {
                bits = std::stoi(item.substr(slash + 1));
            } catch (const std::exception&) {
                bits = -1;
            }
            if (bits < 0 || bits > 32) throw std::invalid_argument("--api-allow: bad network '" + item + "'");
            item = item.substr(0, slash);
        }
        n.mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
        try {
            n.address = parse_ipv4(item) & n.mask;
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("--api-allow: ") + e.what());
        }
        nets_.push_back(n);
    }
}

bool ApiAllowList::allows(const std::string& address) const {
    std::string a = address;
    if (a.rfind("::ffff:", 0) == 0) a = a.substr(7);
    std::uint32_t ip = 0;
    try {
        ip = parse_ipv4(a);
    } catch (const std::invalid_argument&) {
        return false;
    }
    for (const auto& n : nets_)
        if ((ip & n.mask) == n.address) return true;
    return false;
}

std::string api_reply(const std::string& request, const std::string& peer, const MinerState& s,
                      const ApiAllowList& allow, const ApiActions& actions) {
    std::string command, parameter;
    bool json_form = false;
    ordered_json id = 1;
    if (!request.empty() && request.front() == '{') {
        json_form = true;
        try {
            const auto j = stratum::parse_json(request);  // depth-limited: no stack overflow on [[[[...
            if (j.contains("command") && j["command"].is_string()) command = j["command"].get<std::string>();
            if (j.contains("parameter")) {
                const auto& p = j["parameter"];
                parameter = p.is_string() ? p.get<std::string>() : p.dump();
            }
        } catch (const std::exception&) {  // ProtocolError from parse_json, json type errors
            ordered_json r{{"STATUS", status(s, 'E', 23, "Invalid JSON")}, {"id", id}};
            return stratum::dump_json(r);
        }
    } else {
        command = request;
        if (const auto bar = command.find('|'); bar != std::string::npos) {
            parameter = command.substr(bar + 1);
            command = command.substr(0, bar);
        }
    }
    while (!command.empty() && (command.back() == ' ' || command.back() == '\r')) command.pop_back();

    ordered_json r;
    if (command == "summary") {
        r = {{"STATUS", status(s, 'S', 11, "Summary")}, {"SUMMARY", ordered_json::array({summary(s)})}};
    } else if (command == "pools") {
        r = {{"STATUS", status(s, 'S', 7, std::to_string(s.pools.pools.size()) + " Pool(s)")}, {"POOLS", pools(s)}};
    } else if (command == "devs") {
        r = {{"STATUS", status(s, 'S', 9, "1 CPU(s)")}, {"DEVS", devs(s)}};
    } else if (command == "version") {
        r = {{"STATUS", status(s, 'S', 22, "CGMiner versions")},
             {"VERSION", ordered_json::array({ordered_json{{"CGMiner", s.version}, {"API", "3.7"}}})}};
    } else if (command == "config") {
        r = {{"STATUS", status(s, 'S', 33, "CGMiner config")},
             {"CONFIG", ordered_json::array({ordered_json{{"ASC Count", 0},
                                                          {"PGA Count", 0},
                                                          {"CPU Count", 1},
                                                          {"Pool Count", s.pools.pools.size()},
                                                          {"Strategy", "Failover"},
                                                          {"Log Interval", 5},
                                                          {"Device Code", "CPU"},
                                                          {"OS", "Linux"},
                                                          {"Hotplug", "None"}}})}};
    } else if (command == "quit" || command == "switchpool") {
        if (!allow.allows(peer)) {
            r = {{"STATUS", status(s, 'E', 45, "Access denied to '" + command + "' command")}};
        } else if (command == "quit") {
            if (actions.quit) actions.quit();
            r = {{"STATUS", status(s, 'S', 3, "BYE")}};
            if (!json_form) return "BYE";
        } else {
            std::size_t index = 0;
            bool ok = !parameter.empty();
            try {
                index = static_cast<std::size_t>(std::stoul(parameter));
            } catch (const std::exception&) {
                ok = false;
            }
            if (ok && actions.switch_pool && actions.switch_pool(index))
                r = {{"STATUS", status(s, 'S', 27, "Switching to pool " + std::to_string(index) + ":'" +
                                                       s.pools.pools[index].url + "'")}};
            else
                r = {{"STATUS", status(s, 'E', 26, "Invalid pool id " + parameter)}};
        }
    } else {
        r = {{"STATUS", status(s, 'E', 14, "Invalid command")}};
    }
    // Names from the command line and a privileged client's parameter may hold any bytes.
    if (!json_form) return stratum::valid_utf8(to_text(r));
    r["id"] = id;
    return stratum::dump_json(r);
}

}  // namespace hf::cli
