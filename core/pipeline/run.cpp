#include "core/pipeline/run.h"

#include <chrono>

namespace vitscope::core {

namespace {

ForwardOptions forwardOptions(const VitModel& model, const RunOptions& options) {
    ForwardOptions f;
    f.posInterp = options.posInterp.value_or(model.config().defaultPosInterp);
    f.dropPositionEmbeddings = options.dropPositionEmbeddings;
    f.positionPermutation = options.positionPermutation;
    f.progress = options.progress;
    f.cancel = options.cancel;
    f.memoryBudget = options.memoryBudget;
    return f;
}

/// Refuses, before anything is preprocessed or allocated, a model input of (h, w) pixels that
/// does not fit the memory budget. `code` says whose size it is: the user's --size (Usage), the
/// checkpoint's recipe (BadModel) or the image's own size (BadImage).
Status checkPlan(const VitModel& model, int h, int w, const RunOptions& options, ErrorCode code) {
    const int p = model.config().patchSize;
    if (h <= 0 || w <= 0 || p <= 0)
        return Ok{};  // preprocess / runForward report these
    auto plan =
        planForward(model.config(), h / p, w / p,
                    options.memoryBudget != 0 ? options.memoryBudget : defaultMemoryBudget());
    if (!plan)
        return makeError(code, plan.error().message);
    return Ok{};
}

/// The code a refused plan gets when the size came from the recipe, not from --size.
ErrorCode recipeSizeCode(const PreprocessRecipe& recipe) {
    const bool fixedSize = recipe.centerCrop || recipe.resizeRule == ResizeRule::Exact;
    return fixedSize ? ErrorCode::BadModel : ErrorCode::BadImage;
}

/// A NaN or Inf in the output would be ranked and printed as "-nan%": refused instead.
Status checkFiniteOutput(const InferenceResult& r) {
    for (auto [name, v] :
         {std::pair{"logits", &r.logits}, std::pair{"probabilities", &r.probabilities},
          std::pair{"features", &r.features}}) {
        if (!v->allFinite()) {
            return makeError(ErrorCode::BadData,
                             std::string("the model's ") + name +
                                 " are not finite numbers (NaN or infinity); the input or the "
                                 "model's weights and normalisation overflow float32");
        }
    }
    return Ok{};
}

/// Runs the forward pass on `run.input` and fills the result half of `run`.
Status forwardInto(Run& run, const RunOptions& options, ForwardWorkspace* workspace) {
    const VitModel& model = *run.model;
    const ForwardOptions forward = forwardOptions(model, options);
    run.posInterp = *forward.posInterp;
    const ImageTensor& in = run.input->input;
    const ErrorCode sizeCode = options.sizeH != 0 ? ErrorCode::Usage
                               : run.recipe       ? recipeSizeCode(*run.recipe)
                                                  : ErrorCode::BadData;
    if (auto st = checkPlan(model, in.height, in.width, options, sizeCode); !st)
        return st.error();
    const auto start = std::chrono::steady_clock::now();
    auto result = runForward(model, in, forward, workspace);
    if (!result) {
        return result.error();
    }
    // Weights are read in place from the checkpoint's map: a file truncated meanwhile read as
    // zeros, so the numbers are not the model's.
    if (auto st = model.weights().storage.intact(); !st) {
        return st.error();
    }
    if (auto st = checkFiniteOutput(*result); !st) {
        return st.error();
    }
    run.forwardMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    auto shared = std::make_shared<const InferenceResult>(std::move(result.value()));
    if (model.config().hasHead()) {
        run.predictions = topK(model, *shared, std::max(1, options.topK));
    }
    run.result = std::move(shared);
    return Ok{};
}

}  // namespace

std::string Run::describeRecipe() const {
    return recipe ? recipe->describe() : std::string("none (model-input tensor)");
}

Result<PreprocessRecipe> effectiveRecipe(const VitModel& model, const RunOptions& options) {
    if (options.sizeH == 0 && options.sizeW == 0) {
        return model.recipe();
    }
    const int p = model.config().patchSize;
    if (options.sizeH <= 0 || options.sizeW <= 0 || options.sizeH % p != 0 ||
        options.sizeW % p != 0) {
        return makeError(
            ErrorCode::Usage,
            "input size " + std::to_string(options.sizeH) + "x" + std::to_string(options.sizeW) +
                ": each side must be a positive multiple of the patch size " + std::to_string(p));
    }
    return model.recipe().withOutputSize(options.sizeH, options.sizeW);
}

Result<Run> runImage(const ModelPtr& model, std::shared_ptr<const Image8> image,
                     const RunOptions& options, ForwardWorkspace* workspace) {
    if (!model) {
        return makeError(ErrorCode::Usage, "no model is loaded");
    }
    if (!image || image->empty()) {
        return makeError(ErrorCode::BadImage, "the image is empty");
    }
    auto recipe = effectiveRecipe(*model, options);
    if (!recipe) {
        return recipe.error();
    }
    // The model input's size is known before preprocessing unless it follows the image.
    const ErrorCode sizeCode = options.sizeH != 0 ? ErrorCode::Usage : ErrorCode::BadModel;
    if (recipe->centerCrop || recipe->resizeRule == ResizeRule::Exact) {
        if (auto st = checkPlan(*model, recipe->outputH(), recipe->outputW(), options, sizeCode);
            !st)
            return st.error();
    } else if (recipe->resizeRule == ResizeRule::None) {
        if (auto st = checkPlan(*model, image->height, image->width, options, ErrorCode::BadImage);
            !st)
            return st.error();
    }
    auto pre = preprocess(*image, recipe.value());
    if (!pre) {
        return pre.error();
    }
    Run run;
    run.model = model;
    run.source = std::move(image);
    run.recipe = std::move(recipe.value());
    run.input = std::make_shared<const Preprocessed>(std::move(pre.value()));
    if (auto st = forwardInto(run, options, workspace); !st) {
        return st.error();
    }
    return run;
}

Result<Run> runImageFile(const ModelPtr& model, const std::string& path, const RunOptions& options,
                         ForwardWorkspace* workspace) {
    auto image = loadImage(path);
    if (!image) {
        return image.error();
    }
    auto run = runImage(model, std::make_shared<const Image8>(std::move(image.value())), options,
                        workspace);
    if (!run && run.error().code != ErrorCode::Cancelled &&
        run.error().message.find(path) == std::string::npos) {
        return makeError(run.error().code, path + ": " + run.error().message);
    }
    return run;
}

Result<Run> runTensor(const ModelPtr& model, ImageTensor input, const RunOptions& options,
                      ForwardWorkspace* workspace) {
    if (!model) {
        return makeError(ErrorCode::Usage, "no model is loaded");
    }
    const VitConfig& c = model->config();
    if (input.channels != c.channels) {
        return makeError(ErrorCode::BadData, "the input has " + std::to_string(input.channels) +
                                                 " channels, the model expects " +
                                                 std::to_string(c.channels));
    }
    if (input.height <= 0 || input.width <= 0 || input.height % c.patchSize != 0 ||
        input.width % c.patchSize != 0) {
        return makeError(ErrorCode::BadData,
                         "the input is " + std::to_string(input.height) + "x" +
                             std::to_string(input.width) +
                             " pixels, expected positive multiples of the patch size " +
                             std::to_string(c.patchSize));
    }
    Preprocessed pre;
    pre.shown = tensorToImage(input, model->recipe());
    pre.input = std::move(input);
    Run run;
    run.model = model;
    run.input = std::make_shared<const Preprocessed>(std::move(pre));
    if (auto st = forwardInto(run, options, workspace); !st) {
        return st.error();
    }
    return run;
}

}  // namespace vitscope::core
