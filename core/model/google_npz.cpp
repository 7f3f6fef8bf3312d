// Google big_vision / vision_transformer .npz checkpoints, converted to PyTorch's layout once at
// load so the forward pass has one code path.
#include <set>
#include <sstream>

#include "core/model/weights_binding.h"

namespace vitscope::core::detail {
namespace {

/// Original vision_transformer files and big_vision ones differ in module indices (and big_vision
/// files may nest everything under "params/" or "opt/target/").
struct GoogleLayout {
    std::string prefix;  // "", "params/", "opt/target/"
    std::string mha = "MultiHeadDotProductAttention_1";
    std::string mlp = "MlpBlock_3";
    std::string ln2 = "LayerNorm_2";
    bool bigVision = false;
};

GoogleLayout detectLayout(const TensorStore& store) {
    GoogleLayout g;
    constexpr std::string_view kKernel = "embedding/kernel";
    for (const std::string& name : store.names()) {
        if (name.size() >= kKernel.size() &&
            name.compare(name.size() - kKernel.size(), kKernel.size(), kKernel) == 0) {
            g.prefix = name.substr(0, name.size() - kKernel.size());
            break;
        }
    }
    if (store.contains(g.prefix +
                       "Transformer/encoderblock_0/MultiHeadDotProductAttention_0/query/kernel")) {
        g.bigVision = true;
        g.mha = "MultiHeadDotProductAttention_0";
        g.mlp = "MlpBlock_0";
        g.ln2 = "LayerNorm_1";
    }
    return g;
}

struct Converter {
    TensorStore& store;
    const std::string& label;
    std::set<std::string> consumed;  ///< original names converted

    Result<const StoredTensor*> need(const std::string& name, size_t rank) {
        const StoredTensor* t = store.find(name);
        if (t == nullptr)
            return makeError(ErrorCode::BadModel, label + ": tensor '" + name + "' is missing");
        consumed.insert(name);
        if (t->shape.size() != rank) {
            std::ostringstream os;
            os << label << ": tensor '" << name << "': shape " << shapeToString(t->shape)
               << ", expected rank " << rank;
            return makeError(ErrorCode::BadModel, os.str());
        }
        for (int64_t s : t->shape) {
            if (s <= 0)
                return makeError(ErrorCode::BadModel,
                                 label + ": tensor '" + name + "' has an empty dimension");
        }
        return t;
    }
    /// Copies as is (rank kept), under a canonical name.
    Status copy(const std::string& from, const std::string& to, size_t rank) {
        auto t = need(from, rank);
        if (!t)
            return t.error();
        const StoredTensor* s = *t;
        store.addOwned(to, s->shape, std::vector<float>(s->data, s->data + s->numel()),
                       s->sourceDType, s->file);
        return Ok{};
    }
    /// A (rows, cols) matrix given as `rank` dims split at `split` is stored transposed: (cols,
    /// rows).
    Status transposed(const std::string& from, const std::string& to, size_t rank, size_t split) {
        auto t = need(from, rank);
        if (!t)
            return t.error();
        const StoredTensor* s = *t;
        int64_t rows = 1, cols = 1;
        for (size_t i = 0; i < rank; ++i) (i < split ? rows : cols) *= s->shape[i];
        std::vector<float> out(static_cast<size_t>(rows * cols));
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = s->data[r * cols + c];
        }
        store.addOwned(to, {cols, rows}, std::move(out), s->sourceDType, s->file);
        return Ok{};
    }
    /// Flattens e.g. a (heads, headDim) bias to (heads * headDim).
    Status flat(const std::string& from, const std::string& to, size_t rank) {
        auto t = need(from, rank);
        if (!t)
            return t.error();
        const StoredTensor* s = *t;
        store.addOwned(to, {s->numel()}, std::vector<float>(s->data, s->data + s->numel()),
                       s->sourceDType, s->file);
        return Ok{};
    }
};

int countGoogleBlocks(const TensorStore& store, const std::string& prefix) {
    int depth = 0;
    for (const std::string& name : store.names()) {
        if (name.compare(0, prefix.size(), prefix) != 0)
            continue;
        int index = 0;
        size_t i = prefix.size();
        while (i < name.size() && i - prefix.size() < 5 && name[i] >= '0' && name[i] <= '9')
            index = index * 10 + (name[i++] - '0');
        if (i > prefix.size() && i < name.size() && name[i] == '/')
            depth = std::max(depth, index + 1);
    }
    return std::min(depth, 1001);
}

#define VITSCOPE_CONV(expr)      \
    if (auto st_ = (expr); !st_) \
    return st_.error()

/// Patch embedding: HWIO (P, P, C, D) -> (D, C, P, P), plus its bias.
Status convertPatchEmbed(Converter& cv, const std::string& pre) {
    auto kernel = cv.need(pre + "embedding/kernel", 4);
    if (!kernel)
        return kernel.error();
    const StoredTensor* k = *kernel;
    const int64_t ph = k->shape[0], pw = k->shape[1], ch = k->shape[2], d = k->shape[3];
    std::vector<float> w(static_cast<size_t>(k->numel()));
    for (int64_t y = 0; y < ph; ++y)
        for (int64_t x = 0; x < pw; ++x)
            for (int64_t c = 0; c < ch; ++c)
                for (int64_t o = 0; o < d; ++o) {
                    w[((o * ch + c) * ph + y) * pw + x] = k->data[((y * pw + x) * ch + c) * d + o];
                }
    cv.store.addOwned("patch_embed.proj.weight", {d, ch, ph, pw}, std::move(w), k->sourceDType,
                      k->file);
    VITSCOPE_CONV(cv.copy(pre + "embedding/bias", "patch_embed.proj.bias", 1));
    return Ok{};
}

/// The tensors outside the blocks: class token, position table, final norm, head, pre-logits.
Status convertTopLevel(Converter& cv, const GoogleLayout& g) {
    const std::string& pre = g.prefix;
    const TensorStore& store = cv.store;
    // big_vision's average-pooled ViTs ("gap") have no class token; the original files always do.
    if (!g.bigVision || store.contains(pre + "cls"))
        VITSCOPE_CONV(cv.copy(pre + "cls", "cls_token", 3));
    // big_vision's fixed sin-cos position embeddings are not stored: then there are none to load.
    if (!g.bigVision || store.contains(pre + "Transformer/posembed_input/pos_embedding")) {
        VITSCOPE_CONV(cv.copy(pre + "Transformer/posembed_input/pos_embedding", "pos_embed", 3));
    }
    VITSCOPE_CONV(cv.copy(pre + "Transformer/encoder_norm/scale", "norm.weight", 1));
    VITSCOPE_CONV(cv.copy(pre + "Transformer/encoder_norm/bias", "norm.bias", 1));
    if (store.contains(pre + "head/kernel")) {
        VITSCOPE_CONV(cv.transposed(pre + "head/kernel", "head.weight", 2, 1));
        VITSCOPE_CONV(cv.copy(pre + "head/bias", "head.bias", 1));
    }
    if (store.contains(pre + "pre_logits/kernel")) {
        VITSCOPE_CONV(cv.transposed(pre + "pre_logits/kernel", "pre_logits.weight", 2, 1));
        VITSCOPE_CONV(cv.copy(pre + "pre_logits/bias", "pre_logits.bias", 1));
    }
    return Ok{};
}

/// Encoder block `i` (original prefix `b`, e.g. ".../encoderblock_3/") to canonical blocks.i.*.
Status convertBlock(Converter& cv, const GoogleLayout& g, const std::string& b, int i) {
    const std::string a = b + g.mha + "/";
    const std::string o = "blocks." + std::to_string(i) + ".";
    VITSCOPE_CONV(cv.copy(b + "LayerNorm_0/scale", o + "norm1.weight", 1));
    VITSCOPE_CONV(cv.copy(b + "LayerNorm_0/bias", o + "norm1.bias", 1));
    for (const char* qkv : {"query", "key", "value"}) {
        const std::string dst = o + "attn." + std::string(1, qkv[0]) + ".";
        // (D, heads, headDim) kernel = (D, D') matrix; PyTorch wants (D', D).
        VITSCOPE_CONV(cv.transposed(a + qkv + "/kernel", dst + "weight", 3, 1));
        VITSCOPE_CONV(cv.flat(a + qkv + "/bias", dst + "bias", 2));
    }
    // (heads, headDim, D) kernel = (D', D) matrix; PyTorch wants (D, D').
    VITSCOPE_CONV(cv.transposed(a + "out/kernel", o + "attn.proj.weight", 3, 2));
    VITSCOPE_CONV(cv.copy(a + "out/bias", o + "attn.proj.bias", 1));
    VITSCOPE_CONV(cv.copy(b + g.ln2 + "/scale", o + "norm2.weight", 1));
    VITSCOPE_CONV(cv.copy(b + g.ln2 + "/bias", o + "norm2.bias", 1));
    VITSCOPE_CONV(cv.transposed(b + g.mlp + "/Dense_0/kernel", o + "mlp.fc1.weight", 2, 1));
    VITSCOPE_CONV(cv.copy(b + g.mlp + "/Dense_0/bias", o + "mlp.fc1.bias", 1));
    VITSCOPE_CONV(cv.transposed(b + g.mlp + "/Dense_1/kernel", o + "mlp.fc2.weight", 2, 1));
    VITSCOPE_CONV(cv.copy(b + g.mlp + "/Dense_1/bias", o + "mlp.fc2.bias", 1));
    return Ok{};
}

#undef VITSCOPE_CONV

/// Checks that block `b`'s attention kernels state `heads` heads: the middle dim of the
/// (D, heads, headDim) q/k/v kernels and the first of the (heads, headDim, D) out kernel.
/// vitscope runs one head count for every block.
Status checkBlockHeads(const TensorStore& store, const GoogleLayout& g, const std::string& b,
                       int heads, const std::string& label) {
    const std::string a = b + g.mha + "/";
    for (auto [name, dim] :
         {std::pair{"query", 1}, std::pair{"key", 1}, std::pair{"value", 1}, std::pair{"out", 0}}) {
        const std::string tensor = a + name + "/kernel";
        const StoredTensor* t = store.find(tensor);
        if (t == nullptr || static_cast<int>(t->shape.size()) <= dim)
            continue;  // convertBlock has refused a missing or flat kernel already
        if (t->shape[dim] != heads) {
            return makeError(ErrorCode::BadModel,
                             label + ": block " + b.substr(0, b.size() - 1) + " has " +
                                 std::to_string(t->shape[dim]) + " heads in " + tensor +
                                 " (shape " + shapeToString(t->shape) + "), block 0 has " +
                                 std::to_string(heads) +
                                 "; vitscope needs the same head count in every block");
        }
    }
    return Ok{};
}

}  // namespace

Result<int> convertGoogleNpz(TensorStore& store, const std::string& label) {
    Converter cv{store, label, {}};
    const GoogleLayout g = detectLayout(store);
    const std::string& pre = g.prefix;
    if (store.contains(pre + "MAPHead_0/probe")) {
        return makeError(ErrorCode::BadModel,
                         label +
                             ": attention-pooling (MAP) heads are not supported; vitscope "
                             "runs ViTs pooled by class token or patch mean");
    }
    if (auto st = convertPatchEmbed(cv, pre); !st)
        return st.error();
    if (auto st = convertTopLevel(cv, g); !st)
        return st.error();
    const std::string blockPrefix = pre + "Transformer/encoderblock_";
    const int depth = countGoogleBlocks(store, blockPrefix);
    int heads = 0;
    for (int i = 0; i < depth; ++i) {
        const std::string b = blockPrefix + std::to_string(i) + "/";
        if (auto st = convertBlock(cv, g, b, i); !st)
            return st.error();
        // The head count is the query kernel's middle dim (D, heads, headDim).
        if (i == 0)
            heads = static_cast<int>(store.find(b + g.mha + "/query/kernel")->shape[1]);
        if (auto st = checkBlockHeads(store, g, b, heads, label); !st)
            return st.error();
    }
    if (depth == 0)
        return makeError(ErrorCode::BadModel, label + ": no " + blockPrefix + "N tensors");
    // The converted originals are no longer needed: free them. Anything else stays in the store,
    // so the loader can refuse (or list as ignored) what was not converted.
    for (const std::string& name : cv.consumed) store.erase(name);
    return heads;
}

}  // namespace vitscope::core::detail
