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
/// files ("vit.", "deit.", "dinov2." or ""). Fails when nothing known is found.
struct DetectedNaming {
    Naming naming = Naming::Timm;
    std::string prefix;
};
bool detectNaming(const TensorStore& store, DetectedNaming& out);

/// Maps a store in a Hugging Face or timm naming onto canonical names (no data is copied).
CanonicalTensors canonicalize(const TensorStore& store, const DetectedNaming& naming);

/// "blocks.{i}.attn.qkv.weight" with {i} replaced.
std::string blockName(std::string_view pattern, int block);

}  // namespace vitscope::core::detail
