#include <algorithm>
#include <cmath>
#include <set>

#include "quantd/backtest/report.h"
#include "sweep_spec_internal.h"

namespace quantd::app {
namespace {

using nlohmann::json;

bool whole(double v) { return std::isfinite(v) && v == std::floor(v); }

// One axis from "grid.NAME": a list of numbers or {"from", "to", "step"}.
std::optional<std::vector<double>> read_axis(const std::string& field, const json& v,
                                             std::vector<SpecError>& errors) {
  if (v.is_array()) {
    std::vector<double> values;
    std::set<double> seen;
    if (v.empty()) {
      errors.emplace_back(field, "lists no values");
      return std::nullopt;
    }
    if (v.size() > kMaxAxisValues) {
      errors.emplace_back(field, "lists " + std::to_string(v.size()) + " values; at most " +
                                     std::to_string(kMaxAxisValues));
      return std::nullopt;
    }
    for (const json& x : v) {
      if (!x.is_number() || !std::isfinite(x.get<double>())) {
        errors.emplace_back(field, "must list numbers, e.g. [5, 10, 20]");
        return std::nullopt;
      }
      if (seen.insert(x.get<double>()).second) values.push_back(x.get<double>());
    }
    return values;
  }
  if (v.is_object()) {
    for (const auto& [key, _] : v.items()) {
      if (key != "from" && key != "to" && key != "step") {
        errors.emplace_back(field + "." + key, "is not a range field (known: from, to, step)");
        return std::nullopt;
      }
    }
    for (const char* key : {"from", "to", "step"}) {
      if (!v.contains(key) || !v[key].is_number()) {
        errors.emplace_back(field + "." + key, "is required: a number");
        return std::nullopt;
      }
    }
    auto values = research::axis_range(v["from"].get<double>(), v["to"].get<double>(),
                                       v["step"].get<double>(), kMaxAxisValues);
    if (!values.ok()) {
      errors.emplace_back(field, values.status().message());
      return std::nullopt;
    }
    return std::move(values).value();
  }
  errors.emplace_back(field,
                      "must be a list of values or a range {\"from\": 5, \"to\": 50, \"step\": 5}");
  return std::nullopt;
}

std::optional<std::int64_t> read_count(const json& body, const char* key, const std::string& field,
                                       std::int64_t min, std::int64_t max,
                                       std::vector<SpecError>& errors) {
  if (!body.contains(key) || body[key].is_null()) return std::nullopt;
  const json& v = body[key];
  if (!v.is_number() || !whole(v.get<double>()) || v.get<double>() < static_cast<double>(min) ||
      v.get<double>() > static_cast<double>(max)) {
    errors.emplace_back(
        field, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return v.get<std::int64_t>();
}

}  // namespace

std::string_view to_string(SweepPhase phase) {
  switch (phase) {
    case SweepPhase::kFull:
      return "full";
    case SweepPhase::kInSample:
      return "in_sample";
    case SweepPhase::kOutOfSample:
      return "out_of_sample";
  }
  return "full";
}

SweepTask SweepPlan::task(std::int64_t index) const {
  const auto c = static_cast<std::int64_t>(combos.size());
  SweepTask t;
  t.index = index;
  if (index < c) {
    t.combo = index;
    return t;
  }
  const std::int64_t in_sample = c * static_cast<std::int64_t>(windows.size());
  if (index < c + in_sample) {
    t.phase = SweepPhase::kInSample;
    t.window = static_cast<int>((index - c) / c);
    t.combo = (index - c) % c;
    return t;
  }
  t.phase = SweepPhase::kOutOfSample;
  t.window = static_cast<int>(index - c - in_sample);
  t.combo = -1;
  return t;
}

std::string sweep_kind(const json& spec) {
  if (spec.contains("walk_forward") && !spec["walk_forward"].is_null()) return "walk_forward";
  if (spec.contains("random") && !spec["random"].is_null()) return "random";
  return "grid";
}

std::optional<json> build_sweep_spec(const json& request, const std::vector<std::string>& declared,
                                     const strategy::Params& fixed,
                                     std::optional<std::pair<TimestampMs, TimestampMs>> span,
                                     std::vector<SpecError>& errors) {
  const std::size_t errors_before = errors.size();
  json spec{{"axes", json::array()},
            {"random", nullptr},
            {"walk_forward", nullptr},
            {"windows", json::array()}};
  std::vector<research::ParamAxis> axes;
  if (!request.contains("grid") || !request["grid"].is_object() || request["grid"].empty()) {
    errors.emplace_back("grid",
                        request.contains("grid") && request["grid"].is_object()
                            ? "is empty: vary at least one parameter"
                            : "is required: the parameters to vary, e.g. {\"fast\": [5, 10], "
                              "\"slow\": {\"from\": 20, \"to\": 60, \"step\": 10}}");
  } else {
    for (const auto& [name, v] : request["grid"].items()) {
      const std::string field = "grid." + name;
      if (std::find(declared.begin(), declared.end(), name) == declared.end()) {
        std::string known;
        for (const std::string& d : declared) known += (known.empty() ? "" : ", ") + d;
        errors.emplace_back(field,
                            "the strategy declares no parameter '" + name + "'" +
                                (known.empty() ? " (it has none)" : " (it has: " + known + ")"));
        continue;
      }
      auto values = read_axis(field, v, errors);
      if (!values) continue;
      axes.push_back({name, *values});
      spec["axes"].push_back({{"name", name}, {"values", *values}});
    }
  }
  const std::int64_t max_runs =
      read_count(request, "max_runs", "max_runs", 1, kSweepRunLimit, errors)
          .value_or(static_cast<std::int64_t>(kDefaultMaxRuns));
  std::optional<research::RandomDraws> random;
  if (request.contains("random") && !request["random"].is_null()) {
    const json& r = request["random"];
    if (!r.is_object()) {
      errors.emplace_back("random", "must be an object such as {\"runs\": 50, \"seed\": 1}");
    } else {
      for (const auto& [key, _] : r.items()) {
        if (key != "runs" && key != "seed") {
          errors.emplace_back("random." + key, "is not a field of random (known: runs, seed)");
        }
      }
      auto runs = read_count(r, "runs", "random.runs", 1, kSweepRunLimit, errors);
      auto seed = read_count(r, "seed", "random.seed", 0, (std::int64_t{1} << 53), errors);
      if (!runs && !r.contains("runs")) errors.emplace_back("random.runs", "is required");
      if (runs) {
        random = research::RandomDraws{static_cast<std::size_t>(*runs),
                                       static_cast<std::uint64_t>(seed.value_or(1))};
        spec["random"] = {{"runs", *runs}, {"seed", seed.value_or(1)}};
      }
    }
  }
  std::string metric = "sharpe";
  if (request.contains("metric") && !request["metric"].is_null()) {
    if (!request["metric"].is_string() ||
        !research::objective(request["metric"].get<std::string>())) {
      errors.emplace_back("metric", "must be one of " + research::objective_names());
    } else {
      metric = request["metric"].get<std::string>();
    }
  }
  spec["metric"] = metric;
  std::size_t windows = 0;
  if (request.contains("walk_forward") && !request["walk_forward"].is_null()) {
    const json& w = request["walk_forward"];
    if (!w.is_object()) {
      errors.emplace_back("walk_forward",
                          "must be an object such as {\"in_sample_days\": 365, "
                          "\"out_of_sample_days\": 90, \"anchored\": false}");
    } else {
      for (const auto& [key, _] : w.items()) {
        if (key != "in_sample_days" && key != "out_of_sample_days" && key != "anchored") {
          errors.emplace_back("walk_forward." + key,
                              "is not a walk-forward setting (known: in_sample_days, "
                              "out_of_sample_days, anchored)");
        }
      }
      auto in = read_count(w, "in_sample_days", "walk_forward.in_sample_days", 1, 36'500, errors);
      auto out =
          read_count(w, "out_of_sample_days", "walk_forward.out_of_sample_days", 1, 36'500, errors);
      if (!w.contains("in_sample_days")) {
        errors.emplace_back("walk_forward.in_sample_days", "is required");
      }
      if (!w.contains("out_of_sample_days")) {
        errors.emplace_back("walk_forward.out_of_sample_days", "is required");
      }
      bool anchored = false;
      if (w.contains("anchored") && !w["anchored"].is_null()) {
        if (!w["anchored"].is_boolean()) {
          errors.emplace_back("walk_forward.anchored", "must be true or false");
        } else {
          anchored = w["anchored"].get<bool>();
        }
      }
      if (in && out && span) {
        research::WalkForwardSpec ws{static_cast<int>(*in), static_cast<int>(*out), anchored};
        auto ww = research::windows(ws, span->first, span->second);
        if (!ww.ok()) {
          errors.emplace_back("walk_forward.in_sample_days", ww.status().message());
        } else {
          spec["walk_forward"] = {
              {"in_sample_days", *in}, {"out_of_sample_days", *out}, {"anchored", anchored}};
          for (const research::Window& x : *ww) {
            spec["windows"].push_back({x.in_from, x.in_to, x.out_from, x.out_to});
          }
          windows = ww->size();
        }
      }
    }
  }
  if (errors.size() != errors_before) return std::nullopt;
  strategy::Params fixed_rest;
  for (const auto& [k, v] : fixed) {
    if (std::none_of(axes.begin(), axes.end(), [&](const auto& a) { return a.name == k; })) {
      fixed_rest[k] = v;
    }
  }
  spec["fixed"] = json::object();
  for (const auto& [k, v] : fixed_rest) spec["fixed"][k] = v;
  // The bound counts every run the sweep makes: with walk-forward each set runs once on the
  // whole period and once per window, and each window adds its out-of-sample run.
  auto combos = research::expand(axes, fixed_rest, random, kSweepRunLimit);
  if (!combos.ok()) {
    errors.emplace_back(random ? "random.runs" : "grid", combos.status().message());
    return std::nullopt;
  }
  const std::size_t total = combos->size() * (1 + windows) + windows;
  if (total > static_cast<std::size_t>(max_runs)) {
    std::string what = std::to_string(combos->size()) + " parameter sets";
    if (windows > 0) {
      what += " over the whole period and " + std::to_string(windows) +
              " walk-forward windows make " + std::to_string(total) + " runs";
    } else {
      what = "the " + std::string(random ? "draws make " : "grid has ") + std::to_string(total) +
             " runs";
    }
    errors.emplace_back(random ? "random.runs" : "grid",
                        what + "; the bound is " + std::to_string(max_runs) +
                            " (raise max_runs, at most " + std::to_string(kSweepRunLimit) + ")");
    return std::nullopt;
  }
  return spec;
}

Result<SweepPlan> plan_from_spec(const json& spec) {
  try {
    SweepPlan plan;
    for (const json& a : spec.at("axes")) {
      plan.axes.push_back(
          {a.at("name").get<std::string>(), a.at("values").get<std::vector<double>>()});
    }
    for (const auto& [k, v] : spec.at("fixed").items()) plan.fixed[k] = v.get<double>();
    std::optional<research::RandomDraws> random;
    if (!spec.at("random").is_null()) {
      random = research::RandomDraws{spec["random"].at("runs").get<std::size_t>(),
                                     spec["random"].at("seed").get<std::uint64_t>()};
    }
    auto combos = research::expand(plan.axes, plan.fixed, random, kSweepRunLimit);
    if (!combos.ok()) return combos.status();
    plan.combos = std::move(combos).value();
    for (const json& w : spec.at("windows")) {
      plan.windows.push_back({w.at(0).get<TimestampMs>(), w.at(1).get<TimestampMs>(),
                              w.at(2).get<TimestampMs>(), w.at(3).get<TimestampMs>()});
    }
    auto objective = research::objective(spec.at("metric").get<std::string>());
    if (!objective) return Status::invalid_argument("sweep spec: unknown metric");
    plan.objective = *objective;
    return plan;
  } catch (const std::exception& e) {
    return Status::invalid_argument(std::string("sweep spec is damaged: ") + e.what());
  }
}

}  // namespace quantd::app
