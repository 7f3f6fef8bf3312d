// Loader behaviour beyond the numbers: broken checkpoints fail with errors that name the file and
// the tensor, pickles are refused, and what was assumed is reported.
#include <QtTest>

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
};

QTEST_APPLESS_MAIN(TestModelLoader)
#include "tst_model_loader.moc"
