// Loader behaviour beyond the numbers: broken checkpoints fail with errors that name the file and
// the tensor, pickles are refused, and what was assumed is reported.
#include <QTemporaryDir>
#include <QtTest>

#include "core/model/config_io.h"
#include "core/model/vit_model.h"

using namespace vitscope;

class TestModelLoader : public QObject {
    Q_OBJECT
private slots:
    void badModels_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        const QString bad = QStringLiteral(VITSCOPE_TEST_DATA "/bad/models/");
        QTest::newRow("missing tensor") << bad + "missing_tensor" << "encoder.layer.1.attention.attention.key.weight";
        QTest::newRow("wrong shape") << bad + "wrong_shape" << "encoder.layer.0.attention.attention.query.weight";
        QTest::newRow("grid not square") << bad + "grid_not_square.safetensors" << "pos_embed";
        QTest::newRow("heads not dividing") << bad + "heads_not_dividing" << "not divisible by 5 heads";
        QTest::newRow("config not json") << bad + "config_not_json" << "config.json: not valid JSON";
        QTest::newRow("pickle .pth") << bad + "model.pth" << "convert_pth_to_safetensors";
        QTest::newRow("HF folder with only pytorch_model.bin") << bad + "pickle_hf" << "convert_pth_to_safetensors";
        QTest::newRow("npz without cls") << bad + "npz_missing.npz" << "'cls' is missing";
        QTest::newRow("no such path") << bad + "does-not-exist" << "no such file";
        QTest::newRow("unknown extension") << QStringLiteral(VITSCOPE_TEST_DATA "/models/README.md") << "unknown model format";
        const QString badIo = QStringLiteral(VITSCOPE_TEST_DATA "/bad/");
        QTest::newRow("empty safetensors") << badIo + "empty.safetensors" << "empty.safetensors";
        QTest::newRow("truncated safetensors") << badIo + "truncated.safetensors" << "truncated.safetensors";
        QTest::newRow("zip bomb") << badIo + "zip_bomb.npz" << "zip_bomb.npz";
    }

    void badModels() {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        auto r = core::loadModel(path.toStdString());
        QVERIFY(!r.ok());
        QVERIFY(r.error().code == core::ErrorCode::BadModel || r.error().code == core::ErrorCode::Io);
        QVERIFY2(QString::fromStdString(r.error().message).contains(expected, Qt::CaseInsensitive),
                 r.error().message.c_str());
    }

    void pickleMessagePointsToConverter() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/bad/models/model.pth");
        QVERIFY(!r.ok());
        const QString m = QString::fromStdString(r.error().message);
        QVERIFY(m.contains("model.pth"));
        QVERIFY(m.contains("arbitrary code"));
        QVERIFY(m.contains("tools/convert_pth_to_safetensors.py"));
    }

    void infoReportsWhatWasAssumed() {
        // A bare timm file: heads are not stored, so they are assumed and said so.
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/models/timm_avg_fcnorm/weights.safetensors");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const auto& info = (*r)->info();
        QVERIFY((*r)->config().headsGuessed);
        bool noted = false;
        for (const auto& n : info.notes) noted = noted || n.find("head width 64") != std::string::npos;
        QVERIFY(noted);
        QCOMPARE((*r)->config().pooling, core::Pooling::MeanPatches);
        QVERIFY((*r)->config().fcNorm);
    }

    void f32IsMappedInPlaceAndF16Converted() {
        auto f32 = core::loadModel(VITSCOPE_TEST_DATA "/models/hf_vit_cls");
        QVERIFY(f32.ok());
        QVERIFY((*f32)->info().mappedBytes > 0);
        QCOMPARE((*f32)->info().ownedBytes, size_t(0));
        QCOMPARE((*f32)->info().weightsDType, std::string("F32"));
        auto f16 = core::loadModel(VITSCOPE_TEST_DATA "/models/hf_vit_f16");
        QVERIFY(f16.ok());
        QVERIFY((*f16)->info().ownedBytes > 0);
        QVERIFY((*f16)->info().weightsDType.find("F16") != std::string::npos);
    }

    void hfConfigIsRead() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/models/hf_vit_nohead");
        QVERIFY(r.ok());
        const auto& c = (*r)->config();
        QCOMPARE(c.activation, core::Activation::GeluTanh);
        QVERIFY(!c.qkvBias);
        QVERIFY(!c.hasHead());
        QCOMPARE(c.layerNormEps, 1e-12f);
        QVERIFY((*r)->info().labelsSource.find("no classification head") != std::string::npos);
    }

    void dinov2RegistersLayout() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/models/hf_dinov2_reg_cls");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const auto& c = (*r)->config();
        QCOMPARE(c.numRegisters, 4);
        QCOMPARE(c.posLayout, core::PosLayout::ClassOnly);
        QCOMPARE(c.pooling, core::Pooling::ClassAndMeanPatches);
        QVERIFY(c.layerScale);
        QCOMPARE(c.defaultPosInterp, core::PosInterp::BicubicAntialias);
        const auto t = (*r)->tokenLayout(3, 4);
        QCOMPARE(t.clsIndex, 0);
        QCOMPARE(t.firstRegister, 1);
        QCOMPARE(t.numPrefix, 5);
        QCOMPARE(t.patchToken(0, 0), 5);
    }

    void timmLayoutsTelledApartByPositionRows() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/models/timm_reg_noembedclass/weights.safetensors");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE((*r)->config().posLayout, core::PosLayout::PatchesOnly);
        auto d = core::loadModel(VITSCOPE_TEST_DATA "/models/timm_distilled");
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
        QCOMPARE((*d)->config().posLayout, core::PosLayout::EveryPrefix);
        QVERIFY((*d)->config().distHead);
    }

    void googleNpzReadsHeadsFromKernel() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/models/google_npz");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QVERIFY(!(*r)->config().headsGuessed);
        QVERIFY((*r)->config().preLogits);
        QCOMPARE((*r)->info().naming, std::string("google"));
    }

    void timmCropPctResizeSize_data() {
        // Expected sizes are Python's math.floor(size / crop_pct) with crop_pct a Python float
        // (double), as timm's transforms_factory computes them. A float32 crop_pct 0.8 is
        // 0.800000012, which makes every 0.8 row one pixel short (279 instead of 280).
        QTest::addColumn<QString>("cropPct");  // as written in config.json
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("shortestEdge");  // floor(min(h, w) / crop_pct)
        QTest::addColumn<int>("doubledEdge");   // floor(2 * min(h, w) / crop_pct), withOutputSize
        QTest::newRow("0.8 at 224") << "0.8" << 224 << 224 << 280 << 560;
        QTest::newRow("0.8 at 112") << "0.8" << 112 << 112 << 140 << 280;
        QTest::newRow("0.8 at 384") << "0.8" << 384 << 384 << 480 << 960;
        QTest::newRow("0.8 at 240x320") << "0.8" << 240 << 320 << 300 << 600;
        QTest::newRow("0.85 at 204") << "0.85" << 204 << 204 << 240 << 480;
        QTest::newRow("0.875 at 224") << "0.875" << 224 << 224 << 256 << 512;
        QTest::newRow("0.9 at 224") << "0.9" << 224 << 224 << 248 << 497;
        QTest::newRow("0.9 at 384") << "0.9" << 384 << 384 << 426 << 853;
        QTest::newRow("0.95 at 224") << "0.95" << 224 << 224 << 235 << 471;
        QTest::newRow("1.0 at 224") << "1.0" << 224 << 224 << 224 << 448;
    }

    void timmCropPctResizeSize() {
        QFETCH(QString, cropPct);
        QFETCH(int, h);
        QFETCH(int, w);
        QFETCH(int, shortestEdge);
        QFETCH(int, doubledEdge);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath("config.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("{\"architecture\": \"vit_tiny_patch16_224\", \"pretrained_cfg\": "
                               "{\"input_size\": [3, %1, %2], \"crop_pct\": %3}}")
                    .arg(h)
                    .arg(w)
                    .arg(cropPct)
                    .toUtf8());
        f.close();
        const auto hints = core::detail::readConfigFile(path.toStdString());
        QVERIFY2(hints.ok(), hints.ok() ? "" : hints.error().message.c_str());
        QVERIFY(hints->recipe.has_value());
        const core::PreprocessRecipe& r = *hints->recipe;
        QCOMPARE(r.shortestEdge, shortestEdge);
        QCOMPARE(r.cropH, h);
        QCOMPARE(r.cropW, w);
        // The recipe carries crop_pct itself (as a double) for other input sizes.
        QCOMPARE(r.withOutputSize(2 * h, 2 * w).shortestEdge, doubledEdge);
        QCOMPARE(r.cropPct, cropPct.toDouble());
    }
};

QTEST_APPLESS_MAIN(TestModelLoader)
#include "tst_model_loader.moc"
