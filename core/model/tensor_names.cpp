#include "core/model/tensor_names.h"

#include <algorithm>

namespace vitscope::core::detail {
namespace {

struct NameRule {
    const char* canonical;  // timm-style; {i} = block index
    const char* source;     // {p} = module prefix, {i} = block index
};

// Hugging Face ViTModel / ViTForImageClassification and DeiT (same encoder naming).
constexpr NameRule kHfVitRules[] = {
    {"cls_token", "{p}embeddings.cls_token"},
    {"dist_token", "{p}embeddings.distillation_token"},
    {"pos_embed", "{p}embeddings.position_embeddings"},
    {"patch_embed.proj.weight", "{p}embeddings.patch_embeddings.projection.weight"},
    {"patch_embed.proj.bias", "{p}embeddings.patch_embeddings.projection.bias"},
    {"blocks.{i}.norm1.weight", "{p}encoder.layer.{i}.layernorm_before.weight"},
    {"blocks.{i}.norm1.bias", "{p}encoder.layer.{i}.layernorm_before.bias"},
    {"blocks.{i}.attn.q.weight", "{p}encoder.layer.{i}.attention.attention.query.weight"},
    {"blocks.{i}.attn.q.bias", "{p}encoder.layer.{i}.attention.attention.query.bias"},
    {"blocks.{i}.attn.k.weight", "{p}encoder.layer.{i}.attention.attention.key.weight"},
    {"blocks.{i}.attn.k.bias", "{p}encoder.layer.{i}.attention.attention.key.bias"},
    {"blocks.{i}.attn.v.weight", "{p}encoder.layer.{i}.attention.attention.value.weight"},
    {"blocks.{i}.attn.v.bias", "{p}encoder.layer.{i}.attention.attention.value.bias"},
    {"blocks.{i}.attn.proj.weight", "{p}encoder.layer.{i}.attention.output.dense.weight"},
    {"blocks.{i}.attn.proj.bias", "{p}encoder.layer.{i}.attention.output.dense.bias"},
    {"blocks.{i}.norm2.weight", "{p}encoder.layer.{i}.layernorm_after.weight"},
    {"blocks.{i}.norm2.bias", "{p}encoder.layer.{i}.layernorm_after.bias"},
    {"blocks.{i}.mlp.fc1.weight", "{p}encoder.layer.{i}.intermediate.dense.weight"},
    {"blocks.{i}.mlp.fc1.bias", "{p}encoder.layer.{i}.intermediate.dense.bias"},
    {"blocks.{i}.mlp.fc2.weight", "{p}encoder.layer.{i}.output.dense.weight"},
    {"blocks.{i}.mlp.fc2.bias", "{p}encoder.layer.{i}.output.dense.bias"},
    {"norm.weight", "{p}layernorm.weight"},
    {"norm.bias", "{p}layernorm.bias"},
    {"head.weight", "classifier.weight"},
    {"head.bias", "classifier.bias"},
    {"head.weight", "cls_classifier.weight"},  // DeiT with teacher
    {"head.bias", "cls_classifier.bias"},
    {"head_dist.weight", "distillation_classifier.weight"},
    {"head_dist.bias", "distillation_classifier.bias"},
};

// Hugging Face Dinov2Model / Dinov2ForImageClassification (and the with-registers variant).
// embeddings.mask_token exists in these files and is deliberately not mapped.
constexpr NameRule kHfDinov2Rules[] = {
    {"cls_token", "{p}embeddings.cls_token"},
    {"reg_token", "{p}embeddings.register_tokens"},
    {"pos_embed", "{p}embeddings.position_embeddings"},
    {"patch_embed.proj.weight", "{p}embeddings.patch_embeddings.projection.weight"},
    {"patch_embed.proj.bias", "{p}embeddings.patch_embeddings.projection.bias"},
    {"blocks.{i}.norm1.weight", "{p}encoder.layer.{i}.norm1.weight"},
    {"blocks.{i}.norm1.bias", "{p}encoder.layer.{i}.norm1.bias"},
    {"blocks.{i}.attn.q.weight", "{p}encoder.layer.{i}.attention.attention.query.weight"},
    {"blocks.{i}.attn.q.bias", "{p}encoder.layer.{i}.attention.attention.query.bias"},
    {"blocks.{i}.attn.k.weight", "{p}encoder.layer.{i}.attention.attention.key.weight"},
    {"blocks.{i}.attn.k.bias", "{p}encoder.layer.{i}.attention.attention.key.bias"},
    {"blocks.{i}.attn.v.weight", "{p}encoder.layer.{i}.attention.attention.value.weight"},
    {"blocks.{i}.attn.v.bias", "{p}encoder.layer.{i}.attention.attention.value.bias"},
    {"blocks.{i}.attn.proj.weight", "{p}encoder.layer.{i}.attention.output.dense.weight"},
    {"blocks.{i}.attn.proj.bias", "{p}encoder.layer.{i}.attention.output.dense.bias"},
    {"blocks.{i}.ls1.gamma", "{p}encoder.layer.{i}.layer_scale1.lambda1"},
    {"blocks.{i}.norm2.weight", "{p}encoder.layer.{i}.norm2.weight"},
    {"blocks.{i}.norm2.bias", "{p}encoder.layer.{i}.norm2.bias"},
    {"blocks.{i}.mlp.fc1.weight", "{p}encoder.layer.{i}.mlp.fc1.weight"},
    {"blocks.{i}.mlp.fc1.bias", "{p}encoder.layer.{i}.mlp.fc1.bias"},
    {"blocks.{i}.mlp.fc2.weight", "{p}encoder.layer.{i}.mlp.fc2.weight"},
    {"blocks.{i}.mlp.fc2.bias", "{p}encoder.layer.{i}.mlp.fc2.bias"},
    {"blocks.{i}.ls2.gamma", "{p}encoder.layer.{i}.layer_scale2.lambda1"},
    {"norm.weight", "{p}layernorm.weight"},
    {"norm.bias", "{p}layernorm.bias"},
    {"head.weight", "classifier.weight"},
    {"head.bias", "classifier.bias"},
};

// timm: the canonical naming itself.
constexpr NameRule kTimmRules[] = {
    {"cls_token", "cls_token"},
    {"dist_token", "dist_token"},
    {"reg_token", "reg_token"},
    {"pos_embed", "pos_embed"},
    {"patch_embed.proj.weight", "patch_embed.proj.weight"},
    {"patch_embed.proj.bias", "patch_embed.proj.bias"},
    {"norm_pre.weight", "norm_pre.weight"},
    {"norm_pre.bias", "norm_pre.bias"},
    {"blocks.{i}.norm1.weight", "blocks.{i}.norm1.weight"},
    {"blocks.{i}.norm1.bias", "blocks.{i}.norm1.bias"},
    {"blocks.{i}.attn.qkv.weight", "blocks.{i}.attn.qkv.weight"},
    {"blocks.{i}.attn.qkv.bias", "blocks.{i}.attn.qkv.bias"},
    {"blocks.{i}.attn.proj.weight", "blocks.{i}.attn.proj.weight"},
    {"blocks.{i}.attn.proj.bias", "blocks.{i}.attn.proj.bias"},
    {"blocks.{i}.ls1.gamma", "blocks.{i}.ls1.gamma"},
    {"blocks.{i}.norm2.weight", "blocks.{i}.norm2.weight"},
    {"blocks.{i}.norm2.bias", "blocks.{i}.norm2.bias"},
    {"blocks.{i}.mlp.fc1.weight", "blocks.{i}.mlp.fc1.weight"},
    {"blocks.{i}.mlp.fc1.bias", "blocks.{i}.mlp.fc1.bias"},
    {"blocks.{i}.mlp.fc2.weight", "blocks.{i}.mlp.fc2.weight"},
    {"blocks.{i}.mlp.fc2.bias", "blocks.{i}.mlp.fc2.bias"},
    {"blocks.{i}.ls2.gamma", "blocks.{i}.ls2.gamma"},
    {"norm.weight", "norm.weight"},
    {"norm.bias", "norm.bias"},
    {"fc_norm.weight", "fc_norm.weight"},
    {"fc_norm.bias", "fc_norm.bias"},
    {"head.weight", "head.weight"},
    {"head.bias", "head.bias"},
    {"head_dist.weight", "head_dist.weight"},
    {"head_dist.bias", "head_dist.bias"},
    // The Google .npz loader converts its tensors into these names too.
    {"blocks.{i}.attn.q.weight", "blocks.{i}.attn.q.weight"},
    {"blocks.{i}.attn.q.bias", "blocks.{i}.attn.q.bias"},
    {"blocks.{i}.attn.k.weight", "blocks.{i}.attn.k.weight"},
    {"blocks.{i}.attn.k.bias", "blocks.{i}.attn.k.bias"},
    {"blocks.{i}.attn.v.weight", "blocks.{i}.attn.v.weight"},
    {"blocks.{i}.attn.v.bias", "blocks.{i}.attn.v.bias"},
    {"pre_logits.weight", "pre_logits.weight"},
    {"pre_logits.bias", "pre_logits.bias"},
};

std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
    return s;
}

/// Largest block index + 1 among names "<prefix><blockWord>N.<rest>".
int scanDepth(const TensorStore& store, const std::string& blockPrefix) {
    int depth = 0;
    for (const std::string& name : store.names()) {
        if (name.compare(0, blockPrefix.size(), blockPrefix) != 0)
            continue;
        int index = 0;
        size_t i = blockPrefix.size();
        const size_t start = i;
        while (i < name.size() && i - start < 6 && name[i] >= '0' && name[i] <= '9')
            index = index * 10 + (name[i++] - '0');
        if (i > start && i < name.size() && name[i] == '.')
            depth = std::max(depth, index + 1);
    }
    return depth;
}

template <size_t N>
void applyRules(const NameRule (&rules)[N], const TensorStore& store, const std::string& prefix,
                int depth, CanonicalTensors& out) {
    for (const NameRule& rule : rules) {
        const std::string src = replaceAll(rule.source, "{p}", prefix);
        if (std::string_view(rule.canonical).find("{i}") == std::string_view::npos) {
            if (const StoredTensor* t = store.find(src))
                out.add(rule.canonical, t, src);
            continue;
        }
        for (int i = 0; i < depth; ++i) {
            const std::string s = blockName(src, i);
            if (const StoredTensor* t = store.find(s))
                out.add(blockName(rule.canonical, i), t, s);
        }
    }
}

}  // namespace

const char* namingId(Naming n) {
    switch (n) {
        case Naming::HfVit:
            return "hf-vit";
        case Naming::HfDeit:
            return "hf-deit";
        case Naming::HfDinov2:
            return "hf-dinov2";
        case Naming::Timm:
            return "timm";
        case Naming::Google:
            return "google";
    }
    return "?";
}

std::string blockName(std::string_view pattern, int block) {
    return replaceAll(std::string(pattern), "{i}", std::to_string(block));
}

int CanonicalTensors::countBlocks() const {
    int depth = 0;
    for (const auto& [name, ref] : mRefs) {
        if (name.rfind("blocks.", 0) != 0)
            continue;
        int index = 0;
        for (size_t i = 7; i < name.size() && name[i] != '.'; ++i)
            index = index * 10 + (name[i] - '0');
        depth = std::max(depth, index + 1);
    }
    return depth;
}

bool detectNaming(const TensorStore& store, DetectedNaming& out) {
    constexpr std::string_view kHfPatch = "embeddings.patch_embeddings.projection.weight";
    for (const std::string& name : store.names()) {
        if (name.size() >= kHfPatch.size() &&
            name.compare(name.size() - kHfPatch.size(), kHfPatch.size(), kHfPatch) == 0) {
            out.prefix = name.substr(0, name.size() - kHfPatch.size());
            const std::string p = out.prefix;
            if (store.contains(p + "embeddings.distillation_token")) {
                out.naming = Naming::HfDeit;
            } else if (store.contains(p + "encoder.layer.0.norm1.weight") ||
                       store.contains(p + "embeddings.mask_token")) {
                out.naming = Naming::HfDinov2;
            } else {
                out.naming = Naming::HfVit;
            }
            return true;
        }
    }
    if (store.contains("patch_embed.proj.weight")) {
        out.naming = Naming::Timm;
        out.prefix.clear();
        return true;
    }
    for (const std::string& name : store.names()) {
        if (name == "embedding/kernel" ||
            (name.size() > 17 && name.compare(name.size() - 17, 17, "/embedding/kernel") == 0)) {
            out.naming = Naming::Google;
            out.prefix = name.substr(0, name.size() - 16);
            return true;
        }
    }
    return false;
}

std::string harmlessExtra(const std::string& name, const DetectedNaming& naming) {
    const std::string& p = naming.prefix;
    switch (naming.naming) {
        case Naming::HfVit:
        case Naming::HfDeit:
        case Naming::HfDinov2:
            if (name == p + "embeddings.mask_token")
                return "masked-image-modelling token, unused at inference";
            if (name == p + "pooler.dense.weight" || name == p + "pooler.dense.bias") {
                return "ViTModel pooler, used by no classification head";
            }
            return {};
        case Naming::Google:
            if (!p.empty() && name.compare(0, p.size(), p) != 0)
                return "outside the parameters (optimiser state)";
            return {};
        case Naming::Timm:
            return {};
    }
    return {};
}

CanonicalTensors canonicalize(const TensorStore& store, const DetectedNaming& naming) {
    CanonicalTensors out;
    switch (naming.naming) {
        case Naming::HfVit:
        case Naming::HfDeit:
            applyRules(kHfVitRules, store, naming.prefix,
                       scanDepth(store, naming.prefix + "encoder.layer."), out);
            break;
        case Naming::HfDinov2:
            applyRules(kHfDinov2Rules, store, naming.prefix,
                       scanDepth(store, naming.prefix + "encoder.layer."), out);
            break;
        case Naming::Timm:
        case Naming::Google:
            applyRules(kTimmRules, store, "", scanDepth(store, "blocks."), out);
            break;
    }
    return out;
}

}  // namespace vitscope::core::detail
