// Golden tests: every architecture feature and naming against outputs that the project's own
// PyTorch reference (tools/vit_reference.py, via tools/make_fixtures.py) wrote for small random
// models. Tolerances, as the core's contract states them:
//   logits / features: 1e-4 absolute (F32 arithmetic, different summation order);
//   attention probabilities: 1e-5 absolute.
#include <QDir>
#include <QJsonArray>
#include <QtTest>
#include <cmath>
#include <random>

#include "core/model/gemm.h"
#include "core/model/layers.h"
#include "core/model/synthetic_model.h"
#include "core/model/vit_model.h"
#include "core/model/workspace_pool.h"
#include "test_util.h"

using namespace vitscope;

namespace {
constexpr float kLogitTol = 1e-4f;
constexpr float kAttentionTol = 1e-5f;

float maxAbsDiff(const float* a, const float* b, size_t n) {
    float m = 0;
    for (size_t i = 0; i < n; ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

/// The hf_vit_cls fixture model and its input tensor.
struct Case {
    core::ModelPtr model;
    core::ImageTensor input;
};
Case loadHfVitCls() {
    const QString dir = QStringLiteral(VITSCOPE_TEST_DATA "/models/hf_vit_cls");
    auto model = core::loadModel(dir.toStdString());
    auto input = test::readNpyFloat((dir + "/input.npy").toStdString());
    if (!model.ok() || !input.ok)
        return {};
    return {*model,
            core::ImageTensor{static_cast<int>(input.shape[0]), static_cast<int>(input.shape[1]),
                              static_cast<int>(input.shape[2]), input.values}};
}

core::PosInterp parseInterp(const QString& s) {
    if (s == "bilinear")
        return core::PosInterp::Bilinear;
    if (s == "bicubic-aa")
        return core::PosInterp::BicubicAntialias;
    return core::PosInterp::Bicubic;
}
}  // namespace

class TestModelGolden : public QObject {
    Q_OBJECT
private slots:
    void golden_data() {
        QTest::addColumn<QString>("caseDir");
        const QDir root(QStringLiteral(VITSCOPE_TEST_DATA "/models"));
        const auto cases = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY2(cases.size() >= 15, "fixtures missing: run tools/make_fixtures.py");
        for (const QString& c : cases) QTest::newRow(qPrintable(c)) << root.filePath(c);
    }

    void golden() {
        QFETCH(QString, caseDir);
        const QJsonObject expected = test::readJson(caseDir + "/expected.json");
        QVERIFY(!expected.isEmpty());
        const QString modelPath = QDir(caseDir).filePath(expected["model_path"].toString());

        core::LoadOptions lo;
        lo.numHeads = expected["heads_override"].toInt();
        auto model = core::loadModel(QDir::cleanPath(modelPath).toStdString(), lo);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        const core::VitModel& m = **model;
        QCOMPARE(m.info().naming, expected["naming"].toString().toStdString());

        auto input = test::readNpyFloat((caseDir + "/input.npy").toStdString());
        QVERIFY(input.ok && input.shape.size() == 3);
        core::ImageTensor x{static_cast<int>(input.shape[0]), static_cast<int>(input.shape[1]),
                            static_cast<int>(input.shape[2]), input.values};
        QCOMPARE(x.height, expected["input_hw"].toArray()[0].toInt());

        core::ForwardOptions fo;
        fo.posInterp = parseInterp(expected["pos_interp"].toString());
        int progressCalls = 0;
        fo.progress = [&](int done, int total) {
            ++progressCalls;
            QCOMPARE(total, m.config().depth);
            QCOMPARE(done, progressCalls);
        };
        auto r = core::runForward(m, x, fo);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(progressCalls, m.config().depth);

        QCOMPARE(r->tokens.numTokens(), expected["tokens"].toInt());
        QCOMPARE(r->tokens.numPrefix, expected["num_prefix"].toInt());
        QCOMPARE(r->tokens.gridH, expected["grid"].toArray()[0].toInt());
        QCOMPARE(r->tokens.gridW, expected["grid"].toArray()[1].toInt());

        auto attn = test::readNpyFloat((caseDir + "/attention.npy").toStdString());
        QVERIFY(attn.ok);
        QCOMPARE(attn.values.size(), r->attention.raw().size());
        const float attnDiff =
            maxAbsDiff(attn.values.data(), r->attention.raw().data(), attn.values.size());
        QVERIFY2(attnDiff <= kAttentionTol,
                 qPrintable(QString("attention max diff %1").arg(attnDiff)));

        auto feats = test::readNpyFloat((caseDir + "/features.npy").toStdString());
        QVERIFY(feats.ok);
        QCOMPARE(static_cast<Eigen::Index>(feats.values.size()), r->features.size());
        const float featDiff =
            maxAbsDiff(feats.values.data(), r->features.data(), feats.values.size());
        QVERIFY2(featDiff <= kLogitTol, qPrintable(QString("features max diff %1").arg(featDiff)));

        const bool hasHead = expected["has_head"].toBool();
        QCOMPARE(m.config().hasHead(), hasHead);
        if (hasHead) {
            auto logits = test::readNpyFloat((caseDir + "/logits.npy").toStdString());
            QVERIFY(logits.ok);
            QCOMPARE(static_cast<Eigen::Index>(logits.values.size()), r->logits.size());
            const float d =
                maxAbsDiff(logits.values.data(), r->logits.data(), logits.values.size());
            QVERIFY2(d <= kLogitTol, qPrintable(QString("logits max diff %1").arg(d)));
            QCOMPARE(core::topK(m, *r, 1)[0].classIndex, expected["top1"].toInt());
            QVERIFY(std::abs(r->probabilities.sum() - 1.0f) < 1e-5f);
        } else {
            QCOMPARE(r->logits.size(), Eigen::Index(0));
        }
    }

    // With attention kept Rebuilt (what a budget too small for every probability chooses), the
    // forward keeps each layer's queries, keys and log-sum-exp instead, and every row, column
    // and matrix rebuilt from them matches the same PyTorch reference at the same tolerance as
    // the whole storage.
    void goldenRebuilt_data() { golden_data(); }
    void goldenRebuilt() {
        QFETCH(QString, caseDir);
        const QJsonObject expected = test::readJson(caseDir + "/expected.json");
        const QString modelPath = QDir(caseDir).filePath(expected["model_path"].toString());
        core::LoadOptions lo;
        lo.numHeads = expected["heads_override"].toInt();
        auto model = core::loadModel(QDir::cleanPath(modelPath).toStdString(), lo);
        QVERIFY(model.ok());
        const core::VitModel& m = **model;
        auto input = test::readNpyFloat((caseDir + "/input.npy").toStdString());
        QVERIFY(input.ok);
        core::ImageTensor x{static_cast<int>(input.shape[0]), static_cast<int>(input.shape[1]),
                            static_cast<int>(input.shape[2]), input.values};
        const int p = m.config().patchSize;
        auto full = core::planForward(m.config(), x.height / p, x.width / p, UINT64_MAX);
        QVERIFY(full.ok());
        QCOMPARE(full->storage, core::AttentionStorage::Full);

        core::ForwardOptions fo;
        fo.posInterp = parseInterp(expected["pos_interp"].toString());
        fo.attentionStorage = core::AttentionStorage::Rebuilt;
        auto r = core::runForward(m, x, fo);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const core::AttentionStack& a = r->attention;
        QCOMPARE(a.storage(), core::AttentionStorage::Rebuilt);
        QCOMPARE(r->memory.storage, core::AttentionStorage::Rebuilt);
        QCOMPARE(a.bytes(), full->rebuiltAttentionBytes);

        auto attn = test::readNpyFloat((caseDir + "/attention.npy").toStdString());
        QVERIFY(attn.ok);
        const int n = a.tokens();
        std::vector<float> line(static_cast<size_t>(n));
        float worst = 0;
        for (int l = 0; l < a.layers(); ++l) {
            for (int h = 0; h < a.heads(); ++h) {
                const float* ref = attn.values.data() + (size_t(l) * a.heads() + h) * n * n;
                const core::Matrix mat = a.matrix(l, h);
                worst = std::max(worst, maxAbsDiff(ref, mat.data(), size_t(n) * n));
                for (int t = 0; t < n; ++t) {
                    a.row(l, h, t, line.data());
                    for (int j = 0; j < n; ++j)
                        worst = std::max(worst, std::abs(line[j] - ref[size_t(t) * n + j]));
                    a.column(l, h, t, line.data());
                    for (int i = 0; i < n; ++i)
                        worst = std::max(worst, std::abs(line[i] - ref[size_t(i) * n + t]));
                }
            }
        }
        QVERIFY2(worst <= kAttentionTol, qPrintable(QString("attention max diff %1").arg(worst)));
        auto feats = test::readNpyFloat((caseDir + "/features.npy").toStdString());
        QVERIFY(feats.ok);
        const float featDiff =
            maxAbsDiff(feats.values.data(), r->features.data(), feats.values.size());
        QVERIFY2(featDiff <= kLogitTol, qPrintable(QString("features max diff %1").arg(featDiff)));
        if (expected["has_head"].toBool()) {
            auto logits = test::readNpyFloat((caseDir + "/logits.npy").toStdString());
            QVERIFY(logits.ok);
            const float d =
                maxAbsDiff(logits.values.data(), r->logits.data(), logits.values.size());
            QVERIFY2(d <= kLogitTol, qPrintable(QString("logits max diff %1").arg(d)));
        }
    }

    // The budget picks the storage: whole when it fits, Rebuilt when only that fits (a
    // 1024x1024 input of hf_vit_cls), and a run that fits neither is refused before anything is
    // allocated, with a message that names the sizes.
    void budgetChoosesStorage() {
        const Case c = loadHfVitCls();
        QVERIFY(c.model);
        const core::VitConfig& cfg = c.model->config();
        const int g = 1024 / cfg.patchSize;
        auto plan = core::planForward(cfg, g, g, 256ull << 20);
        QVERIFY(plan.ok());
        QCOMPARE(plan->storage, core::AttentionStorage::Rebuilt);
        QVERIFY(plan->fullAttentionBytes > (256ull << 20));
        QVERIFY(plan->totalBytes() <= (256ull << 20));
        auto roomy = core::planForward(cfg, g, g, plan->fullAttentionBytes * 2);
        QVERIFY(roomy.ok());
        QCOMPARE(roomy->storage, core::AttentionStorage::Full);
        QVERIFY(!core::planForward(cfg, g, g, plan->totalBytes() - 1).ok());

        // ViT-L/16 at 384 (577 tokens, 24 layers x 16 heads): 511 MB of attention, kept whole
        // under a 2 GB budget and Rebuilt (about 56 MB) under 256 MB.
        core::VitConfig large;
        large.patchSize = 16;
        large.imageH = large.imageW = 384;
        large.embedDim = 1024;
        large.depth = 24;
        large.numHeads = 16;
        large.mlpDim = 4096;
        auto whole = core::planForward(large, 24, 24, 2ull << 30);
        QVERIFY(whole.ok());
        QCOMPARE(whole->tokens, 577);
        QCOMPARE(whole->fullAttentionBytes, uint64_t(24) * 16 * 577 * 577 * 4);
        QCOMPARE(whole->storage, core::AttentionStorage::Full);
        auto compact = core::planForward(large, 24, 24, 256ull << 20);
        QVERIFY(compact.ok());
        QCOMPARE(compact->storage, core::AttentionStorage::Rebuilt);
        QCOMPARE(compact->rebuiltAttentionBytes, uint64_t(24) * (2 * 577 * 1024 + 16 * 577) * 4);
    }

    void refusedOverBudget() {
        const Case c = loadHfVitCls();
        QVERIFY(c.model);
        core::ForwardOptions fo;
        fo.memoryBudget = 1000;
        auto r = core::runForward(*c.model, c.input, fo);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, core::ErrorCode::Usage);
        QVERIFY2(
            r.error().message.find("over the memory budget of 1000 bytes") != std::string::npos,
            r.error().message.c_str());
    }

    // The same input gives bit-identical output, also when a workspace is reused.
    void deterministicWithReusedWorkspace() {
        const Case c = loadHfVitCls();
        QVERIFY(c.model);
        auto ws = core::makeWorkspace();
        auto a = core::runForward(*c.model, c.input, {}, ws.get());
        auto b = core::runForward(*c.model, c.input, {}, ws.get());
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->logits == b->logits);
        QVERIFY(a->attention.raw() == b->attention.raw());
        // Rows of every attention matrix sum to 1.
        for (int l = 0; l < a->attention.layers(); ++l)
            for (int h = 0; h < a->attention.heads(); ++h)
                QVERIFY((a->attention.at(l, h).rowwise().sum().array() - 1.0f).abs().maxCoeff() <
                        1e-5f);
    }

    // The window's pool: runs in flight at once get distinct workspaces; an ended run's workspace
    // is the next run's (one kept idle), and a reused one gives the same numbers.
    void workspacePoolLendsOnePerRun() {
        const Case c = loadHfVitCls();
        QVERIFY(c.model);
        core::WorkspacePool pool;
        const core::ForwardWorkspace* kept = nullptr;
        {
            const core::WorkspacePool::Lease a = pool.acquire();
            const core::WorkspacePool::Lease b = pool.acquire();
            QVERIFY(a.get() && b.get() && a.get() != b.get());
            kept = b.get();  // b's lease ends first and is kept; a's is released
            QCOMPARE(pool.idleCount(), size_t{0});
        }
        QCOMPARE(pool.idleCount(), size_t{1});
        const auto fresh = core::runForward(*c.model, c.input);
        for (int i = 0; i < 2; ++i) {
            const core::WorkspacePool::Lease lease = pool.acquire();
            QCOMPARE(lease.get(), kept);
            const auto r = core::runForward(*c.model, c.input, {}, lease.get());
            QVERIFY(r.ok() && fresh.ok());
            QVERIFY(r->logits == fresh->logits);
            QVERIFY(r->attention.raw() == fresh->attention.raw());
        }
        QCOMPARE(pool.idleCount(), size_t{1});
    }

    void cancelStopsBetweenBlocks() {
        const Case c = loadHfVitCls();
        QVERIFY(c.model);
        std::atomic<bool> cancel{false};
        core::ForwardOptions fo;
        fo.cancel = &cancel;
        int blocks = 0;
        fo.progress = [&](int done, int) {
            blocks = done;
            cancel = true;  // raised after the first block: the run stops before the second
        };
        auto r = core::runForward(*c.model, c.input, fo);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, core::ErrorCode::Cancelled);
        QCOMPARE(blocks, 1);
    }

    // The vectorised activations equal the definitions (computed in double) to float rounding.
    void activationsMatchTheirDefinitions() {
        const int n = 20001;
        core::Matrix x(1, n);
        for (int i = 0; i < n; ++i) x(0, i) = -10.0f + 20.0f * i / (n - 1);
        using A = core::Activation;
        for (A act : {A::GeluErf, A::GeluTanh, A::QuickGelu, A::Relu}) {
            core::Matrix y = x;
            core::detail::activate(y, act);
            double worst = 0;
            for (int i = 0; i < n; ++i) {
                const double v = x(0, i);
                double ref = 0;
                switch (act) {
                    case A::GeluErf:
                        ref = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
                        break;
                    case A::GeluTanh:
                        ref = 0.5 * v *
                              (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
                        break;
                    case A::QuickGelu:
                        ref = v / (1 + std::exp(-1.702 * v));
                        break;
                    case A::Relu:
                        ref = std::max(v, 0.0);
                        break;
                }
                worst = std::max(worst, std::abs(y(0, i) - ref) / std::max(1.0, std::abs(ref)));
            }
            // 2e-6: a few float ulps of values up to 10 (libm's scalar erf does no better).
            QVERIFY2(worst < 2e-6,
                     qPrintable(QString("activation %1: %2").arg(int(act)).arg(worst)));
        }
    }

    // Small models run on one thread (waking a second costs more than their work); large ones
    // on all; and the numbers do not depend on the thread count beyond float rounding.
    void threadsFollowTheWork() {
        core::VitConfig small;  // the bundled model's shape: 50 tokens of width 64
        small.embedDim = 64, small.numHeads = 4, small.mlpDim = 128, small.depth = 6;
        QCOMPARE(core::forwardThreads(small, 50), 1);
        const auto base = *core::standardVitConfig("vit-b");
        core::setNumThreads(2);
        QCOMPARE(core::forwardThreads(base, 197), 2);
        QCOMPARE(core::forwardThreads(*core::standardVitConfig("vit-ti"), 197), 2);

        auto tiny = *core::standardVitConfig("vit-ti");
        tiny.depth = 2;
        auto model = core::makeSyntheticModel(tiny, 3);
        QVERIFY(model.ok());
        QCOMPARE(core::forwardThreads(tiny, tiny.numTokens()), 2);
        core::ImageTensor x{3, 224, 224, std::vector<float>(3 * 224 * 224)};
        for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = std::sin(0.001f * i);
        auto two = core::runForward(**model, x);
        core::setNumThreads(1);
        auto one = core::runForward(**model, x);
        QVERIFY(one.ok() && two.ok());
        QVERIFY((one->logits - two->logits).cwiseAbs().maxCoeff() < 1e-5f);
        const auto& a = one->attention.raw();
        const auto& b = two->attention.raw();
        QCOMPARE(a.size(), b.size());
        float worst = 0;
        for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
        QVERIFY2(worst < 1e-6f, qPrintable(QString::number(worst)));
        core::setNumThreads(2);
    }

    // oneDNN (the default backend when built with it) against the Eigen reference: strided
    // operands and outputs, odd sizes, with and without bias; then a whole forward.
    void gemmBackendsAgree() {
        if (!core::oneDnnAvailable()) {  // -DVITSCOPE_ONEDNN=OFF: asking for it keeps Eigen
            core::setGemmBackend(core::GemmBackend::OneDnn);
            QCOMPARE(core::gemmBackend(), core::GemmBackend::Eigen);
            return;
        }
        QCOMPARE(core::gemmBackend(), core::GemmBackend::OneDnn);
        std::mt19937 rng(11);
        std::normal_distribution<float> normal;
        // The first two run on Eigen under both settings (below oneDNN's 1M multiply-adds).
        const int64_t shapes[][3] = {{1, 10, 64}, {7, 3, 5}, {197, 2304, 768}, {131, 517, 33}};
        for (const auto& sh : shapes) {
            const int64_t m = sh[0], n = sh[1], k = sh[2];
            const int64_t lda = k + 3, ldb = k + 1, ldc = n + 5;
            std::vector<float> a(m * lda), b(n * ldb), bias(n);
            for (float& v : a) v = normal(rng);
            for (float& v : b) v = normal(rng);
            for (float& v : bias) v = normal(rng);
            for (const float* bp :
                 {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
                std::vector<float> c1(m * ldc, 7.0f), c2(m * ldc, 7.0f);
                core::setGemmBackend(core::GemmBackend::Eigen);
                core::detail::gemmABt(a.data(), lda, b.data(), ldb, c1.data(), ldc, m, n, k, bp);
                core::setGemmBackend(core::GemmBackend::OneDnn);
                core::detail::gemmABt(a.data(), lda, b.data(), ldb, c2.data(), ldc, m, n, k, bp);
                for (int64_t i = 0; i < m; ++i) {
                    for (int64_t j = 0; j < ldc; ++j) {
                        const float x = c1[i * ldc + j], y = c2[i * ldc + j];
                        if (j >= n) {  // the padding between rows is left alone
                            QCOMPARE(y, 7.0f);
                            continue;
                        }
                        // sums of k products of N(0,1): float rounding grows like sqrt(k)
                        QVERIFY2(std::abs(x - y) <= 1e-5f * std::sqrt(float(k)) * 4,
                                 qPrintable(QString("%1x%2x%3 (%4,%5): %6 vs %7")
                                                .arg(m)
                                                .arg(n)
                                                .arg(k)
                                                .arg(i)
                                                .arg(j)
                                                .arg(x)
                                                .arg(y)));
                    }
                }
            }
        }
        // A forward large enough for oneDNN (ViT-Ti's q|k|v product is 197 x 576 x 192).
        auto shape = *core::standardVitConfig("vit-ti");
        shape.depth = 2;
        auto model = core::makeSyntheticModel(shape, 5);
        QVERIFY(model.ok());
        core::ImageTensor x{3, 224, 224, std::vector<float>(3 * 224 * 224)};
        for (float& v : x.data) v = normal(rng);
        core::setGemmBackend(core::GemmBackend::Eigen);
        auto eigen = core::runForward(**model, x);
        core::setGemmBackend(core::GemmBackend::OneDnn);
        auto dnnl = core::runForward(**model, x);  // sgemm: packing is still under way
        QVERIFY(eigen.ok() && dnnl.ok());
        QVERIFY((eigen->logits - dnnl->logits).cwiseAbs().maxCoeff() < 1e-5f);
        QVERIFY(eigen->logits != dnnl->logits);  // the two backends really both ran
        // Once packed, the encoder's products run oneDNN's matmul on the packed weights (the
        // patch embedding, q | k | v, proj, fc1, fc2 of both blocks: 9), to the same numbers.
        (*model)->waitForPacking();
        const auto packed = (*model)->packedEncoder();
        QVERIFY(packed && packed->blocks.size() == 2 && packed->blocks[0].qkv);
        const int64_t before = core::packedProducts();
        auto matmul = core::runForward(**model, x);
        QVERIFY(matmul.ok());
        QCOMPARE(core::packedProducts() - before, int64_t{9});
        QVERIFY((eigen->logits - matmul->logits).cwiseAbs().maxCoeff() < 1e-5f);
        const auto& pe = eigen->attention.raw();
        const auto& pm = matmul->attention.raw();
        QCOMPARE(pe.size(), pm.size());
        float worst = 0;
        for (size_t i = 0; i < pe.size(); ++i) worst = std::max(worst, std::abs(pe[i] - pm[i]));
        QVERIFY2(worst < 1e-5f, qPrintable(QString::number(worst)));
        // On Eigen the packed weights are left alone.
        core::setGemmBackend(core::GemmBackend::Eigen);
        const int64_t onEigen = core::packedProducts();
        auto again = core::runForward(**model, x);
        QVERIFY(again.ok() && again->logits == eigen->logits);
        QCOMPARE(core::packedProducts(), onEigen);
        core::setGemmBackend(core::GemmBackend::OneDnn);
    }

    void inputSizeMustBeMultipleOfPatch() {
        auto model = core::loadModel(VITSCOPE_TEST_DATA "/models/hf_vit_cls");
        QVERIFY(model.ok());
        const int p = (*model)->config().patchSize;
        core::ImageTensor x{3, p * 2 + 1, p * 2, std::vector<float>(3 * (p * 2 + 1) * p * 2, 0.f)};
        auto r = core::runForward(**model, x);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("multiple of the patch size") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestModelGolden)
#include "tst_model_golden.moc"
