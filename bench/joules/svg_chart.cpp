#include "bench/joules/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace hf::joules {
namespace {

struct EraStyle {
    const char* key;
    const char* label;
    const char* colour;
};
// Colour-blind-safe-ish palette (Tableau 10).
constexpr EraStyle kEras[] = {
    {"cpu", "CPU", "#1f77b4"},  {"gpu-style", "GPU-style SIMD on this CPU", "#17becf"},
    {"gpu", "GPU", "#9467bd"},  {"fpga", "FPGA", "#ff7f0e"},
    {"asic", "ASIC", "#d62728"},
};

const EraStyle& style_of(const JoulesRow& r) {
    const std::string key = r.era == "gpu-model" ? "gpu" : r.era;
    for (const auto& e : kEras)
        if (key == e.key) return e;
    static constexpr EraStyle other{"other", "other", "#7f7f7f"};
    return other;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// The marker for a power source, centred on (x, y).
std::string marker(PowerSource s, double x, double y, const std::string& colour) {
    const double r = 6;
    std::ostringstream m;
    const std::string filled = "fill=\"" + colour + "\" stroke=\"" + colour + "\" stroke-width=\"1.5\"";
    const std::string hollow = "fill=\"#ffffff\" stroke=\"" + colour + "\" stroke-width=\"2.5\"";
    auto diamond = [&](const std::string& style) {
        m << "<polygon points=\"" << num(x) << "," << num(y - r - 1) << " " << num(x + r + 1) << "," << num(y) << " "
          << num(x) << "," << num(y + r + 1) << " " << num(x - r - 1) << "," << num(y) << "\" " << style << "/>";
    };
    switch (s) {
        case PowerSource::Measured:
            m << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\"" << num(r) << "\" " << filled << "/>";
            break;
        case PowerSource::Declared: diamond(filled); break;
        case PowerSource::Assumed:
            m << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\"" << num(r - 1) << "\" " << hollow
              << " stroke-dasharray=\"3,2\"/>";
            break;
        case PowerSource::Modeled: diamond(hollow); break;
        case PowerSource::Reference:
            m << "<rect x=\"" << num(x - r + 0.5) << "\" y=\"" << num(y - r + 0.5) << "\" width=\"" << num(2 * r - 1)
              << "\" height=\"" << num(2 * r - 1) << "\" " << filled << "/>";
            break;
    }
    return m.str();
}

std::string decade_label(int k) {
    static const char* prefixes[] = {"", "k", "M", "G", "T", "P"};
    if (k < 0 || k > 17) return "1e" + std::to_string(k) + " H/J";
    const int p = k / 3;
    const int mult = k % 3 == 0 ? 1 : k % 3 == 1 ? 10 : 100;
    return std::to_string(mult) + " " + prefixes[p] + "H/J";
}

}  // namespace

std::string xml_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // Control characters are not allowed in XML 1.0.
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
        }
    }
    return out;
}

std::string render_svg(const JoulesReport& report) {
    std::vector<JoulesRow> rows;
    for (const auto& r : rows_in_display_order(report.rows))
        if (r.valid()) rows.push_back(r);

    const double width = 1140, label_w = 470, plot_left = label_w + 20, plot_right = width - 40;
    const double top = 150, row_h = 26;
    const double plot_bottom = top + row_h * static_cast<double>(std::max<std::size_t>(rows.size(), 1));
    const double height = plot_bottom + 90;

    double lo = 1e300, hi = 0;
    for (const auto& r : rows) {
        lo = std::min(lo, r.hashes_per_joule());
        hi = std::max(hi, r.hashes_per_joule());
    }
    if (rows.empty()) lo = 1e3, hi = 1e6;
    const int k_lo = static_cast<int>(std::floor(std::log10(lo)));
    const int k_hi = std::max(k_lo + 1, static_cast<int>(std::ceil(std::log10(hi))));
    auto xpos = [&](double hpj) {
        return plot_left + (std::log10(hpj) - k_lo) / (k_hi - k_lo) * (plot_right - plot_left);
    };

    std::ostringstream s;
    s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << num(width) << "\" height=\"" << num(height)
      << "\" viewBox=\"0 0 " << num(width) << " " << num(height) << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
    s << "<rect x=\"0\" y=\"0\" width=\"" << num(width) << "\" height=\"" << num(height) << "\" fill=\"#ffffff\"/>\n";
    s << "<text x=\"20\" y=\"30\" font-size=\"20\" font-weight=\"bold\">Hashes per joule: why Bitcoin mining moved from CPUs to GPUs to ASICs</text>\n";
    s << "<text x=\"20\" y=\"52\" font-size=\"12\" fill=\"#444444\">sha256d, log scale, further right is more efficient. This machine: "
      << xml_escape(report.machine) << (report.generated.empty() ? "" : ", " + xml_escape(report.generated)) << "</text>\n";

    // Legend: eras (colour) and power sources (shape/fill).
    double lx = 20;
    s << "<g class=\"legend\" font-size=\"12\">\n";
    for (const auto& e : kEras) {
        s << "<rect x=\"" << num(lx) << "\" y=\"68\" width=\"14\" height=\"14\" fill=\"" << e.colour << "\"/>"
          << "<text x=\"" << num(lx + 19) << "\" y=\"80\">" << xml_escape(e.label) << "</text>\n";
        lx += 28 + 7.0 * static_cast<double>(std::string(e.label).size());
    }
    const std::pair<PowerSource, const char*> shapes[] = {
        {PowerSource::Measured, "power measured here (RAPL)"},
        {PowerSource::Declared, "power declared by user"},
        {PowerSource::Assumed, "power assumed (TDP / cores)"},
        {PowerSource::Modeled, "modeled"},
        {PowerSource::Reference, "published machine"},
    };
    lx = 20;
    for (const auto& [ps, text] : shapes) {
        s << marker(ps, lx + 7, 104, "#333333") << "<text x=\"" << num(lx + 19) << "\" y=\"108\">" << text << "</text>\n";
        lx += 34 + 6.6 * static_cast<double>(std::string(text).size());
    }
    s << "</g>\n";

    // Decade grid and axis.
    s << "<g class=\"axis\" font-size=\"11\" fill=\"#444444\">\n";
    for (int k = k_lo; k <= k_hi; ++k) {
        const double x = xpos(std::pow(10.0, k));
        s << "<line x1=\"" << num(x) << "\" y1=\"" << num(top - 8) << "\" x2=\"" << num(x) << "\" y2=\"" << num(plot_bottom)
          << "\" stroke=\"#dddddd\" stroke-width=\"1\"/>"
          << "<text x=\"" << num(x) << "\" y=\"" << num(plot_bottom + 18) << "\" text-anchor=\"middle\">"
          << xml_escape(decade_label(k)) << "</text>\n";
    }
    s << "<line x1=\"" << num(plot_left) << "\" y1=\"" << num(plot_bottom) << "\" x2=\"" << num(plot_right) << "\" y2=\""
      << num(plot_bottom) << "\" stroke=\"#888888\"/>\n";
    s << "<text x=\"" << num((plot_left + plot_right) / 2) << "\" y=\"" << num(plot_bottom + 40)
      << "\" text-anchor=\"middle\" font-size=\"13\">hashes per joule (log scale)</text>\n";
    s << "</g>\n";

    // Rows.
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const auto& st = style_of(r);
        const double y = top + row_h * (static_cast<double>(i) + 0.5);
        const double x = xpos(r.hashes_per_joule());
        if (i % 2 == 0)
            s << "<rect x=\"10\" y=\"" << num(y - row_h / 2) << "\" width=\"" << num(width - 20) << "\" height=\"" << num(row_h)
              << "\" fill=\"#f6f6f6\"/>\n";
        std::string label = era_label(r) + ": " + r.name;
        if (r.threads) label += ", " + std::to_string(r.threads) + (r.threads == 1 ? " thread" : " threads");
        if (r.year) label += " (" + std::to_string(r.year) + ")";
        s << "<g class=\"row\" data-era=\"" << xml_escape(r.era) << "\" data-power-source=\""
          << power_source_name(r.power_source) << "\" data-name=\"" << xml_escape(r.name) << "\">\n"
          << "<title>" << xml_escape(r.name + ": " + hashrate_text(r.hashrate) + ", " + format_si(r.watts, "W") + " (" +
                                     std::string(power_source_name(r.power_source)) + "), " +
                                     format_si(r.joules_per_terahash(), "J/TH"))
          << "</title>\n"
          << "<text x=\"" << num(label_w) << "\" y=\"" << num(y + 4) << "\" text-anchor=\"end\" font-size=\"12\" fill=\""
          << st.colour << "\">" << xml_escape(label) << "</text>\n"
          << "<line x1=\"" << num(plot_left) << "\" y1=\"" << num(y) << "\" x2=\"" << num(x) << "\" y2=\"" << num(y)
          << "\" stroke=\"" << st.colour << "\" stroke-width=\"2\" stroke-opacity=\"0.45\"/>\n"
          << marker(r.power_source, x, y, st.colour) << "\n";
        const std::string value = format_si(r.hashes_per_joule(), "H/J") + "  (" + format_si(r.joules_per_terahash(), "J/TH") + ")";
        const bool left = x > plot_right - 170;
        s << "<text x=\"" << num(left ? x - 12 : x + 12) << "\" y=\"" << num(y + 4) << "\" font-size=\"11\" fill=\"#222222\""
          << (left ? " text-anchor=\"end\"" : "") << ">" << xml_escape(value) << "</text>\n</g>\n";
    }
    s << "<text x=\"20\" y=\"" << num(height - 14) << "\" font-size=\"11\" fill=\"#555555\">"
      << "Every figure's source is listed by 'hashforge bench --joules' and in its --json output; published rows cite "
         "their pages in bench/joules/reference_machines.json.</text>\n";
    s << "</svg>\n";
    return s.str();
}

}  // namespace hf::joules
