#pragma once
/// From canonical tensors (see tensor_names.h) to a checked VitConfig and bound VitWeights.

#include <set>
#include <string>
#include <vector>

#include "core/model/config_io.h"
#include "core/model/tensor_names.h"
#include "core/model/vit_config.h"
#include "core/model/vit_weights.h"

namespace vitscope::core {
struct InferredSetting;
}

namespace vitscope::core::detail {

struct DeriveContext {
    Naming naming = Naming::Timm;
    std::string prefix;       ///< HF module prefix, for naming missing tensors in messages
    std::string weightsFile;  ///< label used in messages
    int headsOverride = 0;    ///< --heads
    int headsFromFile = 0;    ///< read off the weights themselves (Google's per-head kernels)
};

/// Fills every config field from the config file's hints where stated, else from tensor shapes
/// and names (timm's conventions). Records in `notes` what was assumed, and a guessed head count
/// in `inferred`. A head override that does not divide the width is ErrorCode::Usage.
Result<VitConfig> deriveConfig(const CanonicalTensors& t, const ConfigHints* hints,
                               const DeriveContext& ctx, std::vector<std::string>& notes,
                               std::vector<InferredSetting>& inferred);

/// Checks presence, rank and shape of every tensor the config needs and points `w` at them.
/// Returns the number of parameters bound; adds the file names of the bound tensors to `used`.
Result<int64_t> bindWeights(const CanonicalTensors& t, const VitConfig& c, const DeriveContext& ctx,
                            VitWeights& w, std::set<std::string>& used);

/// Converts a Google big_vision / vision_transformer .npz store (HWIO and (in, heads, headDim)
/// kernels) into canonical tensors, added to `store` as owned copies in PyTorch's layout. Returns
/// the number of heads read off the query kernel.
Result<int> convertGoogleNpz(TensorStore& store, const std::string& label);

}  // namespace vitscope::core::detail
