// Spatial-bias experiments (core/analysis/experiments): permutation invariance without position
// embeddings, and that shuffling with position embeddings, removing or permuting them, shifting
// and another resolution do change what the model computes.
#include <QtTest>
#include <atomic>

#include "core/analysis/experiments.h"
#include "core/analysis/patch_grid.h"
#include "core/image/preprocess.h"
#include "core/pipeline/dataset.h"
#include "test_models.h"

using namespace vitscope::core;
using vitscope::testing::loadTestModel;
using vitscope::testing::syntheticImage;

namespace {

/// Self-attention without position embeddings is permutation-equivariant, so the class token
/// (or the mean of the patch tokens) may only differ by float rounding.
constexpr float kPermutationTolerance = 1e-5f;
/// A random model's position embeddings are not negligible: moving the patches must show.
constexpr float kMinVisibleChange = 1e-3f;

ExperimentInput inputFor(const VitModel& model) {
    ExperimentInput input;
    input.recipe = model.recipe();
    input.source = syntheticImage(40, 36, 3);
    auto pre = preprocess(input.source, model.recipe());
    if (pre) {
        input.input = pre->input;
    }
    return input;
}

}  // namespace

class TestExperiments : public QObject {
    Q_OBJECT
private slots:
    void permutationInvariance_data();
    void permutationInvariance();
    void shuffleWithPositionsChangesOutput();
    void positionAblationsAndShift();
    void resolutionRunsAtTheNewSize();
    void rejectsShiftOfAPatch();
    void allExperimentsShareReferences();
    void cancelled();
    void evalShuffleEqualsMovingPatches();
};

void TestExperiments::permutationInvariance_data() {
    QTest::addColumn<QString>("testCase");
    QTest::newRow("class token (HF ViT)") << QStringLiteral("hf_vit_cls");
    QTest::newRow("mean pooling, no class token") << QStringLiteral("timm_noclass_avg");
    QTest::newRow("class + distillation") << QStringLiteral("timm_distilled");
    QTest::newRow("class + registers, LayerScale") << QStringLiteral("timm_reg_noembedclass");
}

void TestExperiments::permutationInvariance() {
    QFETCH(QString, testCase);
    auto model = loadTestModel(testCase);
    QVERIFY2(model, model ? "" : model.error().message.c_str());
    const ExperimentInput input = inputFor(*model.value());
    QVERIFY(!input.input.empty());
    for (uint64_t seed : {0ull, 1ull, 12345ull}) {
        ExperimentOptions options;
        options.seed = seed;
        auto outcome = runExperiment(*model.value(), input,
                                     ExperimentKind::ShufflePatchesNoPositions, options);
        QVERIFY2(outcome, outcome ? "" : outcome.error().message.c_str());
        QVERIFY(outcome->reference.output.size() > 0);
        QVERIFY2(
            outcome->maxAbsOutputDiff <= kPermutationTolerance,
            qPrintable(
                QStringLiteral("seed %1: max |diff| %2").arg(seed).arg(outcome->maxAbsOutputDiff)));
        QVERIFY(outcome->maxAbsLogitDiff <= kPermutationTolerance);
        QVERIFY(outcome->sameTop1);
    }
}

void TestExperiments::shuffleWithPositionsChangesOutput() {
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    QVERIFY2(model, model ? "" : model.error().message.c_str());
    auto outcome = runExperiment(*model.value(), inputFor(*model.value()),
                                 ExperimentKind::ShufflePatches, ExperimentOptions{});
    QVERIFY2(outcome, outcome ? "" : outcome.error().message.c_str());
    QVERIFY2(outcome->maxAbsOutputDiff > kMinVisibleChange,
             qPrintable(QString::number(outcome->maxAbsOutputDiff)));
    QCOMPARE(outcome->reference.top.size(), size_t(5));
    // The shuffled input really is another image, and shown at the model's size.
    QCOMPARE(outcome->variant.shown.width, model.value()->recipe().outputW());
    QVERIFY(outcome->variant.shown.pixels != outcome->reference.shown.pixels);
}

void TestExperiments::positionAblationsAndShift() {
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    QVERIFY(model);
    const ExperimentInput input = inputFor(*model.value());
    for (ExperimentKind kind :
         {ExperimentKind::DropPositions, ExperimentKind::PermutePositions, ExperimentKind::Shift}) {
        auto outcome = runExperiment(*model.value(), input, kind);
        QVERIFY2(outcome, outcome ? "" : outcome.error().message.c_str());
        QVERIFY2(outcome->maxAbsOutputDiff > kMinVisibleChange, toString(kind));
        QVERIFY(!outcome->title.empty());
        QVERIFY(!outcome->description.empty());
    }
}

void TestExperiments::resolutionRunsAtTheNewSize() {
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    QVERIFY(model);
    const int p = model.value()->config().patchSize;
    ExperimentOptions options;
    options.resolutionH = 6 * p;
    options.resolutionW = 5 * p;
    for (PosInterp interp : {PosInterp::Bicubic, PosInterp::Bilinear}) {
        options.interp = interp;
        auto outcome = runExperiment(*model.value(), inputFor(*model.value()),
                                     ExperimentKind::Resolution, options);
        QVERIFY2(outcome, outcome ? "" : outcome.error().message.c_str());
        QCOMPARE(outcome->variant.inputH, 6 * p);
        QCOMPARE(outcome->variant.inputW, 5 * p);
        QCOMPARE(outcome->variant.shown.height, 6 * p);
    }
    // Without a source image the model input itself is resampled.
    ExperimentInput noSource = inputFor(*model.value());
    noSource.source = Image8{};
    auto outcome = runExperiment(*model.value(), noSource, ExperimentKind::Resolution, options);
    QVERIFY2(outcome, outcome ? "" : outcome.error().message.c_str());
    QCOMPARE(outcome->variant.inputW, 5 * p);
    // Not a multiple of the patch size.
    options.resolutionH = 6 * p + 1;
    auto bad = runExperiment(*model.value(), noSource, ExperimentKind::Resolution, options);
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, ErrorCode::BadImage);
}

void TestExperiments::rejectsShiftOfAPatch() {
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    QVERIFY(model);
    ExperimentOptions options;
    options.shiftDy = model.value()->config().patchSize;
    auto outcome =
        runExperiment(*model.value(), inputFor(*model.value()), ExperimentKind::Shift, options);
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().code, ErrorCode::BadImage);
    QVERIFY(outcome.error().message.find("patch size") != std::string::npos);
}

void TestExperiments::allExperimentsShareReferences() {
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    QVERIFY(model);
    int calls = 0;
    int lastTotal = 0;
    ExperimentOptions options;
    options.progress = [&](int done, int total) {
        ++calls;
        QCOMPARE(done, calls);
        lastTotal = total;
    };
    auto outcomes =
        runExperiments(*model.value(), inputFor(*model.value()), allExperimentKinds(), options);
    QVERIFY2(outcomes, outcomes ? "" : outcomes.error().message.c_str());
    QCOMPARE(outcomes->size(), allExperimentKinds().size());
    // 6 variants + 2 shared references (with and without position embeddings).
    QCOMPARE(calls, 8);
    QCOMPARE(lastTotal, 8);
}

void TestExperiments::cancelled() {
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    QVERIFY(model);
    std::atomic<bool> cancel{true};
    ExperimentOptions options;
    options.cancel = &cancel;
    auto outcome = runExperiment(*model.value(), inputFor(*model.value()),
                                 ExperimentKind::ShufflePatches, options);
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().code, ErrorCode::Cancelled);
}

/// `eval --shuffle-patches` runs each image as a position permutation instead of moving its
/// patches (core/pipeline/dataset.h). Both give the class token the same inputs, so the logits may
/// differ only by float summation order, and evaluateIdx must predict what moving them predicts.
void TestExperiments::evalShuffleEqualsMovingPatches() {
    auto loaded = loadModel(VITSCOPE_RESOURCES "/models/fashion-mnist-vit");
    QVERIFY2(loaded, loaded ? "" : loaded.error().message.c_str());
    const ModelPtr model = loaded.value();
    const VitConfig& c = model->config();
    auto files = listImages(VITSCOPE_RESOURCES "/samples/fashion-mnist", 100);
    QVERIFY(files && files->size() == 10);
    const int kImages = static_cast<int>(files->size());
    constexpr uint64_t kSeed = 7;
    IdxImages images{kImages, c.imageH, c.imageW, {}};
    IdxLabels labels;
    std::vector<int> moved(kImages);
    for (int i = 0; i < kImages; ++i) {
        auto decoded = loadImage((*files)[i]);
        QVERIFY(decoded && decoded->channels == 1 && decoded->width == c.imageW);
        const Image8& image = decoded.value();
        images.pixels.insert(images.pixels.end(), image.pixels.begin(), image.pixels.end());
        labels.labels.push_back(static_cast<uint8_t>(i));  // the files are 0-... to 9-...
        const std::vector<int> perm = shufflePermutation(c.numPatches(), kSeed + i);
        auto pre = preprocess(image, model->recipe());
        QVERIFY(pre);
        auto shuffled = shufflePatches(pre->input, c.patchSize, perm);
        QVERIFY(shuffled);
        auto real = runForward(*model, *shuffled);
        QVERIFY(real);
        RunOptions options;
        options.positionPermutation = inversePermutation(perm);
        auto viaPositions = runImage(model, std::make_shared<const Image8>(image), options);
        QVERIFY(viaPositions);
        const float diff = (real->logits - viaPositions->result->logits).cwiseAbs().maxCoeff();
        QVERIFY2(diff <= kPermutationTolerance, qPrintable(QString::number(diff)));
        real->logits.maxCoeff(&moved[i]);
    }
    auto e = evaluateIdx(model, images, labels, 0, RunOptions{}, "images", "labels", kSeed);
    QVERIFY2(e, e ? "" : e.error().message.c_str());
    for (int i = 0; i < kImages; ++i) {
        QCOMPARE(e->predicted[i], moved[i]);
    }
    auto plain = evaluateIdx(model, images, labels, 0, RunOptions{}, "images", "labels");
    QVERIFY(plain);
    // Real images: shuffling with position embeddings kept changes predictions.
    QVERIFY2(plain->predicted != e->predicted, "shuffling changed no prediction");
}

QTEST_GUILESS_MAIN(TestExperiments)
#include "tst_experiments.moc"
