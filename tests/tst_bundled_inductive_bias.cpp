// The bundled Fashion-MNIST ViT shows what the ViT paper describes (Dosovitskiy et al. 2021,
// §4.5, Fig. 7): its learned 1-D position embeddings encode the 2-D grid (measured: the mean
// cosine similarity falls with grid distance), and the mean attention distance of a real run
// stays within the geometric bounds of the grid.
#include <QDir>
#include <QtTest>
#include <cmath>

#include "core/analysis/attention_distance.h"
#include "core/analysis/posembed_similarity.h"
#include "core/image/image_io.h"
#include "core/image/preprocess.h"
#include "core/model/vit_model.h"
#include "test_models.h"

using namespace vitscope::core;

namespace {

const char* kBundledModel = VITSCOPE_RESOURCES "/models/fashion-mnist-vit";
/// Margin by which nearer patches must be more similar on average (cosine units).
constexpr double kMinSimilarityDrop = 0.02;
/// Slack on the geometric bounds of the attention distance (pixels).
constexpr double kDistanceSlack = 1e-3;

double meanAt(const SimilarityProfile& profile, double distance) {
    for (size_t i = 0; i < profile.distance.size(); ++i) {
        if (std::abs(profile.distance[i] - distance) < 1e-9) {
            return profile.meanSimilarity[i];
        }
    }
    return std::nan("");
}

Image8 sampleImage(const VitModel& model) {
    const QDir samples(QStringLiteral(VITSCOPE_RESOURCES "/samples/fashion-mnist"));
    const QStringList files = samples.entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    if (!files.isEmpty()) {
        auto image = loadImage(samples.filePath(files.front()).toStdString());
        if (image) {
            return image.value();
        }
    }
    return vitscope::testing::syntheticImage(model.config().imageW, model.config().imageH,
                                             model.config().channels);
}

}  // namespace

class TestBundledInductiveBias : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void similarityFallsWithGridDistance();
    void attentionDistanceWithinGridBounds();

private:
    ModelPtr mModel;
};

void TestBundledInductiveBias::initTestCase() {
    auto model = loadModel(kBundledModel);
    QVERIFY2(model, qPrintable(QStringLiteral("bundled model %1: %2")
                                   .arg(QString::fromLatin1(kBundledModel),
                                        QString::fromStdString(model ? std::string()
                                                                     : model.error().message))));
    mModel = model.value();
}

void TestBundledInductiveBias::similarityFallsWithGridDistance() {
    const VitConfig& c = mModel->config();
    const Matrix table = patchPositionEmbeddings(*mModel, c.gridH(), c.gridW(), PosInterp::Bicubic);
    QCOMPARE(table.rows(), static_cast<Eigen::Index>(c.numPatches()));
    const Matrix sim = cosineSimilarity(table);
    const SimilarityProfile profile =
        similarityByDistance(sim, c.gridH(), c.gridW(), GridMetric::Euclidean);
    const double d1 = meanAt(profile, 1.0);
    const double d3 = meanAt(profile, 3.0);
    const double d5 = meanAt(profile, 5.0);
    qInfo("mean position-embedding similarity: distance 1 %.3f, 3 %.3f, 5 %.3f", d1, d3, d5);
    QVERIFY(std::isfinite(d1) && std::isfinite(d3) && std::isfinite(d5));
    QVERIFY2(d1 > d3 + kMinSimilarityDrop, "neighbours are not more similar than patches 3 apart");
    QVERIFY2(d3 > d5 + kMinSimilarityDrop, "patches 3 apart are not more similar than 5 apart");
}

void TestBundledInductiveBias::attentionDistanceWithinGridBounds() {
    const VitConfig& c = mModel->config();
    auto pre = preprocess(sampleImage(*mModel), mModel->recipe());
    QVERIFY2(pre, pre ? "" : pre.error().message.c_str());
    auto result = runForward(*mModel, pre->input);
    QVERIFY2(result, result ? "" : result.error().message.c_str());
    const double maxDistance =
        c.patchSize * std::hypot(result->tokens.gridH - 1, result->tokens.gridW - 1);
    for (PrefixHandling prefix :
         {PrefixHandling::DropAndRenormalise, PrefixHandling::DropWithoutRenormalising}) {
        const Matrix d =
            meanAttentionDistance(result->attention, result->tokens, c.patchSize, prefix);
        QCOMPARE(d.rows(), static_cast<Eigen::Index>(c.depth));
        QCOMPARE(d.cols(), static_cast<Eigen::Index>(c.numHeads));
        QVERIFY(d.allFinite());
        QVERIFY2(d.minCoeff() >= -kDistanceSlack, qPrintable(QString::number(d.minCoeff())));
        QVERIFY2(d.maxCoeff() <= maxDistance + kDistanceSlack,
                 qPrintable(QStringLiteral("%1 > %2").arg(d.maxCoeff()).arg(maxDistance)));
    }
}

QTEST_GUILESS_MAIN(TestBundledInductiveBias)
#include "tst_bundled_inductive_bias.moc"
