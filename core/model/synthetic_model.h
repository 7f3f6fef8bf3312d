#pragma once
/// A model with seeded random weights for any config: benchmarks (ViT-Ti/S/B shapes at 224
/// without shipping checkpoints) and tests that need a particular architecture.

#include <cstdint>

#include "core/model/vit_model.h"

namespace vitscope::core {

/// Weights ~ N(0, 0.02) (LayerNorm weights 1, biases 0), as timm initialises a ViT. Fails only on
/// an invalid config.
Result<ModelPtr> makeSyntheticModel(const VitConfig& config, uint64_t seed = 0);

}  // namespace vitscope::core
