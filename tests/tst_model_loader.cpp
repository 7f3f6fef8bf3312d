// Loader behaviour beyond the numbers: broken checkpoints fail with errors that name the file and
// the tensor, pickles are refused, and what was assumed is reported.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "core/model/config_io.h"
#include "core/model/vit_model.h"

using namespace vitscope;

const QString kBundled = QStringLiteral(VITSCOPE_RESOURCES "/models/fashion-mnist-vit");

namespace {

/// Copies the files of `from` (a fixture folder) into `to`.
bool copyFolder(const QString& from, const QString& to) {
    for (const QString& name : QDir(from).entryList(QDir::Files)) {
        if (!QFile::copy(from + "/" + name, to + "/" + name))
            return false;
    }
    return true;
}

/// Rewrites `file` (a JSON object) with `key` set to the raw JSON text `value` ("0", "1e39",
/// "\"x\""); a dotted key ("pretrained_cfg.crop_pct") sets a member of a member. The text is
/// spliced in raw so values JSON libraries would not write (overflowing numbers) can be tested.
bool setJsonField(const QString& file, const QString& key, const QString& value) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    f.close();
    const QStringList path = key.split('.');
    const QString marker = QStringLiteral("\"@@value@@\"");
    if (path.size() == 1) {
        root[key] = QStringLiteral("@@value@@");
    } else {
        QJsonObject inner = root[path[0]].toObject();
        inner[path[1]] = QStringLiteral("@@value@@");
        root[path[0]] = inner;
    }
    QString text = QString::fromUtf8(QJsonDocument(root).toJson());
    text.replace(marker, value);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(text.toUtf8()) > 0;
}

const QString kPreprocessor = QStringLiteral(
    "{\"do_resize\": true, \"size\": {\"height\": 32, \"width\": 32}, \"resample\": 2, "
    "\"do_rescale\": true, \"rescale_factor\": 0.00392156862745098, \"do_normalize\": true, "
    "\"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.5, 0.5, 0.5]}");

/// Rows of TestModelLoader::configValuesNameTheirFileAndField: fixture, patched file, key, raw
/// JSON value, expected message.
void hfConfigRows() {
    const QString hf = "models/hf_vit_cls", noPos = "bad/no_pos_embed", cfg = "config.json";
    auto row = [](const char* name) -> QTestData& { return QTest::newRow(name); };
    row("hidden_size 0") << hf << cfg << "hidden_size"
                         << "0"
                         << "config.json: hidden_size 0 must be an integer from 1 to 65536";
    row("hidden_size mismatch") << hf << cfg << "hidden_size"
                                << "64"
                                << "config.json: hidden_size 64 does not match the weights";
    row("hidden_size string") << hf << cfg << "hidden_size"
                              << "\"32\""
                              << "config.json: hidden_size \"32\" must be an integer";
    row("hidden_size 2^64") << hf << cfg << "hidden_size"
                            << "18446744073709551615"
                            << "config.json: hidden_size 18446744073709551615 must be";
    row("heads 0") << hf << cfg << "num_attention_heads"
                   << "0"
                   << "config.json: num_attention_heads 0 must be an integer from 1";
    row("heads not dividing") << hf << cfg << "num_attention_heads"
                              << "5"
                              << "config.json: num_attention_heads 5 does not divide the "
                                 "embedding width 32";
    row("patch_size 0 without positions") << noPos << cfg << "patch_size"
                                          << "0"
                                          << "config.json: patch_size 0 must be an integer "
                                             "from 1 to 1024";
    row("patch_size mismatch") << noPos << cfg << "patch_size"
                               << "4"
                               << "config.json: patch_size 4 does not match the weights";
    row("image_size 65536 without positions")
        << noPos << cfg << "image_size"
        << "65536"
        << "config.json: image_size 65536 must be an integer or [height, width], each from "
           "1 to 8192";
    row("image_size too many patches") << noPos << cfg << "image_size"
                                       << "8192"
                                       << "config.json: image_size 8192x8192 gives 1024x1024 "
                                          "patches, more than 65536";
    row("image_size not a multiple") << noPos << cfg << "image_size"
                                     << "[36, 32]"
                                     << "config.json: image_size 36x32 is not a multiple of "
                                        "the patch size 8";
}

void hfLayerRows() {
    const QString hf = "models/hf_vit_cls", cfg = "config.json";
    auto row = [](const char* name) -> QTestData& { return QTest::newRow(name); };
    row("layers 0") << hf << cfg << "num_hidden_layers"
                    << "0"
                    << "config.json: num_hidden_layers 0 must be an integer from 1 to 1000";
    row("layers mismatch") << hf << cfg << "num_hidden_layers"
                           << "3"
                           << "config.json: num_hidden_layers 3 does not match";
    row("intermediate 0") << hf << cfg << "intermediate_size"
                          << "0"
                          << "config.json: intermediate_size 0 must be an integer from 1";
    row("intermediate mismatch") << hf << cfg << "intermediate_size"
                                 << "64"
                                 << "config.json: intermediate_size 64 does not match the "
                                    "weights: tensor 'vit.encoder.layer.0.intermediate.dense"
                                    ".weight'";
    row("channels 9") << hf << cfg << "num_channels"
                      << "9"
                      << "config.json: num_channels 9 must be an integer from 1 to 4";
    row("channels mismatch") << hf << cfg << "num_channels"
                             << "1"
                             << "config.json: num_channels 1 does not match the weights";
    row("eps 0") << hf << cfg << "layer_norm_eps"
                 << "0"
                 << "config.json: layer_norm_eps 0 must be a number greater than 0 and at "
                    "most 1";
    row("eps overflow") << hf << cfg << "layer_norm_eps"
                        << "1e39"
                        << "config.json: layer_norm_eps 1e+39 must be a finite number";
    row("mlp_ratio negative") << hf << cfg << "mlp_ratio"
                              << "-4"
                              << "config.json: mlp_ratio -4 must be a number greater than 0";
    row("hidden_act unknown") << hf << cfg << "hidden_act"
                              << "\"swish\""
                              << "config.json: hidden_act 'swish' is not supported";
    row("hidden_act number") << hf << cfg << "hidden_act"
                             << "3"
                             << "config.json: hidden_act 3 must be an activation name";
    row("qkv_bias string") << hf << cfg << "qkv_bias"
                           << "\"yes\""
                           << "config.json: qkv_bias \"yes\" must be true or false";
    row("qkv_bias false with biases") << hf << cfg << "qkv_bias"
                                      << "false"
                                      << "config.json: qkv_bias false does not match the "
                                         "weights: model.safetensors has tensor "
                                         "'vit.encoder.layer.0.attention.attention.query.bias'";
    row("registers negative") << hf << cfg << "num_register_tokens"
                              << "-1"
                              << "config.json: num_register_tokens -1 must be an integer";
    row("num_labels 0") << hf << cfg << "num_labels"
                        << "0"
                        << "config.json: num_labels 0 must be an integer from 1 to 131072";
    row("id2label list") << hf << cfg << "id2label"
                         << "[]"
                         << "config.json: id2label [] must be a map";
    row("id2label huge index") << hf << cfg << "id2label"
                               << "{\"9999999\": \"x\"}"
                               << "config.json: id2label key '9999999' must be a class index";
    row("id2label name") << hf << cfg << "id2label"
                         << "{\"0\": 5}"
                         << "config.json: id2label[\"0\"] 5 must be a class name";
    row("swiglu string") << hf << cfg << "use_swiglu_ffn"
                         << "1"
                         << "config.json: use_swiglu_ffn 1 must be true or false";
}

/// Rows of TestModelLoader::configValuesNameTheirFileAndField: fixture, patched file, key, raw
/// JSON value, expected message.
void timmAndPreprocessorRows() {
    const QString hf = "models/hf_vit_cls", timm = "models/timm_cls_cfg", cfg = "config.json";
    const QString pre = "preprocessor_config.json";
    auto row = [](const char* name) -> QTestData& { return QTest::newRow(name); };
    row("timm num_classes mismatch") << timm << cfg << "num_classes"
                                     << "9"
                                     << "config.json: num_classes 9 does not match the "
                                        "weights: tensor 'head.weight'";
    row("timm heads 0") << timm << cfg << "model_args.num_heads"
                        << "0"
                        << "config.json: num_heads 0 must be an integer from 1";
    row("timm input_size") << timm << cfg << "pretrained_cfg.input_size"
                           << "[1, 0, 24]"
                           << "config.json: pretrained_cfg.input_size [1,0,24] must be";
    row("timm input_size huge") << timm << cfg << "pretrained_cfg.input_size"
                                << "[1, 65536, 65536]"
                                << "config.json: pretrained_cfg.input_size [1,65536,65536] "
                                   "must be";
    row("timm crop_pct") << timm << cfg << "pretrained_cfg.crop_pct"
                         << "0"
                         << "config.json: pretrained_cfg.crop_pct 0 must be greater than 0.05";
    row("timm std 0") << timm << cfg << "pretrained_cfg.std"
                      << "[0]"
                      << "config.json: pretrained_cfg.std value 0 must be greater than 0";
    row("timm mean overflow") << timm << cfg << "pretrained_cfg.mean"
                              << "[1e39]"
                              << "config.json: pretrained_cfg.mean [1e+39] must be 1 to 3 "
                                 "finite numbers";
    row("image_std 0") << hf << pre << "image_std"
                       << "[0.5, 0, 0.5]"
                       << "preprocessor_config.json: image_std value 0 must be greater than 0";
    row("image_std denormal") << hf << pre << "image_std"
                              << "1e-40"
                              << "preprocessor_config.json: image_std 1e-40 must be normal "
                                 "numbers";
    row("image_mean overflow") << hf << pre << "image_mean"
                               << "[0.5, 1e300, 0.5]"
                               << "preprocessor_config.json: image_mean [0.5,1e+300,0.5] "
                                  "must be 1 to 3 finite numbers";
    row("size 0") << hf << pre << "size"
                  << "0"
                  << "preprocessor_config.json: size 0 must be an integer";
    row("size huge") << hf << pre << "size"
                     << "{\"height\": 100000, \"width\": 32}"
                     << "preprocessor_config.json: size {\"height\":100000,\"width\":32} must be";
    row("rescale_factor 0") << hf << pre << "rescale_factor"
                            << "0"
                            << "preprocessor_config.json: rescale_factor 0 must be a number "
                               "greater than 0";
}

}  // namespace

class TestModelLoader : public QObject {
    Q_OBJECT
private slots:
    void badModels_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        const QString bad = QStringLiteral(VITSCOPE_TEST_DATA "/bad/models/");
        QTest::newRow("missing tensor") << bad + "missing_tensor"
                                        << "encoder.layer.1.attention.attention.key.weight";
        QTest::newRow("wrong shape") << bad + "wrong_shape"
                                     << "encoder.layer.0.attention.attention.query.weight";
        QTest::newRow("grid not square") << bad + "grid_not_square.safetensors"
                                         << "pos_embed";
        QTest::newRow("heads not dividing") << bad + "heads_not_dividing"
                                            << "num_attention_heads 5 does not divide";
        QTest::newRow("config not json") << bad + "config_not_json"
                                         << "config.json: not valid JSON";
        QTest::newRow("pickle .pth") << bad + "model.pth"
                                     << "convert_pth_to_safetensors";
        QTest::newRow("HF folder with only pytorch_model.bin") << bad + "pickle_hf"
                                                               << "convert_pth_to_safetensors";
        QTest::newRow("npz without cls") << bad + "npz_missing.npz"
                                         << "'cls' is missing";
        QTest::newRow("no such path") << bad + "does-not-exist"
                                      << "no such file";
        QTest::newRow("unknown extension")
            << QStringLiteral(VITSCOPE_TEST_DATA "/models/README.md") << "unknown model format";
        const QString badIo = QStringLiteral(VITSCOPE_TEST_DATA "/bad/");
        QTest::newRow("empty safetensors") << badIo + "empty.safetensors"
                                           << "empty.safetensors";
        QTest::newRow("truncated safetensors") << badIo + "truncated.safetensors"
                                               << "truncated.safetensors";
        QTest::newRow("zip bomb") << badIo + "zip_bomb.npz"
                                  << "zip_bomb.npz";
    }

    void badModels() {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        auto r = core::loadModel(path.toStdString());
        QVERIFY(!r.ok());
        QVERIFY(r.error().code == core::ErrorCode::BadModel ||
                r.error().code == core::ErrorCode::Io);
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
        const core::InferredSetting* heads =
            info.findInferred(core::InferredSetting::Kind::NumHeads);
        QVERIFY(heads != nullptr);
        QVERIFY2(heads->why.find("head width 64") != std::string::npos, heads->why.c_str());
        QCOMPARE((*r)->config().pooling, core::Pooling::MeanPatches);
        QVERIFY((*r)->config().fcNorm);
    }

    void bundledWeightsAloneAreMarkedInferred() {
        // model.safetensors without config.json or preprocessor_config.json: every guess is listed.
        QTemporaryDir dir;
        QVERIFY(QFile::copy(kBundled + "/model.safetensors", dir.filePath("model.safetensors")));
        auto r = core::loadModel(dir.path().toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const core::ModelInfo& info = (*r)->info();
        using Kind = core::InferredSetting::Kind;
        const auto* heads = info.findInferred(Kind::NumHeads);
        QVERIFY(heads != nullptr);
        QCOMPARE(heads->value, std::string("1"));
        QVERIFY2(heads->why.find("no config.json") != std::string::npos, heads->why.c_str());
        QVERIFY(heads->why.find("head width 64") != std::string::npos);
        const auto* norm = info.findInferred(Kind::Normalization);
        QVERIFY(norm != nullptr);
        QCOMPARE(norm->value, std::string("mean/std 0.5"));
        QVERIFY(norm->why.find("preprocessor_config.json") != std::string::npos);
        QVERIFY(info.findInferred(Kind::Resize) != nullptr);
        const auto* labels = info.findInferred(Kind::Labels);
        QVERIFY(labels != nullptr);
        QCOMPARE(labels->value, std::string("'class N'"));
        QCOMPARE((*r)->label(0), std::string("class 0"));
        // Read normally, nothing is a guess.
        auto normal = core::loadModel(kBundled.toStdString());
        QVERIFY(normal.ok());
        QVERIFY((*normal)->info().inferred.empty());
        QVERIFY((*normal)->info().ignoredTensors.empty());
    }

    void overridesReproduceTheConfig() {
        // 4 heads and the bundled mean/std given by the user: the same logits as with the config.
        QFile pre(kBundled + "/preprocessor_config.json");
        QVERIFY(pre.open(QIODevice::ReadOnly));
        const QJsonObject pj = QJsonDocument::fromJson(pre.readAll()).object();
        const float mean = static_cast<float>(pj["image_mean"].toArray()[0].toDouble());
        const float stdv = static_cast<float>(pj["image_std"].toArray()[0].toDouble());
        QTemporaryDir dir;
        QVERIFY(QFile::copy(kBundled + "/model.safetensors", dir.filePath("model.safetensors")));
        core::LoadOptions options;
        options.numHeads = 4;
        options.mean = std::array<float, 3>{mean, mean, mean};
        options.std = std::array<float, 3>{stdv, stdv, stdv};
        options.recipe = core::RecipeStyle::HfExact;
        auto guessed = core::loadModel(dir.path().toStdString(), options);
        QVERIFY2(guessed.ok(), guessed.ok() ? "" : guessed.error().message.c_str());
        using Kind = core::InferredSetting::Kind;
        const core::ModelInfo& info = (*guessed)->info();
        QVERIFY(info.findInferred(Kind::NumHeads) == nullptr);
        QVERIFY(info.findInferred(Kind::Normalization) == nullptr);
        QVERIFY(info.findInferred(Kind::Resize) == nullptr);
        QVERIFY(info.findInferred(Kind::Labels) != nullptr);  // no override for names
        auto normal = core::loadModel(kBundled.toStdString());
        QVERIFY(normal.ok());
        QCOMPARE((*guessed)->config().numHeads, (*normal)->config().numHeads);

        core::Image8 image{28, 28, 1, {}};
        for (int i = 0; i < 28 * 28; ++i)
            image.pixels.push_back(static_cast<uint8_t>((i * 37 + i / 28 * 11) % 256));
        auto a = core::preprocess(image, (*guessed)->recipe());
        auto b = core::preprocess(image, (*normal)->recipe());
        QVERIFY(a.ok() && b.ok());
        auto ra = core::runForward(**guessed, a->input);
        auto rb = core::runForward(**normal, b->input);
        QVERIFY(ra.ok() && rb.ok());
        QCOMPARE(ra->logits.size(), rb->logits.size());
        for (int c = 0; c < static_cast<int>(rb->logits.size()); ++c)
            QCOMPARE(ra->logits[c], rb->logits[c]);
    }

    void badOverridesAreUsageErrors_data() {
        QTest::addColumn<int>("heads");
        QTest::addColumn<float>("mean");
        QTest::addColumn<float>("stdv");
        QTest::addColumn<QString>("expected");
        const float inf = std::numeric_limits<float>::infinity();
        QTest::newRow("heads not dividing")
            << 5 << 0.5f << 0.5f << "does not divide the embedding width 64";
        QTest::newRow("negative heads") << -2 << 0.5f << 0.5f << "head count must be positive";
        QTest::newRow("std zero") << 0 << 0.5f << 0.0f << "std must be";
        QTest::newRow("std infinite") << 0 << 0.5f << inf << "std must be";
        QTest::newRow("mean nan") << 0 << std::nanf("") << 0.5f << "mean must be finite";
    }

    void badOverridesAreUsageErrors() {
        QFETCH(int, heads);
        QFETCH(float, mean);
        QFETCH(float, stdv);
        QFETCH(QString, expected);
        core::LoadOptions options;
        options.numHeads = heads;
        options.mean = std::array<float, 3>{mean, mean, mean};
        options.std = std::array<float, 3>{stdv, stdv, stdv};
        auto r = core::loadModel(kBundled.toStdString(), options);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, core::ErrorCode::Usage);
        QVERIFY2(QString::fromStdString(r.error().message).contains(expected),
                 r.error().message.c_str());
    }

    void unknownTensorsAreRefused() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/bad/unknown_tensor");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, core::ErrorCode::BadModel);
        const QString m = QString::fromStdString(r.error().message);
        QVERIFY2(
            m.startsWith("model.safetensors: this checkpoint has tensors vitscope does not use: "),
            qPrintable(m));
        QVERIFY2(m.contains("vit.encoder.layer.0.attention.attention.q_norm.weight"),
                 qPrintable(m));
        QVERIFY2(m.contains("(and 3 more)"), qPrintable(m));
        QVERIFY(m.contains("an architecture vitscope does not support"));
    }

    void allowListedExtrasAreIgnoredAndListed_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QStringList>("ignored");
        QTest::newRow("HF ViTModel pooler")
            << "hf_vit_nohead" << QStringList{"pooler.dense.bias", "pooler.dense.weight"};
        QTest::newRow("DINOv2 mask token") << "hf_dinov2" << QStringList{"embeddings.mask_token"};
        QTest::newRow("HF ViT without extras") << "hf_vit_cls" << QStringList{};
        QTest::newRow("timm") << "timm_distilled" << QStringList{};
        QTest::newRow("Google") << "google_npz_bigvision" << QStringList{};
    }

    void allowListedExtrasAreIgnoredAndListed() {
        QFETCH(QString, path);
        QFETCH(QStringList, ignored);
        auto r =
            core::loadModel((QStringLiteral(VITSCOPE_TEST_DATA "/models/") + path).toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QStringList have;
        for (const auto& n : (*r)->info().ignoredTensors) have << QString::fromStdString(n);
        QCOMPARE(have, ignored);
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
        auto r =
            core::loadModel(VITSCOPE_TEST_DATA "/models/timm_reg_noembedclass/weights.safetensors");
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

    // Every value config.json or preprocessor_config.json states that the loader refuses is
    // blamed on that file and named by its key, with the value and what was expected; sizes are
    // bounded before anything is allocated from them.
    void configValuesNameTheirFileAndField_data() {
        QTest::addColumn<QString>("fixture");  // under tests/data
        QTest::addColumn<QString>("file");     // the file patched
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");  // raw JSON
        QTest::addColumn<QString>("expected");
        hfConfigRows();
        hfLayerRows();
        timmAndPreprocessorRows();
    }
    void configValuesNameTheirFileAndField() {
        QFETCH(QString, fixture);
        QFETCH(QString, file);
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(copyFolder(QStringLiteral(VITSCOPE_TEST_DATA "/") + fixture, dir.path()));
        if (file == "preprocessor_config.json") {
            QFile f(dir.filePath(file));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kPreprocessor.toUtf8());
        }
        QVERIFY(setJsonField(dir.filePath(file), key, value));
        auto r = core::loadModel(dir.path().toStdString());
        QVERIFY2(!r.ok(), qPrintable(key + " " + value + " was accepted"));
        QCOMPARE(r.error().code, core::ErrorCode::BadModel);
        QVERIFY2(QString::fromStdString(r.error().message).contains(expected),
                 r.error().message.c_str());
    }

    // The fixture without a position table loads as it is (the cases above patch only it).
    void noPositionTableLoads() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/bad/no_pos_embed");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE((*r)->config().posLayout, core::PosLayout::None);
    }

    // NaN or Inf in any weight is refused at load, naming the tensor, the count and the first.
    void nonFiniteWeightsAreRefused() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/bad/nonfinite_weight");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, core::ErrorCode::BadModel);
        QCOMPARE(QString::fromStdString(r.error().message),
                 QString("model.safetensors: tensor vit.encoder.layer.1.output.dense.weight has 3 "
                         "non-finite values (first at index 40)"));
    }

    // A Google .npz whose blocks disagree on the head count is refused, naming the block.
    void googleNpzHeadsMustAgree() {
        auto r = core::loadModel(VITSCOPE_TEST_DATA "/bad/npz_heads_disagree.npz");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, core::ErrorCode::BadModel);
        const QString m = QString::fromStdString(r.error().message);
        QVERIFY2(m.startsWith("npz_heads_disagree.npz: block Transformer/encoderblock_1 has 4 "
                              "heads") &&
                     m.contains("block 0 has 2"),
                 qPrintable(m));
    }
};

QTEST_APPLESS_MAIN(TestModelLoader)
#include "tst_model_loader.moc"
