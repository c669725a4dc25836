#include "terraform/report.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <set>

namespace ua::terraform {

namespace json = boost::json;

std::size_t primary_reference(const Findings& findings) {
  const std::string& path = findings.image.path;
  std::size_t best = 0;
  std::size_t best_len = 0;
  for (std::size_t i = 0; i < findings.references.size(); ++i) {
    const std::string& stack = findings.references[i].stack;
    if (stack.size() > best_len && path.find(stack) != std::string::npos) {
      best = i;
      best_len = stack.size();
    }
  }
  return best;
}

namespace {

json::value str_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

std::string result_name(Outcome o) {
  switch (o) {
    case Outcome::edit: return "edit";
    case Outcome::already_current: return "already_current";
    case Outcome::refused: return "refused";
    case Outcome::not_referenced: return "not_referenced";
    case Outcome::needs_chart_version: return "needs_chart_version";
  }
  return "unknown";
}

std::vector<std::string> stacks_of(const Findings& f, std::size_t primary) {
  std::vector<std::string> out;
  if (!f.references.empty()) out.push_back(f.references[primary].stack);
  for (const auto& r : f.references) {
    if (std::find(out.begin(), out.end(), r.stack) == out.end()) out.push_back(r.stack);
  }
  for (const auto& s : f.skipped) {
    if (std::find(out.begin(), out.end(), s.stack) == out.end()) out.push_back(s.stack);
  }
  return out;
}

}  // namespace

json::object report_json(const Findings& findings, const ChangePlan& plan, const std::vector<FileChange>& files,
                         std::string_view target) {
  json::object o;
  o["image"] = findings.image.familiar_name();
  o["target"] = std::string(target);
  const auto primary = primary_reference(findings);
  if (!findings.references.empty()) {
    const Reference& p = findings.references[primary];
    o["stack"] = p.stack;
    o["service"] = p.service;
    o["namespace"] = p.namespace_name;
    o["pattern"] = std::string(pattern_letter(p.pattern));
    o["current"] = p.current;
  } else if (!findings.skipped.empty()) {
    o["stack"] = findings.skipped.front().stack;
    o["service"] = nullptr;
    o["namespace"] = nullptr;
    o["pattern"] = nullptr;
    o["current"] = nullptr;
  } else {
    o["stack"] = nullptr;
    o["service"] = nullptr;
    o["namespace"] = nullptr;
    o["pattern"] = nullptr;
    o["current"] = nullptr;
  }
  json::array stacks;
  for (const auto& s : stacks_of(findings, primary)) stacks.emplace_back(s);
  o["stacks"] = std::move(stacks);

  json::array edits;
  for (const auto& f : files) {
    for (const auto& l : f.lines) {
      json::object e;
      e["file"] = f.file;
      e["line"] = l.line;
      e["before"] = l.before;
      e["after"] = l.after;
      e["from"] = l.from;
      e["to"] = l.to;
      e["where"] = l.where;
      edits.push_back(std::move(e));
    }
  }
  o["edits"] = std::move(edits);

  json::array skipped;
  for (const auto& s : plan.skipped) {
    json::object e;
    e["file"] = s.file;
    e["line"] = s.line;
    e["stack"] = s.stack;
    e["written"] = s.written;
    e["rule"] = std::string(core::to_string(s.rule));
    e["reason"] = s.reason;
    if (!s.category.empty()) e["category"] = s.category;
    skipped.push_back(std::move(e));
  }
  o["skipped"] = std::move(skipped);
  if (!findings.notes.empty()) {
    json::array notes;
    for (const auto& n : findings.notes) {
      json::object e;
      e["file"] = n.file;
      e["line"] = n.line;
      e["stack"] = n.stack;
      e["note"] = n.text;
      notes.push_back(std::move(e));
    }
    o["notes"] = std::move(notes);
  }

  json::array refs;
  for (std::size_t i = 0; i < findings.references.size(); ++i) {
    const Reference& r = findings.references[i];
    json::object e;
    e["stack"] = r.stack;
    e["service"] = r.service;
    e["namespace"] = r.namespace_name;
    e["pattern"] = std::string(pattern_letter(r.pattern));
    e["detail"] = r.detail;
    e["file"] = r.file;
    e["line"] = r.line;
    e["written"] = r.written;
    e["current"] = r.current;
    if (i < plan.outcomes.size()) {
      e["status"] = std::string(to_string(plan.outcomes[i].status));
      e["reason"] = str_or_null(plan.outcomes[i].reason);
    }
    json::object site;
    site["file"] = r.site.file;
    site["line"] = r.site.line;
    site["text"] = r.site.text;
    site["where"] = r.site.where;
    e["site"] = std::move(site);
    json::array via;
    for (const auto& v : r.via) via.emplace_back(v);
    e["via"] = std::move(via);
    if (r.by_shape) e["matched_by_shape"] = true;
    if (r.pattern == Pattern::chart) {
      e["release"] = r.release;
      e["chart"] = r.chart;
      e["chart_repository"] = r.chart_repository;
      e["chart_evidence"] = r.chart_evidence;
    }
    refs.push_back(std::move(e));
  }
  o["references"] = std::move(refs);
  o["result"] = result_name(plan.outcome);
  o["rule"] = std::string(core::to_string(plan.rule));
  o["reason"] = str_or_null(plan.reason);
  return o;
}

std::string report_text(const Findings& findings, const ChangePlan& plan, const std::vector<FileChange>& files,
                        std::string_view target, bool applied) {
  std::string out;
  const std::string image = findings.image.familiar_name();
  const auto primary = primary_reference(findings);
  if (!findings.references.empty()) {
    const Reference& p = findings.references[primary];
    const auto stacks = stacks_of(findings, primary);
    std::string list;
    for (const auto& s : stacks) list += (list.empty() ? "" : ", ") + s;
    out += image + ": " + p.current + " -> " + std::string(target) + " (" + (stacks.size() > 1 ? "stacks " : "stack ") +
           list + ", service " + p.service +
           ", namespace " + p.namespace_name + ", pattern " + std::string(pattern_letter(p.pattern)) + " " + p.detail +
           ")\n";
  }
  for (const auto& f : files) {
    for (const auto& l : f.lines) {
      out += std::string(applied ? "  edited  " : "  edit    ") + f.file + ":" + std::to_string(l.line) + "  " +
             l.from + " -> " + l.to + "  (" + l.where + ")\n";
    }
  }
  for (const auto& s : plan.skipped) {
    out += "  skipped " + s.file + ":" + std::to_string(s.line) + "  " + s.written + ": " + s.reason + "\n";
  }
  for (const auto& n : findings.notes) {
    out += "  note    " + n.file + ":" + std::to_string(n.line) + "  " + n.text + "\n";
  }
  switch (plan.outcome) {
    case Outcome::edit:
      out += std::string(applied ? "edited " : "would edit ") + std::to_string(plan.changes.size()) + " place(s) in " +
             std::to_string(files.size()) + " file(s)\n";
      break;
    default:
      out += plan.reason + "\n";
      break;
  }
  return out;
}

}  // namespace ua::terraform
