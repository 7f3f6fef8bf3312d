#include "core/model/weights_binding.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <sstream>
#include <tuple>

#include "core/io/file_util.h"
#include "core/model/vit_model.h"

namespace vitscope::core::detail {
namespace {

/// What a canonical tensor is called in the file's own naming, for "missing" messages.
std::string sourceName(const std::string& canonical, const DeriveContext& ctx) {
    if (ctx.naming == Naming::Timm || ctx.naming == Naming::Google)
        return canonical;
    const bool dino = ctx.naming == Naming::HfDinov2;
    static const std::pair<const char*, const char*> kBlockParts[] = {
        {"norm1.", "layernorm_before."},           {"attn.q.", "attention.attention.query."},
        {"attn.k.", "attention.attention.key."},   {"attn.v.", "attention.attention.value."},
        {"attn.proj.", "attention.output.dense."}, {"norm2.", "layernorm_after."},
        {"mlp.fc1.", "intermediate.dense."},       {"mlp.fc2.", "output.dense."},
        {"ls1.gamma", "layer_scale1.lambda1"},     {"ls2.gamma", "layer_scale2.lambda1"},
    };
    if (canonical.rfind("blocks.", 0) == 0) {
        const size_t dot = canonical.find('.', 7);
        const std::string index = canonical.substr(7, dot - 7);
        const std::string rest = canonical.substr(dot + 1);
        for (const auto& [from, to] : kBlockParts) {
            const std::string f = from;
            if (rest.rfind(f, 0) == 0) {
                std::string part = to;
                if (dino && (f == "norm1." || f == "norm2." || f.rfind("mlp.", 0) == 0))
                    part = f;
                return ctx.prefix + "encoder.layer." + index + "." + part + rest.substr(f.size());
            }
        }
    }
    if (canonical == "cls_token")
        return ctx.prefix + "embeddings.cls_token";
    if (canonical == "dist_token")
        return ctx.prefix + "embeddings.distillation_token";
    if (canonical == "reg_token")
        return ctx.prefix + "embeddings.register_tokens";
    if (canonical == "pos_embed")
        return ctx.prefix + "embeddings.position_embeddings";
    if (canonical.rfind("patch_embed.proj.", 0) == 0) {
        return ctx.prefix + "embeddings.patch_embeddings.projection." + canonical.substr(17);
    }
    if (canonical.rfind("norm.", 0) == 0)
        return ctx.prefix + "layernorm." + canonical.substr(5);
    if (canonical.rfind("head.", 0) == 0) {
        return (ctx.naming == Naming::HfDeit ? "cls_classifier." : "classifier.") +
               canonical.substr(5);
    }
    if (canonical.rfind("head_dist.", 0) == 0)
        return "distillation_classifier." + canonical.substr(10);
    return canonical;
}

const std::vector<int64_t>* shapeOf(const CanonicalTensors& t, const std::string& name) {
    const TensorRef* r = t.find(name);
    return r ? &r->tensor->shape : nullptr;
}

int64_t lastDim(const std::vector<int64_t>& s) { return s.empty() ? 0 : s.back(); }
/// Second-to-last dim of a (1, n, D) or (n, D) table.
int64_t rowsOf(const std::vector<int64_t>& s) { return s.size() >= 2 ? s[s.size() - 2] : 0; }

/// A tensor dimension as an int; one beyond int's range becomes INT_MAX, which
/// VitConfig::check refuses, never a wrapped (negative or zero) value.
int clampDim(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, 0, INT_MAX)); }

bool perfectSquare(int64_t n, int& root) {
    if (n <= 0)
        return false;
    const auto r = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
    root = static_cast<int>(r);
    return r * r == n;
}

Error bad(const std::string& file, const std::string& what) {
    return makeError(ErrorCode::BadModel, file + ": " + what);
}

/// "config.json: intermediate_size 64 does not match the weights: tensor '...' in
/// model.safetensors has shape (128, 32)".
Error mismatch(const ConfigHints& h, const std::string& key, const std::string& value,
               const TensorRef& tensor, const std::string& weightsFile) {
    return makeError(ErrorCode::BadModel, fileLabel(h.file) + ": " + key + " " + value +
                                              " does not match the weights: tensor '" +
                                              tensor.sourceName + "' in " + weightsFile +
                                              " has shape " + shapeToString(tensor.tensor->shape));
}

/// Width, channels, patch size, depth and MLP width from the patch kernel and block tensors.
Status deriveDimensions(const CanonicalTensors& t, const ConfigHints& h, const DeriveContext& ctx,
                        VitConfig& c) {
    const std::string& file = ctx.weightsFile;
    const auto* patch = shapeOf(t, "patch_embed.proj.weight");
    if (patch == nullptr)
        return bad(file, "tensor '" + sourceName("patch_embed.proj.weight", ctx) + "' is missing");
    if (patch->size() != 4 || (*patch)[2] != (*patch)[3] || (*patch)[0] <= 0 || (*patch)[1] <= 0 ||
        (*patch)[2] <= 0) {
        return bad(file, "tensor '" + t.find("patch_embed.proj.weight")->sourceName + "': shape " +
                             shapeToString(*patch) + ", expected (D, C, P, P)");
    }
    // The kernel's dimensions before any is used as an int or a divisor.
    const std::string kernel = t.find("patch_embed.proj.weight")->sourceName;
    for (auto [dim, key, hint, hi] :
         {std::tuple{(*patch)[0], "hidden_size", h.embedDim, limits::kMaxEmbedDim},
          std::tuple{(*patch)[1], "num_channels", h.channels, limits::kMaxChannels},
          std::tuple{(*patch)[2], "patch_size", h.patchSize, limits::kMaxPatchSize}}) {
        if (dim > hi) {
            return bad(file, "tensor '" + kernel + "': shape " + shapeToString(*patch) + " gives " +
                                 key + " " + std::to_string(dim) + ", more than " +
                                 std::to_string(hi));
        }
        if (hint && *hint != dim)
            return mismatch(h, key, std::to_string(*hint), *t.find("patch_embed.proj.weight"),
                            file);
    }
    c.embedDim = static_cast<int>((*patch)[0]);
    c.channels = static_cast<int>((*patch)[1]);
    c.patchSize = static_cast<int>((*patch)[2]);
    c.depth = h.depth.value_or(t.countBlocks());
    if (c.depth == 0)
        return bad(file, "no transformer blocks found");
    if (h.depth && *h.depth != t.countBlocks()) {
        return makeError(ErrorCode::BadModel, fileLabel(h.file) + ": num_hidden_layers " +
                                                  std::to_string(*h.depth) + " does not match " +
                                                  file + ", which has " +
                                                  std::to_string(t.countBlocks()) + " blocks");
    }

    const TensorRef* fc1Ref = t.find("blocks.0.mlp.fc1.weight");
    if (fc1Ref && h.mlpDim && fc1Ref->tensor->shape.size() == 2 &&
        fc1Ref->tensor->shape[0] != *h.mlpDim) {
        return mismatch(h, "intermediate_size", std::to_string(*h.mlpDim), *fc1Ref, file);
    }
    if (const auto* fc1 = shapeOf(t, "blocks.0.mlp.fc1.weight"); fc1 && !h.mlpDim && !h.mlpRatio) {
        c.mlpDim = clampDim((*fc1)[0]);
    } else if (h.mlpDim) {
        c.mlpDim = *h.mlpDim;
    } else if (h.mlpRatio) {
        c.mlpDim = clampDim(static_cast<int64_t>(c.embedDim * static_cast<double>(*h.mlpRatio)));
    } else {
        return bad(file, "tensor '" + sourceName("blocks.0.mlp.fc1.weight", ctx) + "' is missing");
    }
    return Ok{};
}

/// Prefix tokens: class, distillation and register tokens.
void deriveTokens(const CanonicalTensors& t, const ConfigHints& h, VitConfig& c) {
    c.classToken = t.has("cls_token");
    c.distToken = t.has("dist_token");
    c.numRegisters = h.numRegisters.value_or(0);
    if (const auto* reg = shapeOf(t, "reg_token"); reg && !h.numRegisters)
        c.numRegisters = clampDim(rowsOf(*reg));
}

/// Heads: the config, --heads, the Google kernel, or an assumed head width of 64 (recorded in
/// `inferred`).
Status deriveHeads(const ConfigHints* hints, const ConfigHints& h, const DeriveContext& ctx,
                   VitConfig& c, std::vector<std::string>& notes,
                   std::vector<InferredSetting>& inferred) {
    const std::string& file = ctx.weightsFile;
    if (ctx.headsOverride > 0) {
        if (c.embedDim % ctx.headsOverride != 0) {
            return makeError(ErrorCode::Usage, file + ": a head count of " +
                                                   std::to_string(ctx.headsOverride) +
                                                   " does not divide the embedding width " +
                                                   std::to_string(c.embedDim));
        }
        c.numHeads = ctx.headsOverride;
        notes.push_back("number of heads set by the user: " + std::to_string(c.numHeads));
    } else if (h.numHeads) {
        c.numHeads = *h.numHeads;
    } else if (ctx.headsFromFile > 0) {
        c.numHeads = ctx.headsFromFile;
    } else {
        const bool huge = h.architecture.find("_huge_") != std::string::npos ||
                          h.architecture.find("_giant_") != std::string::npos ||
                          h.architecture.find("_gigantic_") != std::string::npos;
        c.numHeads = huge ? 16 : std::max(1, c.embedDim / 64);
        c.headsGuessed = true;
        const std::string source =
            hints ? fileLabel(hints->file) + " does not state it" : std::string("no config.json");
        inferred.push_back({InferredSetting::Kind::NumHeads, std::to_string(c.numHeads),
                            source + (huge ? "; 16 assumed as in timm's huge/giant models"
                                           : "; head width 64 assumed")});
    }
    return Ok{};
}

/// Optional layers (biases, layer scale, extra norms), activation and LayerNorm epsilon.
Status deriveLayerOptions(const CanonicalTensors& t, const ConfigHints& h, const DeriveContext& ctx,
                          VitConfig& c, std::vector<std::string>& notes) {
    const bool biases = t.has("blocks.0.attn.q.bias") || t.has("blocks.0.attn.qkv.bias");
    if (h.qkvBias && *h.qkvBias != biases) {
        const std::string bias =
            t.has("blocks.0.attn.qkv.bias") ? "blocks.0.attn.qkv.bias" : "blocks.0.attn.q.bias";
        return makeError(ErrorCode::BadModel,
                         fileLabel(h.file) + ": qkv_bias " + (*h.qkvBias ? "true" : "false") +
                             " does not match the weights: " + ctx.weightsFile +
                             (biases ? " has " : " has no ") + "tensor '" + sourceName(bias, ctx) +
                             "'");
    }
    c.qkvBias = biases;
    c.layerScale = t.has("blocks.0.ls1.gamma");
    c.normPre = t.has("norm_pre.weight");
    c.fcNorm = t.has("fc_norm.weight");
    c.finalNorm = t.has("norm.weight") || ctx.naming != Naming::Timm;
    c.preLogits = t.has("pre_logits.weight");
    // timm registers OpenAI CLIP towers as *_clip_quickgelu_*; their hub configs omit act_layer.
    const bool quick = h.architecture.find("quickgelu") != std::string::npos;
    c.activation = h.activation.value_or(quick ? Activation::QuickGelu : Activation::GeluErf);
    if (h.modelType == "dinov2_with_registers")
        c.defaultPosInterp = PosInterp::BicubicAntialias;
    const bool hfVit = ctx.naming == Naming::HfVit || ctx.naming == Naming::HfDeit;
    c.layerNormEps = h.layerNormEps.value_or(hfVit ? 1e-12f : 1e-6f);
    if (!h.layerNormEps) {
        notes.push_back(
            std::string("layer_norm_eps not stated: using ") +
            (hfVit ? "1e-12 (Hugging Face ViT default)" : "1e-6 (timm/Google default)"));
    }
    return Ok{};
}

/// Classifier head (class count, distillation head) and pooling.
Status deriveHeadAndPooling(const CanonicalTensors& t, const ConfigHints& h,
                            const DeriveContext& ctx, VitConfig& c) {
    if (const auto* head = shapeOf(t, "head.weight")) {
        if (head->size() != 2)
            return bad(ctx.weightsFile, "tensor '" + t.find("head.weight")->sourceName +
                                            "': shape " + shapeToString(*head) +
                                            ", expected (classes, width)");
        if (h.numClasses && *h.numClasses != (*head)[0]) {
            return mismatch(h, "num_classes", std::to_string(*h.numClasses), *t.find("head.weight"),
                            ctx.weightsFile);
        }
        c.numClasses = clampDim((*head)[0]);
        c.distHead = t.has("head_dist.weight");
        if (h.pooling) {
            c.pooling = *h.pooling;
        } else if (c.fcNorm || !c.classToken) {
            c.pooling = Pooling::MeanPatches;
        } else if ((*head)[1] == 2LL * c.embedDim) {
            c.pooling = Pooling::ClassAndMeanPatches;
        } else {
            c.pooling = Pooling::ClassToken;
        }
    } else {
        c.numClasses = 0;
        c.pooling = h.pooling.value_or(c.classToken && !c.fcNorm ? Pooling::ClassToken
                                                                 : Pooling::MeanPatches);
        if (c.pooling == Pooling::ClassAndMeanPatches)
            c.pooling = Pooling::ClassToken;
    }
    return Ok{};
}

/// A position-table layout and how many patch rows the table then holds.
struct PosCandidate {
    PosLayout layout;
    int64_t patchRows;
};

/// The layouts an `n`-row position table can have, most likely first.
std::vector<PosCandidate> posCandidates(const VitConfig& c, int64_t n) {
    const int prefix = c.numPrefixTokens();
    std::vector<PosCandidate> candidates = {{PosLayout::EveryPrefix, n - prefix}};
    if (c.classToken && prefix > 1)
        candidates.push_back({PosLayout::ClassOnly, n - 1});
    if (prefix > 0)
        candidates.push_back({PosLayout::PatchesOnly, n});
    return candidates;
}

/// Layout whose patch rows match the image size the config states (both sides set and divisible
/// by the patch size).
Status matchStatedImageSize(const CanonicalTensors& t, const ConfigHints& h,
                            const DeriveContext& ctx, int64_t n, VitConfig& c) {
    const int64_t want = static_cast<int64_t>(*h.imageH / c.patchSize) * (*h.imageW / c.patchSize);
    for (const PosCandidate& cand : posCandidates(c, n)) {
        if (cand.patchRows == want) {
            c.posLayout = cand.layout;
            c.imageH = *h.imageH;
            c.imageW = *h.imageW;
            return Ok{};
        }
    }
    std::ostringstream os;
    os << "tensor '" << t.find("pos_embed")->sourceName << "': " << n
       << " position rows, but image_size " << *h.imageH << "x" << *h.imageW << " with patch "
       << c.patchSize << " gives " << want << " patches and the model has " << c.numPrefixTokens()
       << (c.numPrefixTokens() == 1 ? " prefix token" : " prefix tokens");
    return bad(ctx.weightsFile, os.str());
}

/// Layout whose patch rows form a square grid; the trained image size follows from it.
Status matchSquareGrid(const CanonicalTensors& t, const DeriveContext& ctx, int64_t n,
                       VitConfig& c) {
    for (const PosCandidate& cand : posCandidates(c, n)) {
        int root = 0;
        if (perfectSquare(cand.patchRows, root)) {
            c.posLayout = cand.layout;
            c.imageH = c.imageW = clampDim(static_cast<int64_t>(root) * c.patchSize);
            return Ok{};
        }
    }
    std::ostringstream os;
    os << "tensor '" << t.find("pos_embed")->sourceName << "': " << n << " position rows with "
       << c.numPrefixTokens()
       << (c.numPrefixTokens() == 1 ? " prefix token do" : " prefix tokens do")
       << " not form a square patch grid, and no config states the image size";
    return bad(ctx.weightsFile, os.str());
}

/// Position table layout and trained grid.
Status derivePositions(const CanonicalTensors& t, const ConfigHints& h, const DeriveContext& ctx,
                       VitConfig& c, std::vector<std::string>& notes) {
    const auto* pos = shapeOf(t, "pos_embed");
    if (pos == nullptr) {
        c.posLayout = PosLayout::None;
        c.imageH = h.imageH.value_or(224 / c.patchSize * c.patchSize);
        c.imageW = h.imageW.value_or(224 / c.patchSize * c.patchSize);
        notes.push_back("no learned position embeddings in the file");
    } else {
        const int64_t n = rowsOf(*pos);
        if (lastDim(*pos) != c.embedDim || n <= 0) {
            return bad(ctx.weightsFile, "tensor '" + t.find("pos_embed")->sourceName + "': shape " +
                                            shapeToString(*pos) + ", expected (1, tokens, " +
                                            std::to_string(c.embedDim) + ")");
        }
        const bool stated = h.imageH && h.imageW && c.patchSize > 0 &&
                            *h.imageH % c.patchSize == 0 && *h.imageW % c.patchSize == 0;
        if (auto st =
                stated ? matchStatedImageSize(t, h, ctx, n, c) : matchSquareGrid(t, ctx, n, c);
            !st)
            return st;
    }
    if (c.posLayout == PosLayout::ClassOnly)
        notes.push_back("register tokens are inserted after position embeddings (DINOv2 layout)");
    if (c.posLayout == PosLayout::PatchesOnly)
        notes.push_back("position embeddings cover patches only (timm no_embed_class)");
    return Ok{};
}

/// The config key a setting came from, when the config stated it; else empty.
std::string statedKey(ConfigField f, const ConfigHints& h) {
    const bool timm = h.kind == ConfigKind::Timm;
    switch (f) {
        case ConfigField::Channels:
            return h.channels ? (timm ? "pretrained_cfg.input_size" : "num_channels") : "";
        case ConfigField::PatchSize:
            return h.patchSize ? "patch_size" : "";
        case ConfigField::ImageSize:
            return h.imageH ? (timm ? "pretrained_cfg.input_size" : "image_size") : "";
        case ConfigField::EmbedDim:
            return h.embedDim ? "hidden_size" : "";
        case ConfigField::Depth:
            return h.depth ? "num_hidden_layers" : "";
        case ConfigField::NumHeads:
            return h.numHeads ? (timm ? "num_heads" : "num_attention_heads") : "";
        case ConfigField::MlpDim:
            return h.mlpDim ? "intermediate_size" : h.mlpRatio ? "mlp_ratio" : "";
        case ConfigField::Registers:
            return h.numRegisters ? "num_register_tokens" : "";
        case ConfigField::Pooling:
            return h.pooling ? (timm ? "global_pool" : "architectures") : "";
        case ConfigField::LayerNormEps:
            return h.layerNormEps ? "layer_norm_eps" : "";
        case ConfigField::DistHead:
        case ConfigField::NumClasses:
            return "";
    }
    return "";
}

/// A setting VitConfig refuses, blamed on the config file and its key when the config stated
/// it ("config.json: patch_size 0 must be ..."), else on the weights it was read from.
Error configIssue(const VitConfig::Issue& issue, const ConfigHints* hints,
                  const DeriveContext& ctx) {
    if (hints) {
        if (const std::string key = statedKey(issue.field, *hints); !key.empty()) {
            return makeError(ErrorCode::BadModel, fileLabel(hints->file) + ": " + key + " " +
                                                      issue.value + " " + issue.problem);
        }
    }
    return bad(ctx.weightsFile, std::string(toString(issue.field)) + " " + issue.value +
                                    " (read from the tensors) " + issue.problem);
}

}  // namespace

Result<VitConfig> deriveConfig(const CanonicalTensors& t, const ConfigHints* hints,
                               const DeriveContext& ctx, std::vector<std::string>& notes,
                               std::vector<InferredSetting>& inferred) {
    ConfigHints none;
    const ConfigHints& h = hints ? *hints : none;
    VitConfig c;
    if (auto st = deriveDimensions(t, h, ctx, c); !st)
        return st.error();
    deriveTokens(t, h, c);
    if (auto st = deriveHeads(hints, h, ctx, c, notes, inferred); !st)
        return st.error();
    if (auto st = deriveLayerOptions(t, h, ctx, c, notes); !st)
        return st.error();
    if (auto st = deriveHeadAndPooling(t, h, ctx, c); !st)
        return st.error();
    if (auto st = derivePositions(t, h, ctx, c, notes); !st)
        return st.error();
    if (auto issue = c.check())
        return configIssue(*issue, hints, ctx);
    return c;
}

namespace {

struct Binder {
    const CanonicalTensors& t;
    const DeriveContext& ctx;
    std::set<std::string>& used;
    int64_t params = 0;
    std::optional<Error> error;

    /// The tensor's data if present with exactly `shape` (leading 1s of token tables ignored).
    const float* get(const std::string& name, std::vector<int64_t> shape, bool required = true,
                     bool squeeze = false) {
        if (error)
            return nullptr;
        const TensorRef* r = t.find(name);
        if (r == nullptr) {
            if (required) {
                error = bad(ctx.weightsFile, "tensor '" + sourceName(name, ctx) +
                                                 "' is missing (expected shape " +
                                                 shapeToString(shape) + ")");
            }
            return nullptr;
        }
        std::vector<int64_t> have = r->tensor->shape;
        if (squeeze) {
            while (have.size() > shape.size() && have.front() == 1) have.erase(have.begin());
        }
        if (have != shape) {
            error = bad(ctx.weightsFile, "tensor '" + r->sourceName + "': shape " +
                                             shapeToString(r->tensor->shape) + ", expected " +
                                             shapeToString(shape));
            return nullptr;
        }
        if (!checkFinite(*r))
            return nullptr;
        params += r->tensor->numel();
        used.insert(r->sourceName);
        return r->tensor->data;
    }
    /// NaN or Inf in a weight turns every output into NaN: refused at load, naming the tensor.
    bool checkFinite(const TensorRef& r) {
        const float* d = r.tensor->data;
        const int64_t n = r.tensor->numel();
        // All-ones exponent bits are NaN or Inf; counted branch-free, this loop vectorises and
        // runs at memory speed (the scalar isfinite loop was ~10 % of loading ViT-B).
        int64_t bad = 0;
        for (int64_t i = 0; i < n; ++i) {
            bad += (std::bit_cast<uint32_t>(d[i]) & 0x7f800000u) == 0x7f800000u;
        }
        if (bad == 0)
            return true;
        int64_t first = 0;
        while (std::isfinite(d[first])) {
            ++first;
        }
        const std::string file =
            r.tensor->file.empty() ? ctx.weightsFile : fileLabel(r.tensor->file);
        error = makeError(ErrorCode::BadModel, file + ": tensor " + r.sourceName + " has " +
                                                   std::to_string(bad) + " non-finite value" +
                                                   (bad == 1 ? "" : "s") + " (first at index " +
                                                   std::to_string(first) + ")");
        return false;
    }
    LinearWeights linear(const std::string& base, int out, int in, bool bias,
                         bool required = true) {
        LinearWeights l;
        l.weight = get(base + ".weight", {out, in}, required);
        if (l.weight == nullptr)
            return {};
        if (bias)
            l.bias = get(base + ".bias", {out});
        l.out = out;
        l.in = in;
        return l;
    }
    NormWeights norm(const std::string& base, int dim, bool required = true) {
        NormWeights n;
        n.weight = get(base + ".weight", {dim}, required);
        if (n.weight == nullptr)
            return {};
        n.bias = get(base + ".bias", {dim});
        n.dim = dim;
        return n;
    }
};

}  // namespace

Result<int64_t> bindWeights(const CanonicalTensors& t, const VitConfig& c, const DeriveContext& ctx,
                            VitWeights& w, std::set<std::string>& used) {
    Binder b{t, ctx, used, 0, std::nullopt};
    const int d = c.embedDim;
    w.patchEmbed.weight =
        b.get("patch_embed.proj.weight", {d, c.channels, c.patchSize, c.patchSize});
    w.patchEmbed.bias = b.get("patch_embed.proj.bias", {d});
    w.patchEmbed.out = d;
    w.patchEmbed.in = c.patchVectorSize();
    if (c.classToken)
        w.clsToken = b.get("cls_token", {d}, true, true);
    if (c.distToken)
        w.distToken = b.get("dist_token", {d}, true, true);
    if (c.numRegisters > 0)
        w.registers = b.get("reg_token", {c.numRegisters, d}, true, true);
    if (c.posLayout != PosLayout::None)
        w.posEmbed = b.get("pos_embed", {c.numPosEntries(), d}, true, true);
    if (c.normPre)
        w.normPre = b.norm("norm_pre", d);
    w.blocks.resize(c.depth);
    for (int i = 0; i < c.depth && !b.error; ++i) {
        BlockWeights& blk = w.blocks[i];
        const std::string p = "blocks." + std::to_string(i) + ".";
        blk.norm1 = b.norm(p + "norm1", d);
        if (t.has(p + "attn.qkv.weight")) {
            // timm's fused qkv: q, k and v are consecutive row blocks of one (3D, D) matrix.
            const float* qkv = b.get(p + "attn.qkv.weight", {3 * d, d});
            const float* qkvBias = c.qkvBias ? b.get(p + "attn.qkv.bias", {3 * d}) : nullptr;
            if (b.error)
                break;
            LinearWeights* parts[3] = {&blk.query, &blk.key, &blk.value};
            for (int k = 0; k < 3; ++k) {
                parts[k]->weight = qkv + static_cast<size_t>(k) * d * d;
                parts[k]->bias = qkvBias ? qkvBias + static_cast<size_t>(k) * d : nullptr;
                parts[k]->out = d;
                parts[k]->in = d;
            }
        } else {
            blk.query = b.linear(p + "attn.q", d, d, c.qkvBias);
            blk.key = b.linear(p + "attn.k", d, d, c.qkvBias);
            blk.value = b.linear(p + "attn.v", d, d, c.qkvBias);
        }
        blk.proj = b.linear(p + "attn.proj", d, d, true);
        if (c.layerScale)
            blk.layerScale1 = b.get(p + "ls1.gamma", {d});
        blk.norm2 = b.norm(p + "norm2", d);
        blk.fc1 = b.linear(p + "mlp.fc1", c.mlpDim, d, true);
        blk.fc2 = b.linear(p + "mlp.fc2", d, c.mlpDim, true);
        if (c.layerScale)
            blk.layerScale2 = b.get(p + "ls2.gamma", {d});
    }
    if (c.finalNorm)
        w.norm = b.norm("norm", d);
    if (c.fcNorm)
        w.fcNorm = b.norm("fc_norm", c.pooledDim());
    if (c.preLogits)
        w.preLogits = b.linear("pre_logits", d, c.pooledDim(), true);
    if (c.hasHead()) {
        w.head = b.linear("head", c.numClasses, c.preLogits ? d : c.pooledDim(), true);
        if (c.distHead)
            w.headDist = b.linear("head_dist", c.numClasses, d, true);
    }
    if (b.error)
        return *b.error;
    return b.params;
}

}  // namespace vitscope::core::detail
