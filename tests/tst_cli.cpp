// vitscope-cli as a black box: the exit codes and files that scripts rely on.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "test_util.h"

using namespace vitscope;

namespace {
constexpr float kLogitTol = 1e-4f;
constexpr float kAttentionTol = 1e-5f;

struct Run {
    int code = -1;
    QString out, err;
};

/// The CLI through /bin/sh, for arguments QProcess cannot pass (bytes that are not UTF-8):
/// `script` sees the CLI as $0 and `args` as $1, $2, ...
Run shell(const QString& script, const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral("/bin/sh"),
            QStringList{"-c", script, QStringLiteral(VITSCOPE_CLI)} + args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

Run cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(VITSCOPE_CLI), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

const QString kData = QStringLiteral(VITSCOPE_TEST_DATA);
const QString kModel = kData + "/models/hf_vit_cls";

#ifdef VITSCOPE_CLI_HAS_EXPORT
/// The export rows of TestCli::everyOptionIsCheckedWithItsExitCode: args, exit code, message.
void exportOptionRows() {
    const QString image = kData + "/images/rgba.png";
    auto row = [](const QString& name) -> QTestData& { return QTest::newRow(qPrintable(name)); };
    const QStringList exp{"export", "--model",       kModel,     "--image",  image,
                          "--out",  "/tmp/h3-x.png", "--figure", "attention"};
    row("figure") << QStringList{"export", "--model",       kModel,     "--image", image,
                                 "--out",  "/tmp/h3-x.png", "--figure", "x"}
                  << 1 << "unknown figure 'x'";
    row("out extension") << QStringList{"export", "--model",       kModel,     "--image",  image,
                                        "--out",  "/tmp/h3-x.txt", "--figure", "attention"}
                         << 1 << "expected .png";
    row("layer 0") << (exp + QStringList{"--layer", "0"}) << 1 << "--layer";
    row("layer 99") << (exp + QStringList{"--layer", "99"}) << 1 << "layer 99";
    row("head x") << (exp + QStringList{"--head", "x"}) << 1 << "--head";
    row("source") << (exp + QStringList{"--source", "0,1"}) << 1 << "--source";
    row("reverse value") << (exp + QStringList{"--reverse=1"}) << 1 << "--reverse";
    row("discard 2") << (exp + QStringList{"--discard", "2"}) << 1 << "--discard";
    row("prefix") << (exp + QStringList{"--prefix", "x"}) << 1 << "--prefix";
    row("grid 300x300") << (exp + QStringList{"--grid", "300x300"}) << 1 << "--grid";
    row("grid 0x0") << (exp + QStringList{"--grid", "0x0"}) << 1 << "--grid";
    row("seed -1") << (exp + QStringList{"--seed", "-1"}) << 1 << "--seed";
    row("shift") << (exp + QStringList{"--shift", "1"}) << 1 << "--shift";
    row("resolution huge") << (exp + QStringList{"--resolution", "100000x100000"}) << 1
                           << "--resolution";
    row("resolution pixels") << (exp + QStringList{"--resolution", "16384x16384"}) << 1
                             << "--resolution";
    row("images missing") << QStringList{"export",        "--model",       kModel,
                                         "--images",      kData + "/nope", "--out",
                                         "/tmp/h3-x.png", "--figure",      "attention-distance"}
                          << 2 << "nope";
    row("max-images 0") << (exp + QStringList{"--max-images", "0"}) << 1 << "--max-images";
    row("scale nan") << (exp + QStringList{"--scale", "nan"}) << 1 << "--scale";
    row("colormap") << (exp + QStringList{"--colormap", "x"}) << 1 << "--colormap";
    row("export size 0x0") << (exp + QStringList{"--size", "0x0"}) << 1 << "--size";
    row("export size -28x28") << (exp + QStringList{"--size", "-28x28"}) << 1 << "--size";
    row("on") << (exp + QStringList{"--on", "photo"}) << 1 << "--on";
    row("upsample") << (exp + QStringList{"--upsample", "bilinear"}) << 1 << "--upsample";
    row("display") << (exp + QStringList{"--display", "heat"}) << 1 << "--display";
    const QStringList mask = exp + QStringList{"--display", "mask", "--mask-mass"};
    row("mask-mass 0") << (mask + QStringList{"0"}) << 1 << "--mask-mass";
    row("mask-mass 101") << (mask + QStringList{"101"}) << 1 << "--mask-mass";
    row("mask-mass x") << (mask + QStringList{"60%"}) << 1 << "--mask-mass";
    row("mask-mass without mask") << (exp + QStringList{"--mask-mass", "50"}) << 1
                                  << "--display mask";
}

/// Width and height from a PNG's IHDR; (0, 0) when the file is not a PNG.
QSize pngSize(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray head = file.read(24);
    if (head.size() < 24 || !head.startsWith("\x89PNG")) {
        return {};
    }
    auto be32 = [&head](int at) {
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            v = (v << 8) | static_cast<unsigned char>(head[at + i]);
        }
        return v;
    };
    return {be32(16), be32(20)};
}
#endif
}  // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void exitCodes_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << 1 << "usage";
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << 1 << "unknown command";
        QTest::newRow("unknown option")
            << QStringList{"info", "--model", kModel, "--bogus"} << 1 << "unknown option --bogus";
        QTest::newRow("bad size")
            << QStringList{"predict", "--model", kModel, "--image", kData + "/images/rgba.png",
                           "--size",  "7y7"}
            << 1 << "--size";
        QTest::newRow("truncated image") << QStringList{"predict", "--model", kModel, "--image",
                                                        kData + "/bad/images/truncated.png"}
                                         << 2 << "truncated.png";
        QTest::newRow("huge image") << QStringList{"predict", "--model", kModel, "--image",
                                                   kData + "/bad/images/huge_claim.png"}
                                    << 2 << "100000x100000";
        QTest::newRow("missing image")
            << QStringList{"predict", "--model", kModel, "--image", kData + "/nope.png"} << 2
            << "nope.png";
        QTest::newRow("pickle model")
            << QStringList{"info", "--model", kData + "/bad/models/model.pth"} << 3
            << "convert_pth_to_safetensors";
        QTest::newRow("wrong shape")
            << QStringList{"info", "--model", kData + "/bad/models/wrong_shape"} << 3
            << "encoder.layer.0.attention.attention.query.weight";
        QTest::newRow("missing model")
            << QStringList{"info", "--model", kData + "/nope"} << 3 << "no such file";
        QTest::newRow("size not multiple of patch")
            << QStringList{"predict", "--model", kModel, "--image", kData + "/images/rgba.png",
                           "--size",  "33x32"}
            << 1 << "multiple of the patch size";
    }
    void exitCodes() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = cli(args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void infoJson() {
        const Run r = cli({"info", "--model", kData + "/models/hf_deit_distilled", "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["prefix_tokens"].toInt(), 2);
        QCOMPARE(j["format"].toString().left(12), QString("Hugging Face"));
    }

    // dump --input-npy feeds the tensor as is: the outputs equal the PyTorch reference.
    void dumpMatchesReference() {
        QTemporaryDir out;
        const Run r = cli(
            {"dump", "--model", kModel, "--input-npy", kModel + "/input.npy", "--out", out.path()});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        for (auto [name, tol] :
             {std::pair{"logits.npy", kLogitTol}, std::pair{"attention.npy", kAttentionTol}}) {
            auto got = test::readNpyFloat((out.path() + "/" + name).toStdString());
            auto want = test::readNpyFloat((kModel + "/" + name).toStdString());
            QVERIFY(got.ok && want.ok);
            QCOMPARE(got.shape, want.shape);
            float d = 0;
            for (size_t i = 0; i < got.values.size(); ++i)
                d = std::max(d, std::abs(got.values[i] - want.values[i]));
            QVERIFY2(d <= tol, name);
        }
        const QJsonObject meta = test::readJson(out.path() + "/meta.json");
        QCOMPARE(meta["tokens"].toInt(), 17);
        QCOMPARE(meta["prefix_tokens"].toInt(), 1);
    }

    // dump --image at another size: shapes follow the new grid.
    void dumpImageAtOtherSize() {
        QTemporaryDir out;
        const Run r = cli({"dump", "--model", kModel, "--image", kData + "/images/rgba.png",
                           "--size", "40x24", "--out", out.path()});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto input = test::readNpyFloat((out.path() + "/input.npy").toStdString());
        QCOMPARE(input.shape, (std::vector<int64_t>{3, 40, 24}));
        auto attn = test::readNpyFloat((out.path() + "/attention.npy").toStdString());
        QCOMPARE(attn.shape.size(), size_t(4));
        QCOMPARE(attn.shape[2], int64_t(1 + (40 / 8) * (24 / 8)));
        // meta.json describes the recipe this run used, not the checkpoint's base recipe.
        const QJsonObject meta = test::readJson(out.path() + "/meta.json");
        QVERIFY2(meta["preprocessing"].toString().contains("40x24"),
                 qPrintable(meta["preprocessing"].toString()));
        QCOMPARE(meta["input_size"].toArray()[0].toInt(), 40);
    }

    // Options mean the same in every command: a value refused by one is refused by all, with
    // exit code 1, and a command that does not take an option says so.
    void optionsAreSharedAcrossCommands_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString image = kData + "/images/rgba.png";
#ifdef VITSCOPE_CLI_HAS_EXPORT
        const QStringList commands{"predict", "dump", "export"};
#else
        const QStringList commands{"predict", "dump"};  // a build without the GUI has no export
#endif
        for (const QString& command : commands) {
            QStringList base{
                command, "--model", kModel, "--image", image, "--out", QDir::tempPath() + "/x.npy"};
            if (command == "predict")
                base = QStringList{command, "--model", kModel, "--image", image};
            if (command == "export")
                base << "--figure"
                     << "attention";
            QTest::newRow(qPrintable(command + " pos-interp"))
                << (base + QStringList{"--pos-interp", "cubic"}) << "--pos-interp";
            QTest::newRow(qPrintable(command + " size 0x0"))
                << (base + QStringList{"--size", "0x0"}) << "--size";
            QTest::newRow(qPrintable(command + " negative size"))
                << (base + QStringList{"--size", "-16x16"}) << "--size";
            QTest::newRow(qPrintable(command + " threads"))
                << (base + QStringList{"--threads", "0"}) << "--threads";
            QTest::newRow(qPrintable(command + " heads"))
                << (base + QStringList{"--heads", "x"}) << "--heads";
        }
        QTest::newRow("info takes no --size")
            << QStringList{"info", "--model", kModel, "--size", "16x16"}
            << "does not apply to info";
    }
    void optionsAreSharedAcrossCommands() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = cli(args);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    // Weights without config.json: what was guessed is said, and the same settings the window
    // offers set it right.
    void guessedSettingsAreShownAndCanBeSet() {
        QTemporaryDir dir;
        const QString bundled = QStringLiteral(VITSCOPE_RESOURCES) + "/models/fashion-mnist-vit";
        QVERIFY(QFile::copy(bundled + "/model.safetensors", dir.path() + "/model.safetensors"));
        const QString image =
            QStringLiteral(VITSCOPE_RESOURCES) + "/samples/fashion-mnist/0-t-shirt-top.png";
        const Run info = cli({"info", "--model", dir.path(), "--json"});
        QVERIFY2(info.code == 0, qPrintable(info.err));
        const QJsonArray inferred =
            QJsonDocument::fromJson(info.out.toUtf8()).object()["inferred"].toArray();
        QStringList settings;
        for (const auto& g : inferred) settings << g.toObject()["setting"].toString();
        QVERIFY2(settings.contains("head count") && settings.contains("normalisation"),
                 qPrintable(settings.join(",")));
        const Run guessed = cli({"predict", "--model", dir.path(), "--image", image, "--json"});
        QCOMPARE(guessed.code, 0);
        QVERIFY2(guessed.err.contains("warning") && guessed.err.contains("head count 1"),
                 qPrintable(guessed.err));
        const Run set = cli({"predict", "--model", dir.path(), "--heads", "4", "--mean", "0.286",
                             "--std", "0.353", "--image", image, "--json"});
        QVERIFY2(set.code == 0, qPrintable(set.err));
        QVERIFY2(!set.err.contains("head count"), qPrintable(set.err));
        const Run reference = cli({"predict", "--model", bundled, "--image", image, "--json"});
        QCOMPARE(reference.code, 0);
        const QJsonObject a =
            QJsonDocument::fromJson(set.out.toUtf8()).object()["top"].toArray()[0].toObject();
        const QJsonObject b =
            QJsonDocument::fromJson(reference.out.toUtf8()).object()["top"].toArray()[0].toObject();
        QCOMPARE(a["class"].toInt(), b["class"].toInt());
        QCOMPARE(a["logit"].toDouble(), b["logit"].toDouble());
        const Run badStd = cli({"predict", "--model", dir.path(), "--std", "0", "--image", image});
        QCOMPARE(badStd.code, 1);
        const Run badMean =
            cli({"predict", "--model", dir.path(), "--mean", "1,2", "--image", image});
        QCOMPARE(badMean.code, 1);
        QVERIFY2(badMean.err.contains("--mean"), qPrintable(badMean.err));
    }

#ifdef VITSCOPE_CLI_HAS_EXPORT
    // Every display of the map on the opened image (a 451x300 photo through the bundled
    // model's 28x28 grey input) exports, and the figure takes the photo's aspect.
    void attentionOnTheOpenedImage() {
        QTemporaryDir out;
        const QString photo = QStringLiteral(VITSCOPE_RESOURCES "/samples/photos/chelsea.png");
        const QStringList base{"export", "--image", photo, "--figure", "attention"};
        const QString input = out.path() + "/input.png";
        const Run onInput = cli(base + QStringList{"--out", input});
        QVERIFY2(onInput.code == 0, qPrintable(onInput.err));
        const QSize inputSize = pngSize(input);
        QVERIFY(inputSize.width() < 1.2 * inputSize.height());  // the square model input
        for (const char* display : {"overlay", "mask", "alpha"}) {
            for (const char* upsample : {"nearest", "bicubic"}) {
                const QString file = out.path() + "/" + display + "-" + upsample + ".png";
                const Run r = cli(base + QStringList{"--on", "original", "--display", display,
                                                     "--upsample", upsample, "--out", file});
                QVERIFY2(r.code == 0, qPrintable(r.err));
                const QSize size = pngSize(file);
                QVERIFY2(size.width() > 1.25 * size.height(),
                         qPrintable(QStringLiteral("%1 %2: %3x%4")
                                        .arg(display, upsample)
                                        .arg(size.width())
                                        .arg(size.height())));
            }
        }
        const QString svg = out.path() + "/mask.svg";
        const Run mask = cli(base + QStringList{"--on", "original", "--display", "mask",
                                                "--mask-mass", "35", "--out", svg});
        QVERIFY2(mask.code == 0, qPrintable(mask.err));
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("hold"));  // the caption names the mask's share
    }

    // --source is 1-based and names the same token as the CSV header of the map export.
    void sourceIsOneBased() {
        QTemporaryDir out;
        const QString image = kData + "/images/rgba.png";
        const Run first =
            cli({"export", "--model", kModel, "--image", image, "--figure", "attention", "--layer",
                 "1", "--head", "1", "--source", "1,1", "--out", out.path() + "/a.npy"});
        QVERIFY2(first.code == 0, qPrintable(first.err));
        const Run same =
            cli({"export", "--model", kModel, "--image", image, "--figure", "attention", "--layer",
                 "1", "--head", "1", "--source", "r1c1", "--out", out.path() + "/b.npy"});
        QVERIFY2(same.code == 0, qPrintable(same.err));
        auto a = test::readNpyFloat((out.path() + "/a.npy").toStdString());
        auto b = test::readNpyFloat((out.path() + "/b.npy").toStdString());
        QVERIFY(a.ok && b.ok);
        QCOMPARE(a.values, b.values);
        // Row 0 of the first head of layer 1 in attention.npy is the class token; row 1 is the
        // first patch, r1c1.
        const Run dump = cli({"dump", "--model", kModel, "--image", image, "--out", out.path()});
        QVERIFY2(dump.code == 0, qPrintable(dump.err));
        auto attn = test::readNpyFloat((out.path() + "/attention.npy").toStdString());
        const int64_t n = attn.shape[3];
        for (size_t p = 0; p < a.values.size(); ++p) {
            QCOMPARE(a.values[p],
                     attn.values[static_cast<size_t>(n) + 1 + p]);  // skip the class column
        }
        const Run outside = cli({"export", "--model", kModel, "--image", image, "--figure",
                                 "attention", "--source", "0,1", "--out", out.path() + "/c.npy"});
        QCOMPARE(outside.code, 1);
        QVERIFY2(outside.err.contains("1-based"), qPrintable(outside.err));
    }
#endif

    void predictJsonIsSortedAndNormalised() {
        const Run r = cli({"predict", "--model", kModel, "--image", kData + "/images/rgba.png",
                           "--top", "3", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonArray top = QJsonDocument::fromJson(r.out.toUtf8()).object()["top"].toArray();
        QCOMPARE(top.size(), 3);
        QVERIFY(top[0].toObject()["probability"].toDouble() >=
                top[1].toObject()["probability"].toDouble());
        QVERIFY(top[1].toObject()["probability"].toDouble() >=
                top[2].toObject()["probability"].toDouble());
    }

    // Every option of the table, refused values and the documented exit code: 1 for a bad
    // option (the message names it), 2 for a bad input file, 3 for a bad model.
    void everyOptionIsCheckedWithItsExitCode_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString image = kData + "/images/rgba.png", bad = kData + "/bad/";
        const QStringList predict{"predict", "--model", kModel, "--image", image};
        const QStringList dump{"dump", "--model", kModel, "--out", QDir::tempPath() + "/h3-x"};
        const QStringList eval{"eval",
                               "--model",
                               kModel,
                               "--idx-images",
                               kData + "/io/images.idx",
                               "--idx-labels",
                               kData + "/io/labels.idx"};
        auto row = [](const QString& name) -> QTestData& {
            return QTest::newRow(qPrintable(name));
        };
        row("model missing") << QStringList{"info", "--model", kData + "/nope"} << 3 << "nope";
        row("heads 0") << (predict + QStringList{"--heads", "0"}) << 1 << "--heads";
        row("threads 999") << (predict + QStringList{"--threads", "999"}) << 1 << "--threads";
        row("mean nan") << (predict + QStringList{"--mean", "nan"}) << 1 << "--mean";
        row("mean two") << (predict + QStringList{"--mean", "1,2"}) << 1 << "--mean";
        row("std 0") << (predict + QStringList{"--std", "0,1,1"}) << 1 << "--std";
        row("std inf") << (predict + QStringList{"--std", "inf"}) << 1 << "--std";
        row("recipe") << (predict + QStringList{"--recipe", "x"}) << 1 << "--recipe";
        row("pos-interp") << (predict + QStringList{"--pos-interp", "x"}) << 1 << "--pos-interp";
        for (const char* size : {"0x0", "-28x28", "100000x100000", "16384x16384", "8x", "x"})
            row(QString("size ") + size)
                << (predict + QStringList{"--size", size}) << 1 << "--size";
        row("image missing") << QStringList{"predict", "--model", kModel, "--image",
                                            kData + "/nope.png"}
                             << 2 << "nope.png";
        row("top 0") << (predict + QStringList{"--top", "0"}) << 1 << "--top";
        row("json value") << (predict + QStringList{"--json=1"}) << 1 << "--json takes no value";
        row("input-npy int64") << (dump + QStringList{"--input-npy", bad + "input_int64.npy"}) << 2
                               << "input_int64.npy: dtype '<i8' is not a float type";
        row("input-npy rank 2") << (dump + QStringList{"--input-npy", bad + "input_rank2.npy"}) << 2
                                << "input_rank2.npy: shape (8, 8), expected a float array "
                                   "[channels, height, width]";
        row("input-npy nan") << (dump + QStringList{"--input-npy", bad + "input_nan.npy"}) << 2
                             << "input_nan.npy: 2 values are not finite";
        row("input-npy f64 overflow")
            << (dump + QStringList{"--input-npy", bad + "input_f64_overflow.npy"}) << 2
            << "input_f64_overflow.npy: 192 values are not finite";
        row("input-npy forward overflows")
            << (dump + QStringList{"--input-npy", bad + "input_overflowing.npy"}) << 2
            << "logits are not finite numbers";
        row("input-npy bad magic") << (dump + QStringList{"--input-npy", bad + "npy_bad_magic.npy"})
                                   << 2 << "npy_bad_magic.npy";
        row("idx-images missing") << QStringList{"eval",
                                                 "--model",
                                                 kModel,
                                                 "--idx-images",
                                                 kData + "/nope.idx",
                                                 "--idx-labels",
                                                 kData + "/io/labels.idx"}
                                  << 2 << "nope.idx";
        row("limit 0") << (eval + QStringList{"--limit", "0"}) << 1 << "--limit";
        const QStringList bench{"bench", "--model", kModel};
        row("bench runs 0") << (bench + QStringList{"--runs", "0"}) << 1 << "--runs";
        row("bench warmup -1") << (bench + QStringList{"--warmup", "-1"}) << 1 << "--warmup";
        row("bench random shape") << QStringList{"bench", "--random", "vit-h"} << 1
                                  << "--random must be vit-ti, vit-s or vit-b, got 'vit-h'";
        row("bench random and model") << (bench + QStringList{"--random", "vit-ti"}) << 1
                                      << "--random and --model exclude each other";
        row("bench model missing")
            << QStringList{"bench", "--model", kData + "/nope"} << 3 << "nope";
        row("bench size") << (bench + QStringList{"--size", "30x30"}) << 1 << "multiple";
#ifdef VITSCOPE_CLI_HAS_EXPORT
        exportOptionRows();
#endif
    }
    void everyOptionIsCheckedWithItsExitCode() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = cli(args);
        QVERIFY2(r.code == code, qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    // `bench` times the forward as the window runs it: every attention matrix kept, the line
    // scripts parse, and the JSON with each run's time.
    void benchReportsTheForward() {
        const Run text = cli({"bench", "--model", kModel, "--runs", "4", "--warmup", "1"});
        QVERIFY2(text.code == 0, qPrintable(text.err));
        static const QRegularExpression line(
            QStringLiteral("^forward median (\\d+\\.\\d\\d) ms \\(min (\\d+\\.\\d\\d), max "
                           "(\\d+\\.\\d\\d), 4 runs\\)$"),
            QRegularExpression::MultilineOption);
        const auto m = line.match(text.out);
        QVERIFY2(m.hasMatch(), qPrintable(text.out));
        QVERIFY(m.captured(2).toDouble() <= m.captured(1).toDouble());
        QVERIFY(m.captured(1).toDouble() <= m.captured(3).toDouble());
        QVERIFY2(text.out.contains("attention kept whole") && text.out.contains("peak resident"),
                 qPrintable(text.out));

        const Run json =
            cli({"bench", "--model", kModel, "--runs", "3", "--warmup", "0", "--json"});
        QVERIFY2(json.code == 0, qPrintable(json.err));
        const QJsonObject o = QJsonDocument::fromJson(json.out.toUtf8()).object();
        const QJsonObject f = o["forward_ms"].toObject();
        QCOMPARE(f["all"].toArray().size(), 3);
        QCOMPARE(f["runs"].toInt(), 3);
        for (const QJsonValue v : f["all"].toArray()) {
            QVERIFY(v.toDouble() > 0 && v.toDouble() >= f["min"].toDouble() &&
                    v.toDouble() <= f["max"].toDouble());
        }
        QVERIFY(f["min"].toDouble() <= f["median"].toDouble());
        // hf_vit_cls keeps layers x heads x tokens^2 floats.
        const QJsonObject attention = o["attention"].toObject();
        QCOMPARE(attention["storage"].toString(), QStringLiteral("full"));
        const QJsonArray input = o["input"].toArray();
        QCOMPARE(input.size(), 3);
        const double tokens = o["tokens"].toInt();
        QVERIFY(tokens > 1);
        QCOMPARE(attention["bytes"].toDouble(),
                 o["layers"].toInt() * o["heads"].toInt() * tokens * tokens * 4.0);
        QVERIFY(o["first_result_ms"].toDouble() >= o["load_ms"].toDouble());
        QVERIFY(o["peak_resident_bytes"].toDouble() > 1e6);
    }

    // Config values are blamed on config.json and its field; patch_size 0 without a position
    // table used to end in SIGFPE.
    void configErrorsNameConfigJson() {
        QTemporaryDir dir;
        const QString src = kData + "/bad/no_pos_embed";
        for (const char* name : {"model.safetensors", "config.json"})
            QVERIFY(QFile::copy(src + "/" + name, dir.filePath(name)));
        QFile f(dir.filePath("config.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray text = f.readAll().replace("\"patch_size\": 8", "\"patch_size\": 0");
        f.close();
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
        f.close();
        const Run r = cli({"info", "--model", dir.path()});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("config.json: patch_size 0 must be an integer from 1 to 1024"),
                 qPrintable(r.err));
        const Run nan = cli({"info", "--model", kData + "/bad/nonfinite_weight"});
        QCOMPARE(nan.code, 3);
        QVERIFY2(nan.err.contains("model.safetensors: tensor vit.encoder.layer.1.output.dense."
                                  "weight has 3 non-finite values (first at index 40)"),
                 qPrintable(nan.err));
    }

    // Above 1000 classes eval keeps accuracy only (a classes^2 matrix would be 40 GB at
    // 100,000 classes) and says so.
    void evalBoundsTheConfusionMatrix() {
        const QStringList args{"eval",
                               "--model",
                               kData + "/bad/many_classes",
                               "--idx-images",
                               kData + "/io/images.idx",
                               "--idx-labels",
                               kData + "/io/labels.idx"};
        const Run j = cli(args + QStringList{"--json"});
        QVERIFY2(j.code == 0, qPrintable(j.err));
        const QJsonObject o = QJsonDocument::fromJson(j.out.toUtf8()).object();
        QCOMPARE(o["classes"].toInt(), 1001);
        QCOMPARE(o["images"].toInt(), 3);
        QVERIFY(o["confusion"].isNull());
        QVERIFY2(o["confusion_note"].toString().contains("kept up to 1000"), qPrintable(j.out));
        const Run t = cli(args);
        QCOMPARE(t.code, 0);
        QVERIFY2(t.out.contains("no confusion matrix") && t.out.size() < 1000, qPrintable(t.out));
    }

    // File names are bytes. JSON keeps them losslessly (\udcXX for a byte that is not UTF-8,
    // Python's surrogateescape); stderr shows them as \xNN.
    void nonUtf8FileNames() {
        QTemporaryDir dir;
        const std::string base = dir.path().toStdString();
        const std::string name = base +
                                 "/a\xff"
                                 "b.png";
        std::filesystem::copy_file((kData + "/images/rgba.png").toStdString(), name);
        const Run r = shell(
            "\"$0\" predict --model \"$1\" --image \"$2/a$(printf '\\377')b.png\" "
            "--json",
            {kModel, dir.path()});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("/a\\udcffb.png\""), qPrintable(r.out));
        const Run missing =
            shell("\"$0\" predict --model \"$1\" --image \"$2/$(printf '\\377')-nope.png\"",
                  {kModel, dir.path()});
        QCOMPARE(missing.code, 2);
        QVERIFY2(missing.err.contains("\\xFF-nope.png"), qPrintable(missing.err));
        const Run dump = shell(
            "\"$0\" dump --model \"$1\" --image \"$2/a$(printf '\\377')b.png\" "
            "--out \"$2/out\"",
            {kModel, dir.path()});
        QVERIFY2(dump.code == 0, qPrintable(dump.err));
        QVERIFY(QFile::exists(dir.filePath("out/meta.json")));
#ifdef VITSCOPE_CLI_HAS_EXPORT
        // --out is written at exactly the bytes given.
        const Run exp = shell(
            "\"$0\" export --model \"$1\" --image \"$2/a$(printf '\\377')b.png\" "
            "--figure attention --out \"$2/c$(printf '\\376').png\"",
            {kModel, dir.path()});
        QVERIFY2(exp.code == 0, qPrintable(exp.err));
        QVERIFY(std::filesystem::is_regular_file(base + "/c\xfe.png"));
        const Run num = shell(
            "\"$0\" export --model \"$1\" --image \"$2/a$(printf '\\377')b.png\" "
            "--figure attention --out \"$2/d$(printf '\\375').npy\"",
            {kModel, dir.path()});
        QVERIFY2(num.code == 0, qPrintable(num.err));
        QVERIFY(std::filesystem::is_regular_file(base + "/d\xfd.npy"));
#endif
        // QTemporaryDir cannot remove names that are not UTF-8 (its QString round-trip changes
        // them): remove them by their bytes.
        std::filesystem::remove_all(base +
                                    "/a\xff"
                                    "b.png");
        std::filesystem::remove_all(base + "/c\xfe.png");
        std::filesystem::remove_all(base + "/d\xfd.npy");
    }

    // A failed dump leaves none of its output: the fifth file cannot replace a non-empty folder
    // of its name, so the four written before it go too, and the message says why (strerror).
    void failedDumpLeavesNothing() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("attention.npy/keep"));
        const Run r = cli({"dump", "--model", kModel, "--image", kData + "/images/rgba.png",
                           "--out", dir.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("attention.npy") && r.err.contains(std::strerror(EISDIR)),
                 qPrintable(r.err));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{"attention.npy"});
    }

#ifdef VITSCOPE_CLI_HAS_EXPORT
    // Figure and number exports are staged in the target folder and renamed into place: a
    // failure leaves nothing behind and says why (strerror), never "Unknown error".
    void failedExportLeavesNothing_data() {
        QTest::addColumn<QString>("out");
        QTest::newRow("png") << "x.png";
        QTest::newRow("svg") << "x.svg";
        QTest::newRow("pdf") << "x.pdf";
        QTest::newRow("npy") << "x.npy";
        QTest::newRow("csv") << "x.csv";
    }
    void failedExportLeavesNothing() {
        QFETCH(QString, out);
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(out + "/keep"));
        const Run r = cli({"export", "--model", kModel, "--image", kData + "/images/rgba.png",
                           "--figure", "attention", "--out", dir.filePath(out)});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(out) && r.err.contains(std::strerror(EISDIR)), qPrintable(r.err));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{out});
    }
#endif
    void hostileImagesExit2_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("message");
        QTest::newRow("jpeg 5000 segments") << "jpeg_many_segments.jpg"
                                            << "image claims 30000x30000 pixels";
        QTest::newRow("tiff duplicate tags") << "tiff_duplicate_tags.tif"
                                             << "image claims 30000x30000 pixels";
        QTest::newRow("bigtiff") << "bigtiff_huge.tif"
                                 << "image claims 30000x30000 pixels";
        QTest::newRow("pgm long comment") << "pgm_long_comment.pgm"
                                          << "PNM header is truncated or corrupt";
        QTest::newRow("hdr") << "radiance_huge.hdr"
                             << "Radiance HDR images are not supported";
        QTest::newRow("pfm") << "pfm_huge.pfm"
                             << "PFM images are not supported";
    }
    void hostileImagesExit2() {
        QFETCH(QString, file);
        QFETCH(QString, message);
        const Run r = cli({"predict", "--model", kModel, "--image", kData + "/bad/images/" + file});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(file + ": " + message), qPrintable(r.err));
    }

    void hostileRecipeExit3_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("crop_size past size")
            << R"({"size": {"height": 32, "width": 32}, "do_center_crop": true, "crop_size": 512})"
            << "preprocessor_config.json: crop_size 512x512 (width x height) is larger than the "
               "32x32 image that size resizes to";
        QTest::newRow("shortest_edge 65535")
            << R"({"size": {"shortest_edge": 65535}, "do_center_crop": true, "crop_size": 32})"
            << R"(preprocessor_config.json: size {"shortest_edge":65535} must be an integer)";
    }
    void hostileRecipeExit3() {
        // The test model with a hostile preprocessor_config.json next to it: refused at load
        // (exit 3, a model problem), before any image is read or resized.
        QFETCH(QString, json);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        for (const char* name : {"config.json", "model.safetensors"}) {
            QVERIFY(QFile::copy(kModel + "/" + name, dir.filePath(name)));
        }
        QFile config(dir.filePath("preprocessor_config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(json.toUtf8());
        config.close();
        for (const QStringList& args : {QStringList{"info", "--model", dir.path()},
                                        QStringList{"predict", "--model", dir.path(), "--image",
                                                    kData + "/images/rgba.png"}}) {
            const Run r = cli(args);
            QCOMPARE(r.code, 3);
            QVERIFY2(r.err.contains(message), qPrintable(r.err));
        }
    }

    // A run whose attention does not fit the memory budget keeps it Rebuilt (queries, keys and
    // log-sum-exp) and still answers, with the same numbers as a run that keeps it whole; the
    // user is told on stderr. hf_vit_cls at 320x320 has 1,601 tokens: 82 MB of attention.
    void overBudgetAttentionIsRebuilt() {
        const QStringList base{"predict", "--model", kModel,  "--image", kData + "/images/rgba.png",
                               "--size",  "320x320", "--json"};
        const Run whole = cli(base);
        QVERIFY2(whole.code == 0, qPrintable(whole.err));
        QVERIFY(!whole.err.contains("rebuilt"));
        const Run rebuilt = cli(base + QStringList{"--memory-budget", "64M"});
        QVERIFY2(rebuilt.code == 0, qPrintable(rebuilt.err));
        QVERIFY2(rebuilt.err.contains("1,601 tokens") &&
                     rebuilt.err.contains("rebuilt when shown") && rebuilt.err.contains("64.0 MB"),
                 qPrintable(rebuilt.err));
        const QJsonArray a = QJsonDocument::fromJson(whole.out.toUtf8()).object()["top"].toArray();
        const QJsonArray b =
            QJsonDocument::fromJson(rebuilt.out.toUtf8()).object()["top"].toArray();
        QCOMPARE(a.size(), b.size());
        for (int i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].toObject()["class"].toInt(), b[i].toObject()["class"].toInt());
            QVERIFY(std::abs(a[i].toObject()["probability"].toDouble() -
                             b[i].toObject()["probability"].toDouble()) < 1e-5);
        }
    }

    // dump cannot write attention.npy from Rebuilt storage without holding it whole: refused
    // before anything is written, naming the sizes; a run that fits no storage is refused with
    // exit 1 (the size came from --size) before the image is preprocessed.
    void overBudgetRefusals() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString out = dir.filePath("dump");
        const Run dump = cli({"dump", "--model", kModel, "--image", kData + "/images/rgba.png",
                              "--size", "320x320", "--memory-budget", "64M", "--out", out});
        QCOMPARE(dump.code, 1);
        QVERIFY2(
            dump.err.contains("attention.npy would hold") && dump.err.contains("--memory-budget"),
            qPrintable(dump.err));
        QVERIFY(!QFileInfo::exists(out) || QDir(out).isEmpty());
        const Run huge = cli({"predict", "--model", kModel, "--image", kData + "/images/rgba.png",
                              "--size", "4096x4096", "--memory-budget", "64M"});
        QCOMPARE(huge.code, 1);
        QVERIFY2(huge.err.contains("262,145 tokens") &&
                     huge.err.contains("even with attention rebuilt on demand, over the memory "
                                       "budget of 64.0 MB"),
                 qPrintable(huge.err));
        for (const char* bad : {"3x", "10M", "-1G", "nan", "2E"}) {
            const Run r = cli({"predict", "--model", kModel, "--image", kData + "/images/rgba.png",
                               "--memory-budget", bad});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains("--memory-budget must be a size"), qPrintable(r.err));
        }
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
