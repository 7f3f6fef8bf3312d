#pragma once
/// Reading what Hugging Face and timm configuration files state about a model. Unset fields are
/// inferred from the tensors by the weights loader; set fields are checked against them.

#include <optional>
#include <string>
#include <vector>

#include "core/image/preprocess.h"
#include "core/model/vit_config.h"
#include "core/result.h"

namespace vitscope::core::detail {

enum class ConfigKind { HuggingFace, Timm };

struct ConfigHints {
    ConfigKind kind = ConfigKind::HuggingFace;
    std::string file;          ///< path of the config file, for messages
    std::string architecture;  ///< "ViTForImageClassification", "vit_base_patch16_224", ...
    std::string modelType;     ///< HF model_type: "vit", "deit", "dinov2", "dinov2_with_registers"
    std::optional<int> embedDim, depth, numHeads, mlpDim, patchSize, imageH, imageW, channels;
    std::optional<int> numClasses, numRegisters;
    std::optional<float> mlpRatio;
    std::optional<float> layerNormEps;
    std::optional<Activation> activation;
    std::optional<bool> qkvBias;
    std::optional<Pooling> pooling;
    std::vector<std::string> labels;     ///< id2label / label_names in index order; empty if none
    bool labelsArePlaceholders = false;  ///< HF's default "LABEL_0", "LABEL_1", ...
    std::optional<PreprocessRecipe> recipe;  ///< timm pretrained_cfg
};

/// Parses config.json (HF: model_type/architectures; timm hub: architecture/pretrained_cfg).
Result<ConfigHints> readConfigFile(const std::string& path);

/// Parses an HF preprocessor_config.json into a recipe for a model with `channels` inputs.
Result<PreprocessRecipe> readPreprocessorConfig(const std::string& path, int channels);

/// timm/torchvision eval transform: shorter side to floor(size / cropPct), centre crop (rounded).
/// cropPct is a double because timm computes math.floor(size / crop_pct) in Python floats.
PreprocessRecipe timmRecipe(int height, int width, double cropPct, Resample resample,
                            std::array<float, 3> mean, std::array<float, 3> std, int channels);

/// `field` is the config key that named it ("hidden_act"), for the message.
Result<Activation> activationFromName(const std::string& name, const std::string& file,
                                      const std::string& field);

}  // namespace vitscope::core::detail
