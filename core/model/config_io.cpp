#include "core/model/config_io.h"

#include <cmath>
#include <nlohmann/json.hpp>

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

Error fieldError(const std::string& file, const std::string& key, const std::string& expected) {
    return makeError(ErrorCode::BadModel,
                     fileLabel(file) + ": field '" + key + "' must be " + expected);
}

/// Reads an optional integer field; a present field of the wrong type is an error.
Status optInt(const json& j, const char* key, std::optional<int>& out, const std::string& file) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return Ok{};
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > (1 << 24)) {
        return fieldError(file, key, "a non-negative integer");
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
    out = it->get<T>();
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

/// image_size / input size: an integer or [h, w].
Status optSize(const json& j, const char* key, std::optional<int>& h, std::optional<int>& w,
               const std::string& file) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return Ok{};
    if (it->is_number_integer()) {
        h = w = it->get<int>();
    } else if (it->is_array() && it->size() == 2 && (*it)[0].is_number_integer() &&
               (*it)[1].is_number_integer()) {
        h = (*it)[0].get<int>();
        w = (*it)[1].get<int>();
    } else {
        return fieldError(file, key, "an integer or [height, width]");
    }
    if (*h <= 0 || *w <= 0 || *h > 1 << 16 || *w > 1 << 16)
        return fieldError(file, key, "a positive size");
    return Ok{};
}

/// id2label {"0": "tench", ...} into a dense list; gaps become "class N".
Status readId2Label(const json& j, ConfigHints& h) {
    auto it = j.find("id2label");
    if (it == j.end() || !it->is_object())
        return Ok{};
    std::vector<std::pair<int, std::string>> entries;
    int maxIndex = -1;
    for (const auto& [k, v] : it->items()) {
        char* end = nullptr;
        const long idx = std::strtol(k.c_str(), &end, 10);
        if (end == k.c_str() || *end != '\0' || idx < 0 || idx > (1 << 22) || !v.is_string()) {
            return fieldError(h.file, "id2label", "a map from class index to name");
        }
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

#define VITSCOPE_TRY(expr)           \
    do {                             \
        if (auto st_ = (expr); !st_) \
            return st_.error();      \
    } while (0)

Result<ConfigHints> readHf(const json& j, ConfigHints h) {
    h.kind = ConfigKind::HuggingFace;
    h.modelType = j.value("model_type", "");
    if (auto a = j.find("architectures");
        a != j.end() && a->is_array() && !a->empty() && (*a)[0].is_string()) {
        h.architecture = (*a)[0].get<std::string>();
    }
    VITSCOPE_TRY(optInt(j, "hidden_size", h.embedDim, h.file));
    VITSCOPE_TRY(optInt(j, "num_hidden_layers", h.depth, h.file));
    VITSCOPE_TRY(optInt(j, "num_attention_heads", h.numHeads, h.file));
    VITSCOPE_TRY(optInt(j, "intermediate_size", h.mlpDim, h.file));
    VITSCOPE_TRY(optFloat(j, "mlp_ratio", h.mlpRatio, h.file));
    VITSCOPE_TRY(optInt(j, "patch_size", h.patchSize, h.file));
    VITSCOPE_TRY(optInt(j, "num_channels", h.channels, h.file));
    VITSCOPE_TRY(optInt(j, "num_register_tokens", h.numRegisters, h.file));
    VITSCOPE_TRY(optSize(j, "image_size", h.imageH, h.imageW, h.file));
    VITSCOPE_TRY(optFloat(j, "layer_norm_eps", h.layerNormEps, h.file));
    if (auto it = j.find("hidden_act"); it != j.end() && !it->is_null()) {
        if (!it->is_string())
            return fieldError(h.file, "hidden_act", "a string");
        auto act = activationFromName(it->get<std::string>(), h.file);
        if (!act)
            return act.error();
        h.activation = *act;
    }
    if (auto it = j.find("qkv_bias"); it != j.end() && it->is_boolean())
        h.qkvBias = it->get<bool>();
    if (auto it = j.find("use_swiglu_ffn"); it != j.end() && it->is_boolean() && it->get<bool>()) {
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

Status readMeanStd(const json& j, const char* key, std::array<float, 3>& out,
                   const std::string& file) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return Ok{};
    if (it->is_number()) {
        out.fill(it->get<float>());
        return Ok{};
    }
    if (!it->is_array() || it->empty() || it->size() > 3)
        return fieldError(file, key, "1 to 3 numbers");
    for (size_t i = 0; i < 3; ++i) {
        const json& v = (*it)[std::min(i, it->size() - 1)];
        if (!v.is_number())
            return fieldError(file, key, "1 to 3 numbers");
        out[i] = v.get<float>();
    }
    for (float s : out) {
        if (!std::isfinite(s))
            return fieldError(file, key, "finite numbers");
    }
    return Ok{};
}

Result<ConfigHints> readTimm(const json& j, ConfigHints h) {
    h.kind = ConfigKind::Timm;
    h.architecture = j.value("architecture", "");
    VITSCOPE_TRY(optInt(j, "num_classes", h.numClasses, h.file));
    // Hyperparameters timm's hub config does not normally carry; accepted when present.
    const json* args = &j;
    if (auto it = j.find("model_args"); it != j.end() && it->is_object())
        args = &*it;
    for (const json* src : {&j, args}) {
        VITSCOPE_TRY(optInt(*src, "num_heads", h.numHeads, h.file));
        VITSCOPE_TRY(optFloat(*src, "layer_norm_eps", h.layerNormEps, h.file));
        for (const char* key : {"act_layer", "hidden_act"}) {
            if (auto it = src->find(key); it != src->end() && it->is_string()) {
                auto act = activationFromName(it->get<std::string>(), h.file);
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
            if (!in->is_array() || in->size() != 3 || !(*in)[0].is_number_integer() ||
                !(*in)[1].is_number_integer() || !(*in)[2].is_number_integer()) {
                return fieldError(h.file, "pretrained_cfg.input_size", "[channels, height, width]");
            }
            c = (*in)[0].get<int>();
            ih = (*in)[1].get<int>();
            iw = (*in)[2].get<int>();
            if (c < 1 || c > 4 || ih < 1 || iw < 1 || ih > 1 << 16 || iw > 1 << 16) {
                return fieldError(h.file, "pretrained_cfg.input_size",
                                  "a plausible [channels, height, width]");
            }
            h.channels = c;
            h.imageH = ih;
            h.imageW = iw;
        }
        std::optional<double> cropPct;
        VITSCOPE_TRY(optDouble(*pc, "crop_pct", cropPct, h.file));
        if (cropPct && (*cropPct <= 0.05 || *cropPct > 4.0))
            return fieldError(h.file, "crop_pct", "in (0.05, 4]");
        Resample rs = Resample::Bicubic;
        if (auto it = pc->find("interpolation"); it != pc->end() && !it->is_null()) {
            auto r = resampleFromJson(*it);
            if (!r)
                return fieldError(h.file, "pretrained_cfg.interpolation", "a known interpolation");
            rs = *r;
        }
        std::array<float, 3> mean{0.485f, 0.456f, 0.406f}, stdv{0.229f, 0.224f, 0.225f};
        VITSCOPE_TRY(readMeanStd(*pc, "mean", mean, h.file));
        VITSCOPE_TRY(readMeanStd(*pc, "std", stdv, h.file));
        h.recipe = timmRecipe(ih, iw, cropPct.value_or(0.875), rs, mean, stdv, c);
        if (!h.numClasses)
            VITSCOPE_TRY(optInt(*pc, "num_classes", h.numClasses, h.file));
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

Result<Activation> activationFromName(const std::string& name, const std::string& file) {
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
                     fileLabel(file) + ": activation '" + name +
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
        auto positive = [](const json& v) {
            return v.is_number_integer() && v.get<int>() > 0 && v.get<int>() < 1 << 16;
        };
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
            return fieldError(path, "size",
                              "an integer, {\"height\", \"width\"} or {\"shortest_edge\"}");
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
        if (c->is_number_integer() && c->get<int>() > 0) {
            r.cropH = r.cropW = c->get<int>();
        } else if (c->is_object() && (*c).value("height", 0) > 0 && (*c).value("width", 0) > 0) {
            r.cropH = (*c)["height"].get<int>();
            r.cropW = (*c)["width"].get<int>();
        } else {
            return fieldError(path, "crop_size", "an integer or {\"height\", \"width\"}");
        }
        r.cropRounding = CropRounding::Floor;
    }
    r.rescale = j.value("do_rescale", true);
    if (auto it = j.find("rescale_factor"); it != j.end() && it->is_number())
        r.rescaleFactor = it->get<float>();
    r.normalize = j.value("do_normalize", true);
    VITSCOPE_TRY(readMeanStd(j, "image_mean", r.mean, path));
    VITSCOPE_TRY(readMeanStd(j, "image_std", r.std, path));
    for (float s : r.std) {
        if (!(s > 0.0f))
            return fieldError(path, "image_std", "positive");
    }
    return r;
}

}  // namespace

}  // namespace vitscope::core::detail
