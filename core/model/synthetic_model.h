#pragma once
/// A model with seeded random weights for any config: benchmarks (ViT-Ti/S/B shapes at 224
/// without shipping checkpoints) and tests that need a particular architecture.

#include <cstdint>
#include <optional>
#include <string>

#include "core/model/vit_model.h"

namespace vitscope::core {

/// Weights ~ N(0, 0.02) (LayerNorm weights 1, biases 0), as timm initialises a ViT. Fails only on
/// an invalid config.
Result<ModelPtr> makeSyntheticModel(const VitConfig& config, uint64_t seed = 0);

/// The paper's and DeiT's standard shapes at 224x224 with patch 16, 12 blocks, MLP 4D and 1,000
/// classes: "vit-ti" (D 192, 3 heads), "vit-s" (384, 6) and "vit-b" (768, 12). Unset for any
/// other name.
std::optional<VitConfig> standardVitConfig(const std::string& name);

}  // namespace vitscope::core
