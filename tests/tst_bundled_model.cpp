// The shipped Fashion-MNIST ViT (resources/models/fashion-mnist-vit, trained by
// tools/train_fashion_mnist.py) against the logits and last-layer attention PyTorch computed for
// the first test images at training time. Tolerances: logits 1e-4, attention 1e-5 (absolute).
#include <QtTest>

#include "core/model/vit_model.h"
#include "test_util.h"

using namespace vitscope;

namespace {
constexpr float kLogitTol = 1e-4f;
constexpr float kAttentionTol = 1e-5f;
const std::string kRef = VITSCOPE_TEST_DATA "/fashion_mnist_ref/";
}  // namespace

class TestBundledModel : public QObject {
    Q_OBJECT
private slots:
    void matchesPyTorch() {
        auto model = core::loadModel(VITSCOPE_RESOURCES "/models/fashion-mnist-vit");
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        const core::VitModel& m = **model;
        QCOMPARE(m.config().channels, 1);
        QVERIFY(m.config().gridH() >= 7 && m.config().gridW() >= 7);
        QVERIFY(m.config().depth >= 4 && m.config().numHeads >= 2);
        QCOMPARE(m.label(9), std::string("Ankle boot"));

        auto images = test::readNpyFloat(kRef + "images.npy");        // uint8 (n, 28, 28)
        auto logits = test::readNpyFloat(kRef + "logits.npy");        // (n, 10)
        auto attn = test::readNpyFloat(kRef + "attention_last.npy");  // (n, heads, N, N)
        QVERIFY(images.ok && logits.ok && attn.ok);
        const int n = static_cast<int>(images.shape[0]);
        const int h = static_cast<int>(images.shape[1]), w = static_cast<int>(images.shape[2]);
        QVERIFY(n >= 4);
        for (int i = 0; i < n; ++i) {
            core::Image8 img{w, h, 1, {}};
            for (int k = 0; k < h * w; ++k)
                img.pixels.push_back(static_cast<uint8_t>(images.values[i * h * w + k]));
            auto pre = core::preprocess(img, m.recipe());
            QVERIFY(pre.ok());
            auto r = core::runForward(m, pre->input);
            QVERIFY(r.ok());
            float dl = 0;
            for (int c = 0; c < 10; ++c)
                dl = std::max(dl, std::abs(r->logits[c] - logits.values[i * 10 + c]));
            QVERIFY2(dl <= kLogitTol,
                     qPrintable(QString("image %1: logits differ by %2").arg(i).arg(dl)));
            const auto& last = r->attention;
            const int heads = last.heads(), tokens = last.tokens();
            QCOMPARE(int64_t(heads), attn.shape[1]);
            QCOMPARE(int64_t(tokens), attn.shape[2]);
            float da = 0;
            for (int hd = 0; hd < heads; ++hd) {
                const auto a = last.at(last.layers() - 1, hd);
                const float* ref = &attn.values[((size_t(i) * heads + hd) * tokens) * tokens];
                for (int q = 0; q < tokens; ++q)
                    for (int k = 0; k < tokens; ++k)
                        da = std::max(da, std::abs(a(q, k) - ref[q * tokens + k]));
            }
            QVERIFY2(da <= kAttentionTol,
                     qPrintable(QString("image %1: attention differs by %2").arg(i).arg(da)));
        }
    }
};

QTEST_APPLESS_MAIN(TestBundledModel)
#include "tst_bundled_model.moc"
