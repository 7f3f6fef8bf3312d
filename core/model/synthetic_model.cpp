#include "core/model/synthetic_model.h"

#include <random>

#include "core/model/weights_binding.h"

namespace vitscope::core {

Result<ModelPtr> makeSyntheticModel(const VitConfig& c, uint64_t seed) {
    if (auto st = c.validate(); !st)
        return st.error();
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    TensorStore store;
    auto add = [&](const std::string& name, std::vector<int64_t> shape, float fill = NAN) {
        int64_t n = 1;
        for (int64_t s : shape) n *= s;
        std::vector<float> v(static_cast<size_t>(n));
        for (float& x : v) x = std::isnan(fill) ? normal(rng) : fill;
        store.addOwned(name, std::move(shape), std::move(v), DType::F32, "synthetic");
    };
    const int d = c.embedDim;
    add("patch_embed.proj.weight", {d, c.channels, c.patchSize, c.patchSize});
    add("patch_embed.proj.bias", {d}, 0.0f);
    if (c.classToken)
        add("cls_token", {1, 1, d});
    if (c.distToken)
        add("dist_token", {1, 1, d});
    if (c.numRegisters > 0)
        add("reg_token", {1, c.numRegisters, d});
    if (c.posLayout != PosLayout::None)
        add("pos_embed", {1, c.numPosEntries(), d});
    for (int i = 0; i < c.depth; ++i) {
        const std::string p = "blocks." + std::to_string(i) + ".";
        add(p + "norm1.weight", {d}, 1.0f);
        add(p + "norm1.bias", {d}, 0.0f);
        add(p + "attn.qkv.weight", {3 * d, d});
        if (c.qkvBias)
            add(p + "attn.qkv.bias", {3 * d}, 0.0f);
        add(p + "attn.proj.weight", {d, d});
        add(p + "attn.proj.bias", {d}, 0.0f);
        add(p + "norm2.weight", {d}, 1.0f);
        add(p + "norm2.bias", {d}, 0.0f);
        add(p + "mlp.fc1.weight", {c.mlpDim, d});
        add(p + "mlp.fc1.bias", {c.mlpDim}, 0.0f);
        add(p + "mlp.fc2.weight", {d, c.mlpDim});
        add(p + "mlp.fc2.bias", {d}, 0.0f);
        if (c.layerScale) {
            add(p + "ls1.gamma", {d}, 0.1f);
            add(p + "ls2.gamma", {d}, 0.1f);
        }
    }
    if (c.finalNorm) {
        add("norm.weight", {d}, 1.0f);
        add("norm.bias", {d}, 0.0f);
    }
    if (c.hasHead()) {
        add("head.weight", {c.numClasses, c.pooledDim()});
        add("head.bias", {c.numClasses}, 0.0f);
    }
    detail::DetectedNaming naming{detail::Naming::Timm, ""};
    const detail::CanonicalTensors canon = detail::canonicalize(store, naming);
    detail::DeriveContext ctx{detail::Naming::Timm, "", "synthetic", c.numHeads, 0};
    VitWeights weights;
    std::set<std::string> used;
    auto params = detail::bindWeights(canon, c, ctx, weights, used);
    if (!params)
        return params.error();
    ModelInfo info;
    info.path = "synthetic";
    info.format = "synthetic (random weights)";
    info.architecture = c.summary();
    info.naming = "timm";
    info.numParameters = *params;
    info.weightsDType = "F32";
    weights.storage = std::move(store);
    PreprocessRecipe recipe;
    recipe.channels = c.channels;
    recipe.resizeH = c.imageH;
    recipe.resizeW = c.imageW;
    return ModelPtr(std::make_shared<const VitModel>(c, std::move(weights),
                                                     std::vector<std::string>{}, recipe, info));
}

std::optional<VitConfig> standardVitConfig(const std::string& name) {
    int dim = 0;
    int heads = 0;
    if (name == "vit-ti") {
        dim = 192, heads = 3;
    } else if (name == "vit-s") {
        dim = 384, heads = 6;
    } else if (name == "vit-b") {
        dim = 768, heads = 12;
    } else {
        return std::nullopt;
    }
    VitConfig c;
    c.embedDim = dim;
    c.numHeads = heads;
    c.mlpDim = 4 * dim;
    c.depth = 12;
    c.numClasses = 1000;
    c.layerNormEps = 1e-6f;
    return c;
}

}  // namespace vitscope::core
