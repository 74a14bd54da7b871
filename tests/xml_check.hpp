// A small XML 1.0 well-formedness checker for the tests (we have no XML library among our
// packages): one root element, balanced and properly nested tags, quoted unique attributes,
// only the five predefined or numeric character references, no stray '<' or '&' in text.
// DOCTYPE and CDATA are refused; our writers never emit them.
#pragma once

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hf::test {

struct XmlCheck {
    bool ok = false;
    std::string error;
    std::string root;
    std::size_t elements = 0;
};

inline XmlCheck check_xml(std::string_view s) {
    XmlCheck r;
    std::size_t i = 0;
    std::vector<std::string> stack;
    bool root_done = false;
    auto fail = [&](const std::string& why) {
        r.ok = false;
        r.error = why + " at offset " + std::to_string(i);
        return r;
    };
    auto name_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; };
    auto name_char = [&](char c) {
        return name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    };
    auto read_name = [&](std::string& out) {
        if (i >= s.size() || !name_start(s[i])) return false;
        const std::size_t b = i;
        while (i < s.size() && name_char(s[i])) ++i;
        out = std::string(s.substr(b, i - b));
        return true;
    };
    auto skip_ws = [&] {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    };
    // A reference starting at s[i] == '&'.
    auto reference = [&]() {
        const std::size_t semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) return false;
        const std::string_view ref = s.substr(i + 1, semi - i - 1);
        bool good = ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos";
        if (!good && ref.size() >= 2 && ref[0] == '#') {
            const bool hex = ref[1] == 'x';
            const std::string_view digits = ref.substr(hex ? 2 : 1);
            good = !digits.empty();
            for (char c : digits) good = good && (hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c)));
        }
        if (good) i = semi + 1;
        return good;
    };

    if (s.substr(0, 5) == "<?xml") {
        const std::size_t end = s.find("?>");
        if (end == std::string_view::npos) return fail("unterminated XML declaration");
        i = end + 2;
    }
    while (i < s.size()) {
        if (s[i] == '<') {
            if (s.substr(i, 4) == "<!--") {
                const std::size_t end = s.find("-->", i + 4);
                if (end == std::string_view::npos) return fail("unterminated comment");
                i = end + 3;
                continue;
            }
            if (s.substr(i, 2) == "<!") return fail("DOCTYPE/CDATA not supported");
            if (s.substr(i, 2) == "<?") {
                const std::size_t end = s.find("?>", i);
                if (end == std::string_view::npos) return fail("unterminated processing instruction");
                i = end + 2;
                continue;
            }
            if (s.substr(i, 2) == "</") {
                i += 2;
                std::string name;
                if (!read_name(name)) return fail("bad end tag name");
                skip_ws();
                if (i >= s.size() || s[i] != '>') return fail("end tag not closed");
                ++i;
                if (stack.empty() || stack.back() != name) return fail("mismatched end tag </" + name + ">");
                stack.pop_back();
                if (stack.empty()) root_done = true;
                continue;
            }
            ++i;
            std::string name;
            if (!read_name(name)) return fail("bad start tag name");
            if (stack.empty()) {
                if (root_done) return fail("second root element <" + name + ">");
                r.root = name;
            }
            ++r.elements;
            std::set<std::string> attrs;
            for (;;) {
                const std::size_t before = i;
                skip_ws();
                if (i >= s.size()) return fail("unterminated start tag <" + name + ">");
                if (s[i] == '>' || s.substr(i, 2) == "/>") break;
                if (i == before) return fail("attributes must be separated by white space");
                std::string attr;
                if (!read_name(attr)) return fail("bad attribute name in <" + name + ">");
                if (!attrs.insert(attr).second) return fail("duplicate attribute " + attr);
                skip_ws();
                if (i >= s.size() || s[i] != '=') return fail("attribute " + attr + " without '='");
                ++i;
                skip_ws();
                if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return fail("attribute " + attr + " not quoted");
                const char q = s[i++];
                while (i < s.size() && s[i] != q) {
                    if (s[i] == '<') return fail("'<' in attribute " + attr);
                    if (s[i] == '&') {
                        if (!reference()) return fail("bad reference in attribute " + attr);
                        continue;
                    }
                    ++i;
                }
                if (i >= s.size()) return fail("unterminated attribute " + attr);
                ++i;
            }
            if (s[i] == '/') {
                i += 2;
                if (stack.empty()) root_done = true;
            } else {
                ++i;
                stack.push_back(name);
            }
            continue;
        }
        if (s[i] == '&') {
            if (stack.empty()) return fail("reference outside the root element");
            if (!reference()) return fail("bad reference");
            continue;
        }
        if (stack.empty() && !std::isspace(static_cast<unsigned char>(s[i]))) return fail("text outside the root element");
        ++i;
    }
    if (!stack.empty()) return fail("unclosed element <" + stack.back() + ">");
    if (!root_done) return fail("no root element");
    r.ok = true;
    return r;
}

}  // namespace hf::test
