#include "lib/sim/trace_msc.h"

namespace kafka {
namespace {

std::string Column(NodeId id) { return "n" + std::to_string(id); }

// "at 12 ms: text", the label of one row.
std::string Label(const TraceEvent& event, const std::string& text) {
  return "label=\"" + std::to_string(event.time_ms) + " ms: " + text + "\"";
}

// The chart line for one event, or "" for an event the chart leaves out.
std::string LineFor(const TraceEvent& e) {
  using Kind = TraceEvent::Kind;
  const std::string from = Column(e.from), to = Column(e.to);
  switch (e.kind) {
    case Kind::kDeliver:
      return from + "=>" + to + " [" + Label(e, e.message.Describe()) + "];";
    case Kind::kDrop:
      return from + "-x" + to + " [" +
             Label(e, e.message.Describe() + " (" + e.note + ")") + "];";
    case Kind::kTimeout:
      return from + " box " + from + " [" +
             Label(e, e.message.Describe() + " timed out") + "];";
    case Kind::kCrash:
    case Kind::kStop:
    case Kind::kRestart:
    case Kind::kPause:
    case Kind::kResume:
      return from + " box " + from + " [" +
             Label(e, std::string(KindName(e.kind))) + "];";
    case Kind::kSend:
    case Kind::kTimer:
      return "";
  }
  return "";
}

}  // namespace

std::string TraceToMsc(const std::vector<TraceEvent>& trace,
                       const std::map<NodeId, std::string>& names) {
  // 728 px: the book's text column (book/book.css), so the chart is drawn
  // at the size a reader sees it.
  std::string msc = "msc {\n  width=\"728\";\n  ";
  bool first = true;
  for (const auto& [id, name] : names) {
    msc += (first ? "" : ", ") + Column(id) + " [label=\"" + name + "\"]";
    first = false;
  }
  msc += ";\n";
  for (size_t i = 0; i < trace.size(); ++i) {
    const TraceEvent& event = trace[i];
    if (!names.contains(event.from) || !names.contains(event.to)) continue;
    // A message that arrives only to be refused draws once, as lost.
    if (event.kind == TraceEvent::Kind::kDeliver && i + 1 < trace.size() &&
        trace[i + 1].kind == TraceEvent::Kind::kDrop &&
        trace[i + 1].message == event.message) {
      continue;
    }
    std::string line = LineFor(event);
    if (!line.empty()) msc += "  " + line + "\n";
  }
  return msc + "}\n";
}

}  // namespace kafka
