#include "core/analysis/lab_results.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/file_util.h"
#include "core/io/resource_locator.h"

namespace vitscope::core {

namespace {

using nlohmann::json;
namespace L = lab_limits;

/// Python's json writes NaN, Infinity and -Infinity, which are not JSON. Outside strings they
/// are turned into the strings "NaN", "Infinity", "-Infinity", so that the file still parses
/// and the field that holds one is named ("... must be a number in [0, 100], not NaN").
std::string quoteNonFinite(const std::vector<std::byte>& bytes) {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::string out;
    out.reserve(text.size() + 16);
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < text.size()) {
                out += text[++i];
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        if (c == '"') {
            inString = true;
            out += c;
            continue;
        }
        bool replaced = false;
        for (std::string_view token : {"-Infinity", "Infinity", "NaN"}) {
            if (text.substr(i, token.size()) == token) {
                out += '"';
                out += token;
                out += '"';
                i += token.size() - 1;
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out += c;
        }
    }
    return out;
}

/// What a value is, for a message: the number itself, or its type.
std::string found(const json& v) {
    if (v.is_number()) {
        std::ostringstream s;
        s << v.get<double>();
        return s.str();
    }
    if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        if (s == "NaN" || s == "Infinity" || s == "-Infinity") {
            return s;
        }
        return "a string";
    }
    if (v.is_boolean()) {
        return v.get<bool>() ? "true" : "false";
    }
    if (v.is_array()) {
        return "an array of " + std::to_string(v.size());
    }
    return v.is_object() ? "an object" : "null";
}

std::string range(double lo, double hi) {
    std::ostringstream s;
    s << "[" << lo << ", " << hi << "]";
    return s.str();
}

/// Field checks of one file: every error names the file and the field's path.
class Checker {
public:
    explicit Checker(const std::string& path) : mFile(fileLabel(path)) {}

    Error fail(const std::string& field, const std::string& what) const {
        return makeError(ErrorCode::BadData, mFile + ": " + field + " " + what);
    }
    Error wrong(const std::string& field, const std::string& expected, const json& v) const {
        return fail(field, "must be " + expected + ", not " + found(v));
    }

    /// The member `key` of `object`, or null when absent (a JSON null counts as absent).
    static const json* member(const json& object, const char* key) {
        auto it = object.find(key);
        return it == object.end() || it->is_null() ? nullptr : &*it;
    }

    Result<double> number(const json* v, const std::string& field, double lo, double hi) const {
        if (v == nullptr) {
            return fail(field, "is missing");
        }
        const std::string expected = "a number in " + range(lo, hi);
        if (!v->is_number()) {
            return wrong(field, expected, *v);
        }
        const double d = v->get<double>();
        if (!std::isfinite(d) || d < lo || d > hi) {
            return wrong(field, expected, *v);
        }
        return d;
    }

    Result<int64_t> integer(const json* v, const std::string& field, int64_t lo, int64_t hi) const {
        if (v == nullptr) {
            return fail(field, "is missing");
        }
        const std::string expected =
            "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
        if (!v->is_number_integer()) {
            return wrong(field, expected, *v);
        }
        // Non-negative JSON integers parse as unsigned: compare in the type they parsed as.
        const bool inRange = v->is_number_unsigned()
                                 ? v->get<uint64_t>() <= static_cast<uint64_t>(hi) &&
                                       (lo <= 0 || v->get<uint64_t>() >= static_cast<uint64_t>(lo))
                                 : v->get<int64_t>() >= lo && v->get<int64_t>() <= hi;
        if (!inRange) {
            return wrong(field, expected, *v);
        }
        return v->get<int64_t>();
    }

    Result<std::string> text(const json* v, const std::string& field, size_t maxChars) const {
        if (v == nullptr) {
            return std::string();
        }
        if (!v->is_string()) {
            return wrong(field, "a string", *v);
        }
        const std::string& s = v->get_ref<const std::string&>();
        if (s.size() > maxChars) {
            return fail(field, "is longer than " + std::to_string(maxChars) + " characters");
        }
        return s;
    }

    /// An array of at most `maxSize` elements (absent: an empty array when optional).
    Status array(const json* v, const std::string& field, size_t maxSize, bool required) const {
        if (v == nullptr) {
            return required ? Status(fail(field, "is missing")) : Status(Ok{});
        }
        if (!v->is_array()) {
            return wrong(field, "an array", *v);
        }
        if (v->size() > maxSize) {
            return fail(field, "has " + std::to_string(v->size()) + " entries, more than " +
                                   std::to_string(maxSize));
        }
        return Ok{};
    }

    Status object(const json& v, const std::string& field) const {
        return v.is_object() ? Status(Ok{}) : Status(wrong(field, "an object", v));
    }

private:
    std::string mFile;
};

#define VITSCOPE_LAB_TRY(var, expr) \
    auto var = (expr);              \
    if (!var)                       \
    return var.error()

Result<LabPoint> readPoint(const Checker& c, const json& v, const std::string& field) {
    if (auto st = c.object(v, field); !st)
        return st.error();
    LabPoint p;
    VITSCOPE_LAB_TRY(n, c.integer(Checker::member(v, "train_images"), field + ".train_images", 1,
                                  L::kMaxTrainImages));
    VITSCOPE_LAB_TRY(runs, c.integer(Checker::member(v, "runs"), field + ".runs", 1,
                                     static_cast<int64_t>(L::kMaxRunsPerPoint)));
    VITSCOPE_LAB_TRY(mean, c.number(Checker::member(v, "mean_top1_percent"),
                                    field + ".mean_top1_percent", 0.0, 100.0));
    VITSCOPE_LAB_TRY(sd, c.number(Checker::member(v, "std_top1_percent"),
                                  field + ".std_top1_percent", 0.0, 100.0));
    p.trainImages = *n;
    p.runs = static_cast<int>(*runs);
    p.meanTop1 = *mean;
    p.stdTop1 = *sd;
    const json* each = Checker::member(v, "top1_percent");
    const std::string eachField = field + ".top1_percent";
    if (auto st = c.array(each, eachField, L::kMaxRunsPerPoint, false); !st)
        return st.error();
    if (each != nullptr) {
        if (static_cast<int>(each->size()) != p.runs) {
            return c.fail(eachField, "has " + std::to_string(each->size()) +
                                         " entries but runs is " + std::to_string(p.runs));
        }
        for (size_t i = 0; i < each->size(); ++i) {
            VITSCOPE_LAB_TRY(
                a, c.number(&(*each)[i], eachField + "[" + std::to_string(i) + "]", 0.0, 100.0));
            p.top1.push_back(*a);
        }
    }
    return p;
}

Status readSeries(const Checker& c, const json& root, LabResults& out) {
    const json* all = Checker::member(root, "series");
    if (all == nullptr) {
        return c.fail("series", "is missing");
    }
    if (auto st = c.object(*all, "series"); !st)
        return st;
    if (all->size() > L::kMaxSeries) {
        return c.fail("series", "has " + std::to_string(all->size()) + " models, more than " +
                                    std::to_string(L::kMaxSeries));
    }
    for (const auto& [arch, points] : all->items()) {
        const std::string field = "series." + arch;
        if (arch.empty() || arch.size() > L::kMaxName) {
            return c.fail("series", "has a model name of " + std::to_string(arch.size()) +
                                        " characters (expected 1 to " +
                                        std::to_string(L::kMaxName) + ")");
        }
        if (auto st = c.array(&points, field, L::kMaxPoints, true); !st)
            return st;
        LabSeries s;
        s.arch = arch;
        for (size_t i = 0; i < points.size(); ++i) {
            const std::string pointField = field + "[" + std::to_string(i) + "]";
            VITSCOPE_LAB_TRY(p, readPoint(c, points[i], pointField));
            if (s.at(p->trainImages) != nullptr) {
                return c.fail(pointField + ".train_images",
                              std::to_string(p->trainImages) + " appears twice");
            }
            s.points.push_back(std::move(p.value()));
        }
        std::sort(s.points.begin(), s.points.end(), [](const LabPoint& a, const LabPoint& b) {
            return a.trainImages < b.trainImages;
        });
        out.series.push_back(std::move(s));
    }
    return Ok{};
}

Result<LabRun> readRun(const Checker& c, const json& v, const std::string& field) {
    if (auto st = c.object(v, field); !st)
        return st.error();
    LabRun r;
    VITSCOPE_LAB_TRY(arch, c.text(Checker::member(v, "arch"), field + ".arch", L::kMaxName));
    if (arch->empty()) {
        return c.fail(field + ".arch", "is missing");
    }
    VITSCOPE_LAB_TRY(n, c.integer(Checker::member(v, "train_images"), field + ".train_images", 1,
                                  L::kMaxTrainImages));
    VITSCOPE_LAB_TRY(top1, c.number(Checker::member(v, "test_top1_percent"),
                                    field + ".test_top1_percent", 0.0, 100.0));
    r.arch = std::move(arch.value());
    r.trainImages = *n;
    r.top1 = *top1;
    if (const json* seed = Checker::member(v, "seed")) {
        VITSCOPE_LAB_TRY(s, c.integer(seed, field + ".seed", 0, int64_t{1} << 40));
        r.seed = *s;
    }
    if (const json* params = Checker::member(v, "parameters")) {
        VITSCOPE_LAB_TRY(p, c.integer(params, field + ".parameters", 1, int64_t{1} << 40));
        r.parameters = *p;
    }
    return r;
}

Status readRuns(const Checker& c, const json& root, LabResults& out) {
    const json* runs = Checker::member(root, "runs");
    if (auto st = c.array(runs, "runs", L::kMaxRuns, false); !st)
        return st;
    if (runs == nullptr) {
        return Ok{};
    }
    for (size_t i = 0; i < runs->size(); ++i) {
        VITSCOPE_LAB_TRY(r, readRun(c, (*runs)[i], "runs[" + std::to_string(i) + "]"));
        out.runs.push_back(std::move(r.value()));
    }
    return Ok{};
}

Status readPaperTable(const Checker& c, const json& root, LabResults& out) {
    const json* table = Checker::member(root, "paper_table8_vit_b16");
    if (table == nullptr) {
        return Ok{};
    }
    if (auto st = c.object(*table, "paper_table8_vit_b16"); !st)
        return st;
    if (table->size() > 8) {
        return c.fail("paper_table8_vit_b16", "has more than 8 entries");
    }
    for (const auto& [key, value] : table->items()) {
        const std::string field = "paper_table8_vit_b16." + key;
        if (key.size() > L::kMaxName) {
            return c.fail("paper_table8_vit_b16",
                          "has a name longer than " + std::to_string(L::kMaxName) + " characters");
        }
        VITSCOPE_LAB_TRY(v, c.number(&value, field, 0.0, 1.0));
        out.paperTable8.emplace_back(key, *v);
    }
    // The paper's row order (JSON objects have none): none, 1-D, 2-D, relative, then the rest.
    auto rank = [](const std::string& key) {
        const char* order[] = {"none", "1-D", "2-D", "relative"};
        return static_cast<int>(std::find(std::begin(order), std::end(order), key) -
                                std::begin(order));
    };
    std::stable_sort(out.paperTable8.begin(), out.paperTable8.end(),
                     [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
    return Ok{};
}

Status readTestTime(const Checker& c, const json& root, LabResults& out) {
    const json* ablation = Checker::member(root, "test_time_ablation");
    if (ablation == nullptr) {
        return Ok{};
    }
    if (auto st = c.object(*ablation, "test_time_ablation"); !st)
        return st;
    TestTimeAblation t;
    VITSCOPE_LAB_TRY(model, c.text(Checker::member(*ablation, "model"), "test_time_ablation.model",
                                   L::kMaxName));
    t.model = std::move(model.value());
    const json* top1 = Checker::member(*ablation, "top1_percent");
    if (top1 == nullptr) {
        return c.fail("test_time_ablation.top1_percent", "is missing");
    }
    if (auto st = c.object(*top1, "test_time_ablation.top1_percent"); !st)
        return st;
    const std::pair<const char*, std::optional<double>*> fields[] = {
        {"positions", &t.positions},
        {"no_positions", &t.noPositions},
        {"shuffled", &t.shuffled},
        {"no_positions_shuffled", &t.noPositionsShuffled}};
    for (const auto& [key, slot] : fields) {
        if (const json* v = Checker::member(*top1, key)) {
            VITSCOPE_LAB_TRY(
                value, c.number(v, std::string("test_time_ablation.top1_percent.") + key, 0, 100));
            *slot = *value;
        }
    }
    out.testTime = std::move(t);
    return Ok{};
}

Status readTexts(const Checker& c, const json& root, LabResults& out) {
    const std::pair<const char*, std::string*> texts[] = {{"description", &out.description},
                                                          {"budget_rule", &out.budgetRule},
                                                          {"subsets", &out.subsets}};
    for (const auto& [key, slot] : texts) {
        VITSCOPE_LAB_TRY(value, c.text(Checker::member(root, key), key, L::kMaxText));
        *slot = std::move(value.value());
    }
    return Ok{};
}

}  // namespace

const LabPoint* LabSeries::at(int64_t trainImages) const {
    for (const LabPoint& p : points) {
        if (p.trainImages == trainImages) {
            return &p;
        }
    }
    return nullptr;
}

const LabSeries* LabResults::find(const std::string& arch) const {
    for (const LabSeries& s : series) {
        if (s.arch == arch) {
            return &s;
        }
    }
    return nullptr;
}

int64_t LabResults::parameters(const std::string& arch) const {
    for (const LabRun& r : runs) {
        if (r.arch == arch && r.parameters > 0) {
            return r.parameters;
        }
    }
    return 0;
}

Result<LabResults> loadLabResults(const std::string& path) {
    auto bytes = readFile(path, L::kMaxFileBytes);
    if (!bytes) {
        return bytes.error();
    }
    const std::string text = quoteNonFinite(bytes.value());
    const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
    const Checker c(path);
    if (root.is_discarded()) {
        return makeError(ErrorCode::BadData, fileLabel(path) + ": not valid JSON");
    }
    if (!root.is_object()) {
        return makeError(ErrorCode::BadData,
                         fileLabel(path) + ": expected a JSON object, not " + found(root));
    }
    LabResults out;
    out.path = path;
    for (auto step : {readTexts, readPaperTable, readSeries, readRuns, readTestTime}) {
        if (auto st = step(c, root, out); !st) {
            return st.error();
        }
    }
    return out;
}

std::string defaultLabResultsPath(const char* argv0) {
    auto dir = resourcesDir(argv0);
    return dir ? dir.value() + "/lab/data-hunger.json" : std::string();
}

}  // namespace vitscope::core
