// Head fusion, per-token maps, mean attention distance, position-embedding similarity, PCA of
// the embedding filters, patch-grid geometry and shuffles, colormaps.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "analysis_test_util.h"
#include "core/analysis/attention_distance.h"
#include "core/analysis/attention_maps.h"
#include "core/analysis/colormap.h"
#include "core/analysis/embedding_filters.h"
#include "core/analysis/head_fusion.h"
#include "core/analysis/patch_grid.h"
#include "core/analysis/posembed_similarity.h"
#include "core/model/synthetic_model.h"
#include "core/model/vit_model.h"

using namespace vitscope::core;
using vitscope::test::fromValues;
using vitscope::test::makeLayout;

namespace {

constexpr float kValueTolerance = 1e-6f;
constexpr float kSimilarityTolerance = 1e-6f;
constexpr float kOrthonormalTolerance = 1e-4f;
constexpr float kPcaTolerance = 1e-4f;
constexpr double kDistanceTolerance = 1e-4;  // pixels

bool near(const Matrix& a, const Matrix& b, float tolerance) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           (a - b).cwiseAbs().maxCoeff() <= tolerance;
}

Matrix randomMatrix(int rows, int cols, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) {
        m.data()[i] = normal(rng);
    }
    return m;
}

/// Brute force: mean over all ordered patch pairs of the Euclidean centre distance in pixels.
double meanPairwiseDistance(int gridH, int gridW, int patchSize) {
    double sum = 0.0;
    int count = 0;
    for (int a = 0; a < gridH * gridW; ++a) {
        for (int b = 0; b < gridH * gridW; ++b) {
            const double dy = (a / gridW - b / gridW) * patchSize;
            const double dx = (a % gridW - b % gridW) * patchSize;
            sum += std::sqrt(dx * dx + dy * dy);
            ++count;
        }
    }
    return sum / count;
}

}  // namespace

class TestAttentionAnalysis : public QObject {
    Q_OBJECT

private slots:
    // Head fusion and maps.
    void fuseHeads_data();
    void fuseHeads();
    void fusionNames();
    void sourceAndTargetMaps();
    void selectedMapSingleHeadAndFused();
    // Mean attention distance.
    void attentionDistanceSelfIsZero();
    void attentionDistanceUniform_data();
    void attentionDistanceUniform();
    void attentionDistanceTwoByTwoByHand();
    void attentionDistancePrefixHandling();
    void attentionDistanceAccumulator();
    void rebuiltStorageGivesTheSameAnalyses();
    // Position-embedding similarity.
    void cosineSimilarityInvariants();
    void cosineSimilarityHandCase();
    void cosineSimilarityZeroVectors();
    void similarityByDistance();
    void positionEmbeddingSimilarityOfModel();
    // Embedding filters.
    void pcaOrthonormal();
    void pcaRankTwoByHand();
    void pcaErrors();
    void displayTile();
    void modelFilterComponents();
    // Geometry and perturbations.
};

// ---------------------------------------------------------------------------------------------

void TestAttentionAnalysis::fuseHeads_data() {
    QTest::addColumn<int>("fusion");
    QTest::addColumn<Matrix>("expected");
    // Heads: h0 = [.8 .2; .4 .6], h1 = [.2 .8; .6 .4], h2 = [.5 .5; 1 0].
    QTest::newRow("mean") << int(HeadFusion::Mean)
                          << fromValues(2, 2, {0.5f, 0.5f, 2.0f / 3, 1.0f / 3});
    QTest::newRow("max") << int(HeadFusion::Max) << fromValues(2, 2, {0.8f, 0.8f, 1.0f, 0.6f});
    QTest::newRow("min") << int(HeadFusion::Min) << fromValues(2, 2, {0.2f, 0.2f, 0.4f, 0.0f});
}

void TestAttentionAnalysis::fuseHeads() {
    QFETCH(int, fusion);
    QFETCH(Matrix, expected);
    AttentionStack stack(2, 3, 2);
    stack.at(1, 0) = fromValues(2, 2, {0.8f, 0.2f, 0.4f, 0.6f});
    stack.at(1, 1) = fromValues(2, 2, {0.2f, 0.8f, 0.6f, 0.4f});
    stack.at(1, 2) = fromValues(2, 2, {0.5f, 0.5f, 1.0f, 0.0f});
    QVERIFY(
        near(vitscope::core::fuseHeads(stack, 1, HeadFusion(fusion)), expected, kValueTolerance));
    // Layer 0 is all zeros: fusion reads the requested layer only.
    QVERIFY(vitscope::core::fuseHeads(stack, 0, HeadFusion(fusion)).isZero());
}

void TestAttentionAnalysis::fusionNames() {
    for (HeadFusion f : {HeadFusion::Mean, HeadFusion::Max, HeadFusion::Min}) {
        QCOMPARE(parseHeadFusion(toString(f)), std::optional<HeadFusion>(f));
    }
    QVERIFY(!parseHeadFusion("median").has_value());
}

void TestAttentionAnalysis::sourceAndTargetMaps() {
    // 1 class token + 2x2 grid; attn(i, j) = 10 i + j.
    const TokenLayout layout = makeLayout(1, 2, 2);
    Matrix attn(5, 5);
    for (int i = 0; i < 5; ++i) {
        for (int j = 0; j < 5; ++j) {
            attn(i, j) = float(10 * i + j);
        }
    }
    // Where patch (0, 1) (token 2) looks: row 2, patch columns 1..4.
    QCOMPARE(attentionFromSource(attn, layout, 2), fromValues(2, 2, {21, 22, 23, 24}));
    // Where the class token looks.
    QCOMPARE(attentionFromSource(attn, layout, 0), fromValues(2, 2, {1, 2, 3, 4}));
    // Who looks at the class token: column 0 over patch rows 1..4.
    QCOMPARE(attentionToTarget(attn, layout, 0), fromValues(2, 2, {10, 20, 30, 40}));
    // Who looks at patch (1, 0) (token 3).
    QCOMPARE(attentionToTarget(attn, layout, 3), fromValues(2, 2, {13, 23, 33, 43}));
    // 1x3 grid with 2 prefix tokens: shapes come from the layout.
    const TokenLayout wide = makeLayout(2, 1, 3);
    const Matrix map = attentionFromSource(attn, wide, 1);
    QCOMPARE(map, fromValues(1, 3, {12, 13, 14}));
}

void TestAttentionAnalysis::selectedMapSingleHeadAndFused() {
    InferenceResult result;
    result.tokens = makeLayout(1, 1, 2);
    result.attention = AttentionStack(1, 2, 3);
    result.attention.at(0, 0) = fromValues(3, 3, {0.2f, 0.4f, 0.4f, 0.1f, 0.1f, 0.8f, 0, 1, 0});
    result.attention.at(0, 1) = fromValues(3, 3, {0.6f, 0.4f, 0.0f, 0.3f, 0.3f, 0.4f, 0, 0, 1});
    AttentionSelection selection;
    selection.head = 1;
    QCOMPARE(*selectedMap(result, selection), fromValues(1, 2, {0.4f, 0.0f}));
    selection.head = -1;
    selection.fusion = HeadFusion::Mean;
    QVERIFY(near(*selectedMap(result, selection), fromValues(1, 2, {0.4f, 0.2f}), kValueTolerance));
    selection.fusion = HeadFusion::Max;
    selection.reverse = true;  // who looks at the class token: column 0 over rows 1, 2
    QVERIFY(near(*selectedMap(result, selection), fromValues(1, 2, {0.3f, 0.0f}), kValueTolerance));
}

// ---------------------------------------------------------------------------------------------

void TestAttentionAnalysis::attentionDistanceSelfIsZero() {
    const TokenLayout layout = makeLayout(1, 3, 4);
    AttentionStack stack(2, 2, layout.numTokens());
    for (int l = 0; l < 2; ++l) {
        for (int h = 0; h < 2; ++h) {
            stack.at(l, h).setIdentity();
        }
    }
    for (PrefixHandling p :
         {PrefixHandling::DropAndRenormalise, PrefixHandling::DropWithoutRenormalising}) {
        const Matrix d = meanAttentionDistance(stack, layout, 16, p);
        QCOMPARE(d.rows(), Eigen::Index(2));
        QCOMPARE(d.cols(), Eigen::Index(2));
        QVERIFY(d.cwiseAbs().maxCoeff() < kDistanceTolerance);
    }
}

void TestAttentionAnalysis::attentionDistanceUniform_data() {
    QTest::addColumn<int>("numPrefix");
    QTest::addColumn<int>("gridH");
    QTest::addColumn<int>("gridW");
    QTest::addColumn<int>("patchSize");
    QTest::newRow("cls, 2x2, P=16") << 1 << 2 << 2 << 16;
    QTest::newRow("cls, 3x4, P=16") << 1 << 3 << 4 << 16;
    QTest::newRow("cls+dist, 5x5, P=8") << 2 << 5 << 5 << 8;
    QTest::newRow("no prefix, 1x6, P=32") << 0 << 1 << 6 << 32;
}

void TestAttentionAnalysis::attentionDistanceUniform() {
    // Uniform attention over all tokens: after dropping the prefix and renormalising, each
    // query spreads evenly over all patches, so the result is the grid's mean pairwise distance.
    QFETCH(int, numPrefix);
    QFETCH(int, gridH);
    QFETCH(int, gridW);
    QFETCH(int, patchSize);
    const TokenLayout layout = makeLayout(numPrefix, gridH, gridW);
    const int n = layout.numTokens();
    AttentionStack stack(1, 3, n);
    for (int h = 0; h < 3; ++h) {
        stack.at(0, h).setConstant(1.0f / n);
    }
    const double expected = meanPairwiseDistance(gridH, gridW, patchSize);
    const Matrix d = meanAttentionDistance(stack, layout, patchSize);
    for (int h = 0; h < 3; ++h) {
        QVERIFY2(std::abs(d(0, h) - expected) < kDistanceTolerance,
                 qPrintable(QString("%1 vs %2").arg(d(0, h)).arg(expected)));
    }
    // Without renormalising, the prefix share (numPrefix / n) counts as distance 0.
    const Matrix raw =
        meanAttentionDistance(stack, layout, patchSize, PrefixHandling::DropWithoutRenormalising);
    const double scaled = expected * layout.numPatches() / n;
    QVERIFY(std::abs(raw(0, 0) - scaled) < kDistanceTolerance);
}

void TestAttentionAnalysis::attentionDistanceTwoByTwoByHand() {
    // 2x2 grid: from any patch the distances are 0, P, P, P*sqrt(2); uniform attention gives
    // (2P + P*sqrt(2)) / 4 for every query. P = 16: 13.65685...
    const TokenLayout layout = makeLayout(0, 2, 2);
    AttentionStack stack(1, 1, 4);
    stack.at(0, 0).setConstant(0.25f);
    const double p = 16.0;
    const double expected = (2.0 * p + p * std::sqrt(2.0)) / 4.0;
    QVERIFY(std::abs(meanAttentionDistance(stack, layout, 16)(0, 0) - expected) <
            kDistanceTolerance);
    QVERIFY(std::abs(meanPairwiseDistance(2, 2, 16) - expected) < kDistanceTolerance);
    // All weight on the diagonal neighbour: P*sqrt(2).
    stack.at(0, 0) = fromValues(4, 4, {0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0});
    QVERIFY(std::abs(meanAttentionDistance(stack, layout, 16)(0, 0) - p * std::sqrt(2.0)) <
            kDistanceTolerance);
}

void TestAttentionAnalysis::attentionDistancePrefixHandling() {
    // 1 cls + 1x2 grid, P = 10. Patch queries put 0.5 on cls, 0.25 on themselves and 0.25 on
    // the other patch (10 px away). Renormalised: 0.5 * 10 = 5; raw: 0.25 * 10 = 2.5. The class
    // query row is ignored whatever it holds.
    const TokenLayout layout = makeLayout(1, 1, 2);
    AttentionStack stack(1, 1, 3);
    stack.at(0, 0) = fromValues(3, 3, {0, 0, 1, 0.5f, 0.25f, 0.25f, 0.5f, 0.25f, 0.25f});
    QVERIFY(std::abs(meanAttentionDistance(stack, layout, 10)(0, 0) - 5.0) < kDistanceTolerance);
    QVERIFY(std::abs(meanAttentionDistance(stack, layout, 10,
                                           PrefixHandling::DropWithoutRenormalising)(0, 0) -
                     2.5) < kDistanceTolerance);
    // A query that attends only to the class token: distance 0, no division by zero.
    stack.at(0, 0) = fromValues(3, 3, {1, 0, 0, 1, 0, 0, 1, 0, 0});
    const float d = meanAttentionDistance(stack, layout, 10)(0, 0);
    QVERIFY(std::isfinite(d));
    QCOMPARE(d, 0.0f);
}

void TestAttentionAnalysis::attentionDistanceAccumulator() {
    AttentionDistanceAccumulator acc;
    QCOMPARE(acc.count(), 0);
    QCOMPARE(acc.mean().size(), Eigen::Index(0));
    QVERIFY(acc.add(fromValues(2, 1, {10, 20})).ok());
    QVERIFY(acc.add(fromValues(2, 1, {30, 0})).ok());
    QCOMPARE(acc.count(), 2);
    QVERIFY(near(acc.mean(), fromValues(2, 1, {20, 10}), kValueTolerance));
    const Status bad = acc.add(fromValues(1, 2, {0, 0}));
    QVERIFY(!bad.ok());
    QCOMPARE(acc.count(), 2);  // unchanged

    InferenceResult result;
    result.tokens = makeLayout(0, 2, 2);
    result.attention = AttentionStack(2, 1, 4);
    result.attention.at(0, 0).setIdentity();
    result.attention.at(1, 0).setConstant(0.25f);
    AttentionDistanceAccumulator fromResults;
    QVERIFY(fromResults.add(result, 16).ok());
    QVERIFY(fromResults.add(result, 16).ok());
    const Matrix mean = fromResults.mean();
    QVERIFY(std::abs(mean(0, 0)) < kDistanceTolerance);
    QVERIFY(std::abs(mean(1, 0) - meanPairwiseDistance(2, 2, 16)) < kDistanceTolerance);
    QVERIFY(!fromResults.add(result, 0).ok());
    fromResults.clear();
    QCOMPARE(fromResults.count(), 0);
}

// ---------------------------------------------------------------------------------------------

void TestAttentionAnalysis::cosineSimilarityInvariants() {
    const Matrix pos = randomMatrix(12, 7, 11u);
    const Matrix sim = cosineSimilarity(pos);
    QCOMPARE(sim.rows(), Eigen::Index(12));
    QCOMPARE(sim.cols(), Eigen::Index(12));
    QVERIFY((sim - sim.transpose()).cwiseAbs().maxCoeff() <= kSimilarityTolerance);
    QVERIFY((sim.diagonal().array() - 1.0f).abs().maxCoeff() <= kSimilarityTolerance);
    QVERIFY(sim.maxCoeff() <= 1.0f && sim.minCoeff() >= -1.0f);
    // Scale invariance: scaling one row changes nothing.
    Matrix scaled = pos;
    scaled.row(3) *= 250.0f;
    QVERIFY(near(cosineSimilarity(scaled), sim, kSimilarityTolerance));
    // Same input, same output.
    QVERIFY(cosineSimilarity(pos) == sim);
}

void TestAttentionAnalysis::cosineSimilarityHandCase() {
    const Matrix pos = fromValues(4, 2, {1, 0, 0, 2, 3, 3, -1, 0});
    const float h = 1.0f / std::sqrt(2.0f);
    const Matrix expected = fromValues(4, 4,
                                       {1, 0, h, -1,  //
                                        0, 1, h, 0,   //
                                        h, h, 1, -h,  //
                                        -1, 0, -h, 1});
    QVERIFY(near(cosineSimilarity(pos), expected, kSimilarityTolerance));
}

void TestAttentionAnalysis::cosineSimilarityZeroVectors() {
    const Matrix pos = fromValues(3, 2, {1, 2, 0, 0, 1e-30f, 0});
    const Matrix sim = cosineSimilarity(pos);
    QVERIFY(sim.allFinite());
    QCOMPARE(sim(1, 1), 1.0f);
    QCOMPARE(sim(0, 1), 0.0f);
    QCOMPARE(sim(1, 0), 0.0f);
    QCOMPARE(sim(1, 2), 0.0f);
    // A tiny but non-zero vector still has a direction (norm taken in double).
    QVERIFY(std::abs(sim(0, 2) - 1.0f / std::sqrt(5.0f)) < kSimilarityTolerance);
    QCOMPARE(sim(2, 2), 1.0f);
}

void TestAttentionAnalysis::similarityByDistance() {
    // 2x2 grid; similarity 1 on the diagonal, 0.5 between edge neighbours, 0.1 diagonally.
    Matrix sim(4, 4);
    for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
            const int d2 = (i / 2 - j / 2) * (i / 2 - j / 2) + (i % 2 - j % 2) * (i % 2 - j % 2);
            sim(i, j) = d2 == 0 ? 1.0f : d2 == 1 ? 0.5f : 0.1f;
        }
    }
    const SimilarityProfile euclid =
        vitscope::core::similarityByDistance(sim, 2, 2, GridMetric::Euclidean);
    QCOMPARE(euclid.distance.size(), size_t(3));
    QVERIFY(std::abs(euclid.distance[2] - std::sqrt(2.0)) < 1e-12);
    QCOMPARE(euclid.pairCount, (std::vector<int>{4, 8, 4}));
    QVERIFY(std::abs(euclid.meanSimilarity[0] - 1.0) < kSimilarityTolerance);
    QVERIFY(std::abs(euclid.meanSimilarity[1] - 0.5) < kSimilarityTolerance);
    QVERIFY(std::abs(euclid.meanSimilarity[2] - 0.1) < kSimilarityTolerance);
    const SimilarityProfile cheb =
        vitscope::core::similarityByDistance(sim, 2, 2, GridMetric::Chebyshev);
    QCOMPARE(cheb.distance, (std::vector<double>{0.0, 1.0}));
    QCOMPARE(cheb.pairCount, (std::vector<int>{4, 12}));
    QVERIFY(std::abs(cheb.meanSimilarity[1] - (8 * 0.5 + 4 * 0.1) / 12) < kSimilarityTolerance);
}

// ---------------------------------------------------------------------------------------------

void TestAttentionAnalysis::pcaOrthonormal() {
    // D = 40 filters of C*P*P = 3*2*2 = 12 weights; 28 requested, 12 exist.
    const Matrix filters = randomMatrix(40, 12, 21u);
    const Result<FilterComponents> pca = principalComponents(filters);
    QVERIFY(pca.ok());
    QCOMPARE(pca->components.rows(), Eigen::Index(12));
    QCOMPARE(pca->components.cols(), Eigen::Index(12));
    const Matrix gram = pca->components * pca->components.transpose();
    QVERIFY((gram - Matrix::Identity(12, 12)).cwiseAbs().maxCoeff() <= kOrthonormalTolerance);
    const auto& ratio = pca->explainedVarianceRatio;
    QCOMPARE(ratio.size(), size_t(12));
    QVERIFY(std::is_sorted(ratio.rbegin(), ratio.rend()));  // decreasing
    double total = 0.0;
    for (float r : ratio) {
        total += r;
    }
    QVERIFY(std::abs(total - 1.0) < kPcaTolerance);  // all components: all the variance
    const Result<FilterComponents> top3 = principalComponents(filters, 3);
    QVERIFY(top3.ok());
    QCOMPARE(top3->components.rows(), Eigen::Index(3));
    QVERIFY(near(top3->components, pca->components.topRows(3), kPcaTolerance));
}

void TestAttentionAnalysis::pcaRankTwoByHand() {
    // C=1, P=2: filters = m + a_i u + b_i v with u = (1,1,0,0)/sqrt2, v = (0,0,1,-1)/sqrt2,
    // a = (2,-2,0,0), b = (0,0,1,-1): zero-mean, uncorrelated, variances 8/3 and 2/3 (ratio
    // 0.8 / 0.2). PCA must find u then v (sign chosen so the largest entry is positive).
    const float s = 1.0f / std::sqrt(2.0f);
    const RowVector m = fromValues(1, 4, {0.5f, -1.0f, 2.0f, 0.25f});
    const RowVector u = fromValues(1, 4, {s, s, 0, 0});
    const RowVector v = fromValues(1, 4, {0, 0, s, -s});
    const float a[] = {2, -2, 0, 0};
    const float b[] = {0, 0, 1, -1};
    Matrix filters(4, 4);
    for (int i = 0; i < 4; ++i) {
        filters.row(i) = m + a[i] * u + b[i] * v;
    }
    const Result<FilterComponents> pca = principalComponents(filters, 2);
    QVERIFY(pca.ok());
    QCOMPARE(pca->components.rows(), Eigen::Index(2));
    QVERIFY(near(pca->components.row(0), u, kPcaTolerance));
    QVERIFY(near(pca->components.row(1), v, kPcaTolerance));
    QVERIFY(std::abs(pca->explainedVarianceRatio[0] - 0.8f) < kPcaTolerance);
    QVERIFY(std::abs(pca->explainedVarianceRatio[1] - 0.2f) < kPcaTolerance);
    QVERIFY(near(pca->mean, m, kPcaTolerance));
    // Asking for all four: the last two carry no variance but are still orthonormal.
    const Result<FilterComponents> all = principalComponents(filters, 28);
    QVERIFY(all.ok());
    QCOMPARE(all->components.rows(), Eigen::Index(4));
    QVERIFY(all->explainedVarianceRatio[3] < kPcaTolerance);
    const Matrix gram = all->components * all->components.transpose();
    QVERIFY((gram - Matrix::Identity(4, 4)).cwiseAbs().maxCoeff() <= kOrthonormalTolerance);
}

void TestAttentionAnalysis::pcaErrors() {
    QCOMPARE(principalComponents(Matrix(1, 12)).error().code, ErrorCode::BadData);
    QCOMPARE(principalComponents(Matrix(0, 0)).error().code, ErrorCode::BadData);
    QVERIFY(!principalComponents(randomMatrix(5, 4, 1u), 0).ok());
    Matrix same(5, 4);
    same.rowwise() = fromValues(1, 4, {1, 2, 3, 4}).row(0);
    QVERIFY(!principalComponents(same).ok());
    Matrix nan = randomMatrix(5, 4, 2u);
    nan(2, 1) = std::nanf("");
    QVERIFY(!principalComponents(nan).ok());
}

void TestAttentionAnalysis::displayTile() {
    const RowVector component = fromValues(1, 8, {-2, 0, 2, 1, -1, 0.5f, 0, 0});  // C=2, P=2
    const std::vector<float> tile = toDisplayTile(component, 2, 2);
    QCOMPARE(tile.size(), size_t(8));
    QCOMPARE(*std::min_element(tile.begin(), tile.end()), 0.0f);
    QCOMPARE(*std::max_element(tile.begin(), tile.end()), 1.0f);
    QCOMPARE(tile[0], 0.0f);   // (c=0, y=0, x=0) = -2
    QCOMPARE(tile[1], 0.5f);   // 0
    QCOMPARE(tile[3], 0.75f);  // (c=0, y=1, x=1) = 1
    QCOMPARE(tile[4], 0.25f);  // (c=1, y=0, x=0) = -1
    const std::vector<float> flat = toDisplayTile(RowVector::Constant(4, 3.0f), 1, 2);
    QVERIFY(std::all_of(flat.begin(), flat.end(), [](float t) { return t == 0.5f; }));
}

// ---------------------------------------------------------------------------------------------

namespace {

/// A 2-block, 4x4-patch model with seeded random weights.
ModelPtr smallModel(PosLayout posLayout) {
    VitConfig config;
    config.patchSize = 4;
    config.imageH = config.imageW = 16;
    config.embedDim = 16;
    config.depth = 2;
    config.numHeads = 2;
    config.mlpDim = 32;
    config.posLayout = posLayout;
    auto model = makeSyntheticModel(config, 7u);
    return model ? model.value() : nullptr;
}

}  // namespace

void TestAttentionAnalysis::positionEmbeddingSimilarityOfModel() {
    const ModelPtr model = smallModel(PosLayout::EveryPrefix);
    QVERIFY(model);
    const Matrix trained = positionEmbeddingSimilarity(*model, 4, 4, PosInterp::Bicubic);
    const Matrix table = patchPositionEmbeddings(*model, 4, 4, PosInterp::Bicubic);
    QVERIFY(near(trained, cosineSimilarity(table), kValueTolerance));
    QVERIFY(near(trained, trained.transpose(), kSimilarityTolerance));
    QVERIFY((trained.diagonal().array() - 1.0f).abs().maxCoeff() <= kSimilarityTolerance);
    // Another grid resamples the table first.
    const Matrix other = positionEmbeddingSimilarity(*model, 3, 5, PosInterp::Bilinear);
    QCOMPARE(other.rows(), 15);
    QCOMPARE(other.cols(), 15);
    // No learned table: nothing to compare.
    const ModelPtr none = smallModel(PosLayout::None);
    QVERIFY(none);
    QCOMPARE(positionEmbeddingSimilarity(*none, 4, 4, PosInterp::Bicubic).size(), Eigen::Index(0));
}

void TestAttentionAnalysis::modelFilterComponents() {
    const ModelPtr model = smallModel(PosLayout::EveryPrefix);
    QVERIFY(model);
    const Matrix filters = model->weights().patchEmbed.matrix();  // (16, 3*4*4)
    auto raw = vitscope::core::modelFilterComponents(*model, true, 5);
    QVERIFY2(raw, raw ? "" : raw.error().message.c_str());
    QVERIFY(near(raw->components, filters.topRows(5), 0.0f));
    QVERIFY(raw->explainedVarianceRatio.empty());
    auto allRaw = vitscope::core::modelFilterComponents(*model, true, 100);
    QVERIFY(allRaw);
    QCOMPARE(allRaw->components.rows(), filters.rows());
    auto pca = vitscope::core::modelFilterComponents(*model, false, 6);
    auto direct = principalComponents(filters, 6);
    QVERIFY(pca && direct);
    QVERIFY(near(pca->components, direct->components, 0.0f));
    QCOMPARE(pca->explainedVarianceRatio, direct->explainedVarianceRatio);
}

// Every analysis reads attention through rows and columns, so a run that keeps it Rebuilt gives
// the same maps (single head, fused, reversed, rollout) and mean distances as one that keeps it
// whole, to float rounding.
void TestAttentionAnalysis::rebuiltStorageGivesTheSameAnalyses() {
    VitConfig c;
    c.channels = 3;
    c.patchSize = 4;
    c.imageH = c.imageW = 24;
    c.embedDim = 32;
    c.depth = 3;
    c.numHeads = 4;
    c.mlpDim = 64;
    c.numClasses = 5;
    auto model = makeSyntheticModel(c, 7);
    QVERIFY(model.ok());
    ImageTensor x{3, 24, 24, std::vector<float>(3 * 24 * 24)};
    std::mt19937 rng(3);
    std::normal_distribution<float> normal;
    for (float& v : x.data) v = normal(rng);
    ForwardOptions rebuiltOptions;
    rebuiltOptions.attentionStorage = AttentionStorage::Rebuilt;
    auto whole = runForward(**model, x);
    auto rebuilt = runForward(**model, x, rebuiltOptions);
    QVERIFY(whole.ok() && rebuilt.ok());
    QVERIFY(whole->attention.isFull());
    QCOMPARE(rebuilt->attention.storage(), AttentionStorage::Rebuilt);
    const float tol = 1e-5f;
    const Matrix dw = meanAttentionDistance(whole->attention, whole->tokens, c.patchSize);
    const Matrix dr = meanAttentionDistance(rebuilt->attention, rebuilt->tokens, c.patchSize);
    QVERIFY((dw - dr).cwiseAbs().maxCoeff() < 1e-4f);
    QVERIFY(dw.minCoeff() > 0.0f);
    for (const bool rollout : {false, true}) {
        for (const bool reverse : {false, true}) {
            for (const int head : {-1, 0, 3}) {
                AttentionSelection sel;
                sel.layer = 2;
                sel.head = head;
                sel.rollout = rollout;
                sel.reverse = reverse;
                sel.sourceToken = 9;
                auto a = selectedMap(*whole, sel);
                auto b = selectedMap(*rebuilt, sel);
                QVERIFY(a.ok() && b.ok());
                QVERIFY2((*a - *b).cwiseAbs().maxCoeff() < tol,
                         qPrintable(QString("rollout %1 reverse %2 head %3")
                                        .arg(rollout)
                                        .arg(reverse)
                                        .arg(head)));
            }
        }
    }
}

QTEST_APPLESS_MAIN(TestAttentionAnalysis)
#include "tst_attention_analysis.moc"
