#include "core/model/config_io.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/file_util.h"

namespace vitscope::core::detail {
namespace {

using nlohmann::json;
constexpr size_t kMaxConfigBytes = 8 << 20;  // id2label of 21k classes is ~1 MB

Result<json> readJson(const std::string& path) {
    auto bytes = readFile(path, kMaxConfigBytes);
    if (!bytes)
        return makeError(ErrorCode::BadModel, bytes.error().message);
    json j = json::parse(reinterpret_cast<const char*>(bytes->data()),
                         reinterpret_cast<const char*>(bytes->data()) + bytes->size(), nullptr,
                         /*allow_exceptions=*/false);
    if (j.is_discarded())
        return makeError(ErrorCode::BadModel, fileLabel(path) + ": not valid JSON");
    if (!j.is_object())
        return makeError(ErrorCode::BadModel, fileLabel(path) + ": expected a JSON object");
    return j;
}

#define VITSCOPE_TRY(expr)           \
    do {                             \
        if (auto st_ = (expr); !st_) \
            return st_.error();      \
    } while (0)

Error fieldError(const std::string& file, const std::string& key, const std::string& expected) {
    return makeError(ErrorCode::BadModel,
                     fileLabel(file) + ": field '" + key + "' must be " + expected);
}

/// An integer in [lo, hi] (a JSON number beyond int64 is not).
bool intIn(const json& v, int64_t lo, int64_t hi) {
    if (!v.is_number_integer())
        return false;
    if (v.is_number_unsigned())
        return v.get<uint64_t>() <= static_cast<uint64_t>(hi) &&
               static_cast<int64_t>(v.get<uint64_t>()) >= lo;
    return v.get<int64_t>() >= lo && v.get<int64_t>() <= hi;
}

/// A value as the file states it, shortened for a message.
std::string shown(const json& v) {
    std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
    return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

/// "config.json: patch_size 0 must be an integer from 1 to 1024".
Error valueError(const std::string& file, const std::string& key, const std::string& value,
                 const std::string& expected) {
    return makeError(ErrorCode::BadModel,
                     fileLabel(file) + ": " + key + " " + value + " must be " + expected);
}

/// Reads an optional integer field in [lo, hi]; a present field of the wrong type or outside
/// the range is an error naming the file and the field. The bounds (vit_config.h `limits`) keep
/// a hostile size from reaching any allocation.
Status optInt(const json& j, const char* key, std::optional<int>& out, const std::string& file,
              int lo, int hi) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return Ok{};
    if (!intIn(*it, lo, hi)) {
        return valueError(file, key, shown(*it),
                          "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    out = static_cast<int>(it->get<int64_t>());
    return Ok{};
}

/// An optional number. Read as float or, for values Python uses as floats in size arithmetic
/// (crop_pct), as double: float32 rounding moves floor(224 / 0.8) from 280 to 279.
template <typename T>
Status optNumber(const json& j, const char* key, std::optional<T>& out, const std::string& file) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return Ok{};
    if (!it->is_number())
        return fieldError(file, key, "a number");
    // Checked as a double first: a double beyond float's range has no float value (UB to cast).
    const double d = it->get<double>();
    if (!std::isfinite(d) || std::abs(d) > static_cast<double>(std::numeric_limits<T>::max()))
        return valueError(file, key, shown(*it), "a finite number");
    out = static_cast<T>(d);
    return Ok{};
}

Status optFloat(const json& j, const char* key, std::optional<float>& out,
                const std::string& file) {
    return optNumber(j, key, out, file);
}

Status optDouble(const json& j, const char* key, std::optional<double>& out,
                 const std::string& file) {
    return optNumber(j, key, out, file);
}

/// An optional real in (0, hi].
Status optPositive(const json& j, const char* key, std::optional<float>& out,
                   const std::string& file, float hi) {
    VITSCOPE_TRY(optFloat(j, key, out, file));
    if (out && !(*out > 0.0f && *out <= hi)) {
        std::ostringstream range;
        range << "a number greater than 0 and at most " << hi;
        return valueError(file, key, shown(j[key]), range.str());
    }
    return Ok{};
}

/// An optional true/false.
Status optBool(const json& j, const char* key, std::optional<bool>& out, const std::string& file) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return Ok{};
    if (!it->is_boolean())
        return valueError(file, key, shown(*it), "true or false");
    out = it->get<bool>();
    return Ok{};
}

/// image_size / input size: an integer or [h, w].
Status optSize(const json& j, const char* key, std::optional<int>& h, std::optional<int>& w,
               const std::string& file) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return Ok{};
    const std::string expected =
        "an integer or [height, width], each from 1 to " + std::to_string(limits::kMaxImageSide);
    auto side = [](const json& v) { return intIn(v, 1, limits::kMaxImageSide); };
    if (side(*it)) {
        h = w = it->get<int>();
    } else if (it->is_array() && it->size() == 2 && side((*it)[0]) && side((*it)[1])) {
        h = (*it)[0].get<int>();
        w = (*it)[1].get<int>();
    } else {
        return valueError(file, key, shown(*it), expected);
    }
    return Ok{};
}

/// id2label {"0": "tench", ...} into a dense list; gaps become "class N".
Status readId2Label(const json& j, ConfigHints& h) {
    auto it = j.find("id2label");
    if (it == j.end() || it->is_null())
        return Ok{};
    if (!it->is_object())
        return valueError(h.file, "id2label", shown(*it), "a map from class index to name");
    std::vector<std::pair<int, std::string>> entries;
    int maxIndex = -1;
    for (const auto& [k, v] : it->items()) {
        char* end = nullptr;
        const long idx = std::strtol(k.c_str(), &end, 10);
        if (end == k.c_str() || *end != '\0' || idx < 0 || idx >= limits::kMaxClasses) {
            return valueError(h.file, "id2label", "key '" + k + "'",
                              "a class index from 0 to " + std::to_string(limits::kMaxClasses - 1));
        }
        if (!v.is_string())
            return valueError(h.file, "id2label[\"" + k + "\"]", shown(v), "a class name");
        entries.emplace_back(static_cast<int>(idx), v.get<std::string>());
        maxIndex = std::max(maxIndex, static_cast<int>(idx));
    }
    if (maxIndex >= static_cast<int>(entries.size()) * 2 + 16) {
        return fieldError(h.file, "id2label", "dense class indices");
    }
    h.labels.assign(maxIndex + 1, "");
    for (int i = 0; i <= maxIndex; ++i) h.labels[i] = "class " + std::to_string(i);
    bool placeholders = true;
    for (auto& [idx, name] : entries) {
        placeholders = placeholders && name == "LABEL_" + std::to_string(idx);
        h.labels[idx] = name;
    }
    h.labelsArePlaceholders = placeholders;
    return Ok{};
}

Result<ConfigHints> readHf(const json& j, ConfigHints h) {
    h.kind = ConfigKind::HuggingFace;
    h.modelType = j.value("model_type", "");
    if (auto a = j.find("architectures");
        a != j.end() && a->is_array() && !a->empty() && (*a)[0].is_string()) {
        h.architecture = (*a)[0].get<std::string>();
    }
    namespace L = limits;
    VITSCOPE_TRY(optInt(j, "hidden_size", h.embedDim, h.file, 1, L::kMaxEmbedDim));
    VITSCOPE_TRY(optInt(j, "num_hidden_layers", h.depth, h.file, 1, L::kMaxDepth));
    VITSCOPE_TRY(optInt(j, "num_attention_heads", h.numHeads, h.file, 1, L::kMaxHeads));
    VITSCOPE_TRY(optInt(j, "intermediate_size", h.mlpDim, h.file, 1, L::kMaxMlpDim));
    VITSCOPE_TRY(optPositive(j, "mlp_ratio", h.mlpRatio, h.file, 64.0f));
    VITSCOPE_TRY(optInt(j, "patch_size", h.patchSize, h.file, 1, L::kMaxPatchSize));
    VITSCOPE_TRY(optInt(j, "num_channels", h.channels, h.file, 1, L::kMaxChannels));
    VITSCOPE_TRY(optInt(j, "num_register_tokens", h.numRegisters, h.file, 0, L::kMaxRegisters));
    VITSCOPE_TRY(optSize(j, "image_size", h.imageH, h.imageW, h.file));
    VITSCOPE_TRY(optPositive(j, "layer_norm_eps", h.layerNormEps, h.file, 1.0f));
    std::optional<int> numLabels;  // checked only; the head's rows give the class count
    VITSCOPE_TRY(optInt(j, "num_labels", numLabels, h.file, 1, L::kMaxClasses));
    if (auto it = j.find("hidden_act"); it != j.end() && !it->is_null()) {
        if (!it->is_string())
            return valueError(h.file, "hidden_act", shown(*it), "an activation name");
        auto act = activationFromName(it->get<std::string>(), h.file, "hidden_act");
        if (!act)
            return act.error();
        h.activation = *act;
    }
    VITSCOPE_TRY(optBool(j, "qkv_bias", h.qkvBias, h.file));
    std::optional<bool> swiglu;
    VITSCOPE_TRY(optBool(j, "use_swiglu_ffn", swiglu, h.file));
    if (swiglu.value_or(false)) {
        return makeError(ErrorCode::BadModel,
                         fileLabel(h.file) +
                             ": SwiGLU MLPs (use_swiglu_ffn, DINOv2 giant) are not "
                             "supported; vitscope runs the standard two-layer GELU MLP");
    }
    if (h.modelType.rfind("dinov2", 0) == 0 &&
        h.architecture.find("ForImageClassification") != std::string::npos) {
        h.pooling = Pooling::ClassAndMeanPatches;
    }
    VITSCOPE_TRY(readId2Label(j, h));
    return h;
}

Result<Resample> resampleFromJson(const json& v) {
    if (v.is_number_integer())
        return resampleFromPilCode(v.get<int>());
    if (v.is_string())
        return resampleFromName(v.get<std::string>());
    return makeError(ErrorCode::BadModel, "interpolation must be a name or Pillow code");
}

/// One number, or 1 to 3 (the last repeated), each finite and not denormal.
Status readMeanStd(const json& j, const char* key, std::array<float, 3>& out,
                   const std::string& file, const std::string& field) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return Ok{};
    const std::string expected = "1 to 3 finite numbers";
    if (!it->is_number() && (!it->is_array() || it->empty() || it->size() > 3))
        return valueError(file, field, shown(*it), expected);
    for (size_t i = 0; i < 3; ++i) {
        const json& v = it->is_number() ? *it : (*it)[std::min(i, it->size() - 1)];
        if (!v.is_number())
            return valueError(file, field, shown(*it), expected);
        const double d = v.get<double>();
        if (!std::isfinite(d) || std::abs(d) > std::numeric_limits<float>::max())
            return valueError(file, field, shown(*it), expected);
        out[i] = static_cast<float>(d);
        if (out[i] != 0.0f && !std::isnormal(out[i]))
            return valueError(file, field, shown(*it),
                              "normal numbers (" + shown(v) + " is denormal in float32)");
    }
    return Ok{};
}

/// A std divides every pixel: each value must be greater than 0.
Status checkStd(const std::array<float, 3>& stdv, const std::string& file,
                const std::string& field) {
    for (float s : stdv) {
        if (!(s > 0.0f)) {
            std::ostringstream os;
            os << s;
            return valueError(file, field, "value " + os.str(), "greater than 0");
        }
    }
    return Ok{};
}

Result<ConfigHints> readTimm(const json& j, ConfigHints h) {
    h.kind = ConfigKind::Timm;
    h.architecture = j.value("architecture", "");
    VITSCOPE_TRY(optInt(j, "num_classes", h.numClasses, h.file, 0, limits::kMaxClasses));
    // Hyperparameters timm's hub config does not normally carry; accepted when present.
    const json* args = &j;
    if (auto it = j.find("model_args"); it != j.end() && it->is_object())
        args = &*it;
    for (const json* src : {&j, args}) {
        VITSCOPE_TRY(optInt(*src, "num_heads", h.numHeads, h.file, 1, limits::kMaxHeads));
        VITSCOPE_TRY(optPositive(*src, "layer_norm_eps", h.layerNormEps, h.file, 1.0f));
        for (const char* key : {"act_layer", "hidden_act"}) {
            if (auto it = src->find(key); it != src->end() && it->is_string()) {
                auto act = activationFromName(it->get<std::string>(), h.file, key);
                if (!act)
                    return act.error();
                h.activation = *act;
            }
        }
    }
    if (auto it = j.find("global_pool"); it != j.end() && it->is_string()) {
        const std::string gp = it->get<std::string>();
        if (gp == "avg")
            h.pooling = Pooling::MeanPatches;
        else if (gp == "token")
            h.pooling = Pooling::ClassToken;
        else if (!gp.empty())
            return fieldError(h.file, "global_pool",
                              "'token' or 'avg' ('" + gp + "' is not supported)");
    }
    auto pc = j.find("pretrained_cfg");
    if (pc != j.end() && pc->is_object()) {
        int c = 3, ih = 224, iw = 224;
        if (auto in = pc->find("input_size"); in != pc->end()) {
            const int side = limits::kMaxImageSide;
            if (!in->is_array() || in->size() != 3 || !intIn((*in)[0], 1, limits::kMaxChannels) ||
                !intIn((*in)[1], 1, side) || !intIn((*in)[2], 1, side)) {
                return valueError(h.file, "pretrained_cfg.input_size", shown(*in),
                                  "[channels, height, width] with 1 to " +
                                      std::to_string(limits::kMaxChannels) +
                                      " channels and sides from 1 to " + std::to_string(side));
            }
            c = (*in)[0].get<int>();
            ih = (*in)[1].get<int>();
            iw = (*in)[2].get<int>();
            h.channels = c;
            h.imageH = ih;
            h.imageW = iw;
        }
        std::optional<double> cropPct;
        VITSCOPE_TRY(optDouble(*pc, "crop_pct", cropPct, h.file));
        if (cropPct && (*cropPct <= 0.05 || *cropPct > 4.0))
            return valueError(h.file, "pretrained_cfg.crop_pct", shown((*pc)["crop_pct"]),
                              "greater than 0.05 and at most 4");
        Resample rs = Resample::Bicubic;
        if (auto it = pc->find("interpolation"); it != pc->end() && !it->is_null()) {
            auto r = resampleFromJson(*it);
            if (!r)
                return fieldError(h.file, "pretrained_cfg.interpolation", "a known interpolation");
            rs = *r;
        }
        std::array<float, 3> mean{0.485f, 0.456f, 0.406f}, stdv{0.229f, 0.224f, 0.225f};
        VITSCOPE_TRY(readMeanStd(*pc, "mean", mean, h.file, "pretrained_cfg.mean"));
        VITSCOPE_TRY(readMeanStd(*pc, "std", stdv, h.file, "pretrained_cfg.std"));
        VITSCOPE_TRY(checkStd(stdv, h.file, "pretrained_cfg.std"));
        h.recipe = timmRecipe(ih, iw, cropPct.value_or(0.875), rs, mean, stdv, c);
        if (!h.numClasses)
            VITSCOPE_TRY(optInt(*pc, "num_classes", h.numClasses, h.file, 0, limits::kMaxClasses));
        if (auto ln = pc->find("label_names"); ln != pc->end() && ln->is_array()) {
            for (const json& v : *ln)
                h.labels.push_back(v.is_string() ? v.get<std::string>() : std::string("?"));
        }
    }
    if (auto ln = j.find("label_names"); ln != j.end() && ln->is_array() && h.labels.empty()) {
        for (const json& v : *ln)
            h.labels.push_back(v.is_string() ? v.get<std::string>() : std::string("?"));
    }
    return h;
}

Result<PreprocessRecipe> parsePreprocessor(const nlohmann::json& j, const std::string& path,
                                           int channels);

}  // namespace

Result<Activation> activationFromName(const std::string& name, const std::string& file,
                                      const std::string& field) {
    if (name == "gelu" || name == "gelu_erf" || name == "GELU")
        return Activation::GeluErf;
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast" ||
        name == "gelu_tanh") {
        return Activation::GeluTanh;
    }
    if (name == "quick_gelu" || name == "QuickGELU")
        return Activation::QuickGelu;
    if (name == "relu")
        return Activation::Relu;
    return makeError(ErrorCode::BadModel,
                     fileLabel(file) + ": " + field + " '" + name +
                         "' is not supported (gelu, gelu_new/gelu_pytorch_tanh, quick_gelu, relu)");
}

Result<ConfigHints> readConfigFile(const std::string& path) {
    auto j = readJson(path);
    if (!j)
        return j.error();
    ConfigHints h;
    h.file = path;
    // json::value() throws on a field of the wrong type; nothing may escape core's API.
    try {
        if (j->contains("architecture") || j->contains("pretrained_cfg"))
            return readTimm(*j, std::move(h));
        return readHf(*j, std::move(h));
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::BadModel,
                         fileLabel(path) + ": unexpected field type (" + e.what() + ")");
    }
}

PreprocessRecipe timmRecipe(int height, int width, double cropPct, Resample resample,
                            std::array<float, 3> mean, std::array<float, 3> stdv, int channels) {
    // timm resizes the shorter side to floor(size / crop_pct) and crops the trained size.
    PreprocessRecipe r = timmEvalRecipe(std::min(height, width), cropPct, resample, mean, stdv);
    r.channels = channels;
    r.cropH = height;
    r.cropW = width;
    return r;
}

Result<PreprocessRecipe> readPreprocessorConfig(const std::string& path, int channels) {
    auto jr = readJson(path);
    if (!jr)
        return jr.error();
    try {
        return parsePreprocessor(*jr, path, channels);
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::BadModel,
                         fileLabel(path) + ": unexpected field type (" + e.what() + ")");
    }
}

namespace {
Result<PreprocessRecipe> parsePreprocessor(const json& j, const std::string& path, int channels) {
    PreprocessRecipe r;
    r.channels = channels;
    const std::string type = j.value("image_processor_type", j.value("feature_extractor_type", ""));
    // Processors whose integer "size" means the shortest edge (BitImageProcessor: DINOv2).
    const bool shortestByDefault = type.find("Bit") != std::string::npos ||
                                   type.find("CLIP") != std::string::npos ||
                                   type.find("ConvNext") != std::string::npos;
    r.resizeRule = j.value("do_resize", true) ? ResizeRule::Exact : ResizeRule::None;
    if (auto s = j.find("size"); s != j.end() && r.resizeRule != ResizeRule::None) {
        auto positive = [](const json& v) { return intIn(v, 1, limits::kMaxImageSide); };
        if (s->is_number_integer() && positive(*s)) {
            if (shortestByDefault) {
                r.resizeRule = ResizeRule::ShortestEdge;
                r.shortestEdge = s->get<int>();
            } else {
                r.resizeH = r.resizeW = s->get<int>();
            }
        } else if (s->is_object() && s->contains("shortest_edge") &&
                   positive((*s)["shortest_edge"])) {
            r.resizeRule = ResizeRule::ShortestEdge;
            r.shortestEdge = (*s)["shortest_edge"].get<int>();
        } else if (s->is_object() && s->contains("height") && s->contains("width") &&
                   positive((*s)["height"]) && positive((*s)["width"])) {
            r.resizeH = (*s)["height"].get<int>();
            r.resizeW = (*s)["width"].get<int>();
        } else {
            return valueError(path, "size", shown(*s),
                              "an integer, {\"height\", \"width\"} or {\"shortest_edge\"}, "
                              "each from 1 to " +
                                  std::to_string(limits::kMaxImageSide));
        }
    }
    if (auto it = j.find("resample"); it != j.end() && !it->is_null()) {
        auto rs = resampleFromJson(*it);
        if (!rs)
            return fieldError(path, "resample", "a Pillow resampling code");
        r.resample = *rs;
    }
    r.centerCrop = j.value("do_center_crop", false);
    if (r.centerCrop) {
        auto c = j.find("crop_size");
        if (c == j.end())
            return fieldError(path, "crop_size", "present when do_center_crop is true");
        auto side = [](const json& v) { return intIn(v, 1, limits::kMaxImageSide); };
        if (side(*c)) {
            r.cropH = r.cropW = c->get<int>();
        } else if (c->is_object() && c->contains("height") && c->contains("width") &&
                   side((*c)["height"]) && side((*c)["width"])) {
            r.cropH = (*c)["height"].get<int>();
            r.cropW = (*c)["width"].get<int>();
        } else {
            return valueError(path, "crop_size", shown(*c),
                              "an integer or {\"height\", \"width\"}, each from 1 to " +
                                  std::to_string(limits::kMaxImageSide));
        }
        r.cropRounding = CropRounding::Floor;
    }
    r.rescale = j.value("do_rescale", true);
    std::optional<float> rescaleFactor;
    VITSCOPE_TRY(optPositive(j, "rescale_factor", rescaleFactor, path, 1.0f));
    r.rescaleFactor = rescaleFactor.value_or(r.rescaleFactor);
    r.normalize = j.value("do_normalize", true);
    VITSCOPE_TRY(readMeanStd(j, "image_mean", r.mean, path, "image_mean"));
    VITSCOPE_TRY(readMeanStd(j, "image_std", r.std, path, "image_std"));
    VITSCOPE_TRY(checkStd(r.std, path, "image_std"));
    return r;
}

}  // namespace

}  // namespace vitscope::core::detail
