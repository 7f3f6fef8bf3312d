#pragma once
/// Checkpoint tensor names, in one table per naming family (as whisper.cpp's whisper-arch.h).
/// Every family is mapped onto one canonical naming (timm's, with separate q/k/v allowed), so
/// config inference and shape checks are written once.

#include <map>
#include <string>
#include <string_view>

#include "core/io/tensor_store.h"

namespace vitscope::core::detail {

enum class Naming { HfVit, HfDeit, HfDinov2, Timm, Google };
const char* namingId(Naming n);  ///< "hf-vit", "hf-deit", "hf-dinov2", "timm", "google"

/// A canonical tensor and the name it has in the file (for error messages).
struct TensorRef {
    const StoredTensor* tensor = nullptr;
    std::string sourceName;
};

class CanonicalTensors {
public:
    void add(std::string canonical, const StoredTensor* t, std::string sourceName) {
        mRefs[std::move(canonical)] = TensorRef{t, std::move(sourceName)};
    }
    const TensorRef* find(const std::string& canonical) const {
        auto it = mRefs.find(canonical);
        return it == mRefs.end() ? nullptr : &it->second;
    }
    bool has(const std::string& canonical) const { return find(canonical) != nullptr; }
    /// Number of consecutive blocks.N.* present, N = 0, 1, ...
    int countBlocks() const;

private:
    std::map<std::string, TensorRef> mRefs;
};

/// Detects the naming family from tensor names; also returns the module prefix of Hugging Face
/// files ("vit.", "deit.", "dinov2." or "") and the parameter prefix of Google files ("",
/// "params/", "opt/target/"). Fails when nothing known is found.
struct DetectedNaming {
    Naming naming = Naming::Timm;
    std::string prefix;
};
bool detectNaming(const TensorStore& store, DetectedNaming& out);

/// The allow-list: tensors a checkpoint may carry that vitscope knowingly does not use. Any other
/// tensor the bound model does not use makes the load fail (it may belong to an architecture
/// vitscope does not run, e.g. qk-norm's `attn.q_norm.weight`, and ignoring it would compute
/// something else). Allowed:
///  - Hugging Face (every naming): `{p}embeddings.mask_token`, the masked-image-modelling token
///    of ViTModel(use_mask_token=True) and DINOv2 training, never used at inference;
///    `{p}pooler.dense.weight` / `.bias`, ViTModel's tanh pooler, which no classification head
///    uses (ViTForImageClassification, and vitscope, read the final class token itself).
///  - Google .npz under a parameter prefix ("params/", "opt/target/"): everything outside it,
///    i.e. optimiser state saved next to the parameters ("opt/state/...").
///  - timm: nothing (timm's parameter-free modules such as head_drop store no tensors).
/// Returns why `name` is harmless, or an empty string when it is not on the list.
std::string harmlessExtra(const std::string& name, const DetectedNaming& naming);

/// Maps a store in a Hugging Face or timm naming onto canonical names (no data is copied).
CanonicalTensors canonicalize(const TensorStore& store, const DetectedNaming& naming);

/// "blocks.{i}.attn.qkv.weight" with {i} replaced.
std::string blockName(std::string_view pattern, int block);

}  // namespace vitscope::core::detail
