#pragma once
/// What a figure is built from (FigureContext) and how it is drawn (FigureOptions): the input of
/// every builder in ui/export/figure_table.h.

#include <QString>
#include <memory>
#include <string>
#include <vector>

#include "core/analysis/attention_distance.h"
#include "core/analysis/colormap.h"
#include "core/analysis/experiments.h"
#include "core/analysis/head_fusion.h"
#include "core/analysis/lab_results.h"
#include "core/image/preprocess.h"
#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "ui/figures/attention_display.h"

namespace vitscope::ui {

/// What a figure is computed from: the model, and for every figure that shows an image's
/// attention or runs experiments, the Run (core/pipeline/run.h) that holds the source image, the
/// recipe applied, the model input and the result.
struct FigureContext {
    core::ModelPtr model;
    core::RunPtr run;   ///< null for the model-only figures
    QString modelName;  ///< for captions; defaults to the model path's last component

    const core::InferenceResult* result() const { return run ? run->result.get() : nullptr; }
    const core::Preprocessed* input() const { return run ? run->input.get() : nullptr; }
};

struct FigureOptions {
    // Attention figures (0-based; the CLI converts from its 1-based flags).
    int layer = -1;  ///< -1: last layer
    int head = -1;   ///< -1: all heads fused with `fusion`
    core::HeadFusion fusion = core::HeadFusion::Mean;
    int sourceToken = -1;  ///< -1: the class token (the centre patch without prefix tokens)
    bool reverse = false;
    float discardRatio = 0.0f;  ///< rollout
    core::Colormap colormap = core::Colormap::Viridis;
    /// attention, rollout: which image, blocky or bicubic, heatmap, mass mask or alpha.
    AttentionDisplayOptions attentionDisplay;
    // Position-embedding similarity: grid to show (0: the result's grid, else the trained one).
    int gridH = 0;
    int gridW = 0;
    core::PosInterp interp = core::PosInterp::Bicubic;
    // Attention distance.
    core::PrefixHandling prefix = core::PrefixHandling::DropAndRenormalise;
    /// Precomputed (layers, heads) distances averaged over a folder; empty: use `result`.
    core::Matrix distances;
    int distanceImages = 1;
    // Embedding filters.
    bool rawFilters = false;
    int filterCount = 28;
    // Experiments.
    core::ExperimentOptions experiments;
    std::vector<core::ExperimentKind> experimentKinds = core::allExperimentKinds();
    /// Precomputed outcomes (the panel's last run); empty: run them.
    std::vector<core::ExperimentOutcome> outcomes;
    // The lab figures (data-hunger, position-ablation): results already loaded (the window's),
    // else the file `labResults` (bytes, as given), else core::defaultLabResultsPath().
    std::shared_ptr<const core::LabResults> lab;
    std::string labResults;
};

}  // namespace vitscope::ui
