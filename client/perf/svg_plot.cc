// RenderSvg (declared in report_writers.h): a hand-written SVG line chart of latency at the
// chosen percentile (ms, y) against throughput (infer/s, x), one point per load level.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "client/perf/report_writers.h"

namespace trt::client {
namespace {

constexpr double kWidth = 720, kHeight = 450;
constexpr double kLeft = 80, kRight = 30, kTop = 50, kBottom = 60;

// The smallest 1, 2 or 5 x 10^k step that splits [0, max] into at most ~6 intervals.
double NiceStep(double max) {
  if (max <= 0) return 1;
  const double raw = max / 6;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10 * magnitude;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::fabs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string RenderSvg(const PerfReport& report) {
  struct Point {
    double x, y;
    std::string label;
  };
  std::vector<Point> points;
  double max_x = 0, max_y = 0;
  for (const LevelReport& level : report.levels) {
    if (level.client.requests == 0) continue;
    const std::string label =
        level.mode == LoadMode::kConcurrency ? "c=" + Num(level.value) : Num(level.value) + "/s";
    points.push_back({level.client.throughput, level.client.latency.chosen_us / 1000.0, label});
    max_x = std::max(max_x, points.back().x);
    max_y = std::max(max_y, points.back().y);
  }
  const double step_x = NiceStep(max_x), step_y = NiceStep(max_y);
  const double axis_x = std::max(step_x, std::ceil(max_x / step_x) * step_x);
  const double axis_y = std::max(step_y, std::ceil(max_y / step_y) * step_y);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + x / axis_x * plot_w; };
  auto py = [&](double y) { return kTop + plot_h - y / axis_y * plot_h; };

  const std::string pct = std::string("p").append(Num(report.options.percentile));
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
     << "\" viewBox=\"0 0 " << kWidth << " " << kHeight
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
     << "<text x=\"" << kWidth / 2 << "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">"
     << Escape(report.options.model) << ": " << pct << " latency vs throughput</text>\n";
  // Grid, ticks and tick labels.
  for (double x = 0; x <= axis_x + step_x / 2; x += step_x) {
    os << "<line x1=\"" << px(x) << "\" y1=\"" << kTop << "\" x2=\"" << px(x) << "\" y2=\""
       << kTop + plot_h << "\" stroke=\"#e5e5e5\"/>\n"
       << "<line x1=\"" << px(x) << "\" y1=\"" << kTop + plot_h << "\" x2=\"" << px(x) << "\" y2=\""
       << kTop + plot_h + 5 << "\" stroke=\"black\"/>\n"
       << "<text x=\"" << px(x) << "\" y=\"" << kTop + plot_h + 20 << "\" text-anchor=\"middle\">"
       << Num(x) << "</text>\n";
  }
  for (double y = 0; y <= axis_y + step_y / 2; y += step_y) {
    os << "<line x1=\"" << kLeft << "\" y1=\"" << py(y) << "\" x2=\"" << kLeft + plot_w
       << "\" y2=\"" << py(y) << "\" stroke=\"#e5e5e5\"/>\n"
       << "<line x1=\"" << kLeft - 5 << "\" y1=\"" << py(y) << "\" x2=\"" << kLeft << "\" y2=\""
       << py(y) << "\" stroke=\"black\"/>\n"
       << "<text x=\"" << kLeft - 8 << "\" y=\"" << py(y) + 4 << "\" text-anchor=\"end\">" << Num(y)
       << "</text>\n";
  }
  // Axes and their titles.
  os << "<line x1=\"" << kLeft << "\" y1=\"" << kTop + plot_h << "\" x2=\"" << kLeft + plot_w
     << "\" y2=\"" << kTop + plot_h << "\" stroke=\"black\"/>\n"
     << "<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\""
     << kTop + plot_h << "\" stroke=\"black\"/>\n"
     << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << kHeight - 15
     << "\" text-anchor=\"middle\">throughput (infer/s)</text>\n"
     << "<text x=\"18\" y=\"" << kTop + plot_h / 2 << "\" text-anchor=\"middle\" "
     << "transform=\"rotate(-90 18 " << kTop + plot_h / 2 << ")\">" << pct
     << " latency (ms)</text>\n";
  // The curve.
  if (!points.empty()) {
    os << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"";
    for (size_t i = 0; i < points.size(); ++i) {
      os << (i ? " " : "") << px(points[i].x) << "," << py(points[i].y);
    }
    os << "\"/>\n";
  }
  for (const Point& p : points) {
    os << "<circle cx=\"" << px(p.x) << "\" cy=\"" << py(p.y)
       << "\" r=\"4\" fill=\"#1f77b4\"><title>" << Escape(p.label) << ": " << Num(p.x)
       << " infer/s, " << Num(p.y) << " ms</title></circle>\n"
       << "<text x=\"" << px(p.x) + 6 << "\" y=\"" << py(p.y) - 6 << "\" font-size=\"10\">"
       << Escape(p.label) << "</text>\n";
  }
  if (points.empty()) {
    os << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << kTop + plot_h / 2
       << "\" text-anchor=\"middle\">no successful requests</text>\n";
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace trt::client
