// Layers and heads as a sequence (ui/export/animation_export.h, gif_writer.h): the GIF decodes
// with giflib to one frame per layer (or head) of the figure's size, loops forever, carries the
// delay, and each frame matches the PNG frame of the same layer within the stated quantisation
// error (colours in the reserved palette exactly); the PNG frames are named and numbered; every
// frame's caption names its layer or head; errors, cancel and vitscope-cli's --animate.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

#include "gif_test_util.h"
#include "test_models.h"
#include "ui/export/animation_export.h"
#include "ui/export/figure_export.h"
#include "ui/export/gif_writer.h"

using namespace vitscope;
using vitscope::testing::loadTestModel;
using vitscope::testing::syntheticImage;

namespace {

constexpr int kTimeoutMs = 120'000;
const QString kBundledModel = QStringLiteral(VITSCOPE_RESOURCES "/models/fashion-mnist-vit");
const QString kSample =
    QStringLiteral(VITSCOPE_RESOURCES "/samples/fashion-mnist/0-t-shirt-top.png");

/// The quantisation error this test holds the GIF to (gif_writer.h): mean absolute error per
/// channel and the share of pixels more than kFarLevels off in some channel. Measured on this
/// RGB image: 2.1 levels and 0.08 %; on the bundled model's grey sample 0.6 levels.
constexpr double kMaxMeanError = 3.0;
constexpr int kFarLevels = 24;
constexpr double kMaxFarShare = 0.002;

struct CliResult {
    int code;
    QString err;
};

CliResult runCli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(VITSCOPE_CLI), args);
    p.waitForFinished(kTimeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
            QString::fromUtf8(p.readAllStandardError())};
}

QStringList exportArgs(const QStringList& more) {
    return QStringList{QStringLiteral("export"), QStringLiteral("--model"), kBundledModel,
                       QStringLiteral("--image"), kSample} +
           more;
}

/// An RGB image through the small HF test model (2 layers, 4 heads, 4x4 grid).
ui::FigureContext makeContext() {
    ui::FigureContext context;
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    if (!model) {
        return context;
    }
    context.model = model.value();
    auto run = core::runImage(context.model,
                              std::make_shared<const core::Image8>(syntheticImage(40, 36, 3)));
    if (run) {
        context.run = std::make_shared<const core::Run>(std::move(run.value()));
    }
    context.modelName = QStringLiteral("hf_vit_cls");
    return context;
}

struct FrameError {
    double mean = 0;      // per channel
    double farShare = 0;  // pixels off by more than kFarLevels
    int reservedMismatch = 0;
    int reservedPixels = 0;
};

FrameError compareFrames(const QImage& gif, const QImage& png, const std::vector<QRgb>& reserved) {
    const std::set<QRgb> exact(reserved.begin(), reserved.end());
    FrameError e;
    double sum = 0;
    long long far = 0;
    for (int y = 0; y < png.height(); ++y) {
        for (int x = 0; x < png.width(); ++x) {
            const QRgb a = png.pixel(x, y) | 0xff000000u;
            const QRgb b = gif.pixel(x, y) | 0xff000000u;
            const int dr = std::abs(qRed(a) - qRed(b));
            const int dg = std::abs(qGreen(a) - qGreen(b));
            const int db = std::abs(qBlue(a) - qBlue(b));
            sum += dr + dg + db;
            far += std::max({dr, dg, db}) > kFarLevels;
            if (exact.count(a) > 0) {
                ++e.reservedPixels;
                e.reservedMismatch += a != b;
            }
        }
    }
    const double pixels = static_cast<double>(png.width()) * png.height();
    e.mean = sum / (3.0 * pixels);
    e.farShare = static_cast<double>(far) / pixels;
    return e;
}

}  // namespace

class TestAnimation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void gifFramesMatchPngFrames();
    void headsAnimation();
    void captionsNameTheLayer();
    void frameFileNames();
    void quantiserKeepsReservedColours();
    void refusesWhatHasNoLayers();
    void unwritablePathAndCancel();
    void cliWritesGifAndFrames();
    void cliUsageErrors();

private:
    ui::FigureContext mContext;
};

void TestAnimation::initTestCase() {
    mContext = makeContext();
    QVERIFY(mContext.model);
    QVERIFY(mContext.run);
    QCOMPARE(mContext.result()->attention.layers(), 2);
}

void TestAnimation::gifFramesMatchPngFrames() {
    QTemporaryDir dir;
    ui::FigureOptions options;
    options.colormap = core::Colormap::Inferno;
    auto animation =
        ui::tableAnimation(QStringLiteral("attention"), mContext, options, ui::AnimateOver::Layers);
    QVERIFY2(animation, animation ? "" : animation.error().message.c_str());
    QCOMPARE(animation->frames, 2);
    ui::AnimationOutput output;
    output.frameMs = 370;
    int reported = 0;
    output.progress = [&reported](int done, int total) {
        QCOMPARE(total, 2);
        reported = done;
    };
    const QString gifPath = dir.filePath(QStringLiteral("layers.gif"));
    const core::Status st = ui::writeAnimationGif(*animation, gifPath.toStdString(), output);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    QCOMPARE(reported, 2);
    auto frames =
        ui::writeAnimationFrames(*animation, {dir.path(), QStringLiteral("layers")}, output);
    QVERIFY2(frames, frames ? "" : frames.error().message.c_str());
    QCOMPARE(*frames, QStringList({dir.filePath(QStringLiteral("layers-01.png")),
                                   dir.filePath(QStringLiteral("layers-02.png"))}));

    const test::DecodedGif gif = test::decodeGif(gifPath);
    QVERIFY2(gif.error.isEmpty(), qPrintable(gif.error));
    QCOMPARE(gif.version, QByteArray("GIF89a"));
    QVERIFY(gif.loopsForever);
    QCOMPARE(static_cast<int>(gif.frames.size()), 2);
    const std::vector<QRgb> reserved = ui::reservedColours(core::Colormap::Inferno);
    for (int i = 0; i < 2; ++i) {
        const QImage png(frames->at(i));
        QVERIFY(!png.isNull());
        QCOMPARE(gif.width, png.width());
        QCOMPARE(gif.height, png.height());
        QCOMPARE(gif.frameWidths[static_cast<size_t>(i)], png.width());
        QCOMPARE(gif.frameHeights[static_cast<size_t>(i)], png.height());
        QCOMPARE(gif.delaysCs[static_cast<size_t>(i)], 37);
        const FrameError e = compareFrames(gif.frames[static_cast<size_t>(i)], png, reserved);
        qInfo(
            "frame %d: mean error %.3f per channel, %.4f%% of pixels off by more than %d, "
            "%d reserved-colour pixels",
            i + 1, e.mean, 100 * e.farShare, kFarLevels, e.reservedPixels);
        QVERIFY2(e.mean <= kMaxMeanError, qPrintable(QString::number(e.mean)));
        QVERIFY2(e.farShare <= kMaxFarShare, qPrintable(QString::number(e.farShare)));
        QVERIFY(e.reservedPixels > png.width() * png.height() / 10);  // background, text (22 %)
        QCOMPARE(e.reservedMismatch, 0);
    }
    // The layers differ, so the frames do.
    QVERIFY(QImage(frames->at(0)) != QImage(frames->at(1)));
}

void TestAnimation::headsAnimation() {
    QTemporaryDir dir;
    ui::FigureOptions options;
    options.layer = 0;
    auto animation =
        ui::tableAnimation(QStringLiteral("attention"), mContext, options, ui::AnimateOver::Heads);
    QVERIFY(animation);
    QCOMPARE(animation->frames, 4);
    ui::AnimationOutput output;
    output.scale = 1.0;
    const QString path = dir.filePath(QStringLiteral("heads.gif"));
    QVERIFY(ui::writeAnimationGif(*animation, path.toStdString(), output));
    const test::DecodedGif gif = test::decodeGif(path);
    QVERIFY2(gif.error.isEmpty(), qPrintable(gif.error));
    QCOMPARE(static_cast<int>(gif.frames.size()), 4);
    QVERIFY(gif.delaysCs == std::vector<int>(4, 50));
    auto first = animation->frame(0);
    QVERIFY(first);
    const QSize size = ui::exportPixelSize(*first.value(), 1.0);
    QCOMPARE(QSize(gif.width, gif.height), size);
}

void TestAnimation::captionsNameTheLayer() {
    auto layers =
        ui::tableAnimation(QStringLiteral("attention"), mContext, {}, ui::AnimateOver::Layers);
    QVERIFY(layers);
    for (int i = 0; i < layers->frames; ++i) {
        auto f = layers->frame(i);
        QVERIFY(f);
        QVERIFY2(f.value()->caption().contains(QStringLiteral("Layer %1/2").arg(i + 1)),
                 qPrintable(f.value()->caption()));
    }
    auto rollout =
        ui::tableAnimation(QStringLiteral("rollout"), mContext, {}, ui::AnimateOver::Layers);
    QVERIFY(rollout);
    auto last = rollout->frame(1);
    QVERIFY(last);
    QVERIFY2(last.value()->caption().contains(QStringLiteral("layers 1-2/2")),
             qPrintable(last.value()->caption()));
    // The window's frames: the view's figure as style, the map of each head of the query.
    ui::AttentionFigure style;
    style.setColormap(core::Colormap::Jet);
    ui::AttentionQuery query;
    query.layer = 1;
    auto heads = ui::viewAnimation(style, mContext.run->result, query, ui::AnimateOver::Heads);
    QVERIFY(heads);
    QCOMPARE(heads->frames, 4);
    QVERIFY(heads->colormap == core::Colormap::Jet);
    auto third = heads->frame(2);
    QVERIFY(third);
    QVERIFY2(third.value()->caption().contains(QStringLiteral("Layer 2/2 · head 3/4")),
             qPrintable(third.value()->caption()));
    const auto& figure = static_cast<const ui::AttentionFigure&>(*third.value());
    ui::AttentionQuery q3 = query;
    q3.head = 2;
    QVERIFY(figure.map() == ui::attentionMap(*mContext.result(), q3));
}

void TestAnimation::frameFileNames() {
    QCOMPARE(ui::frameFileName(QStringLiteral("a"), 0, 6), QStringLiteral("a-01.png"));
    QCOMPARE(ui::frameFileName(QStringLiteral("a"), 11, 12), QStringLiteral("a-12.png"));
    QCOMPARE(ui::frameFileName(QStringLiteral("a"), 0, 100), QStringLiteral("a-001.png"));
    QCOMPARE(ui::frameFileName(QStringLiteral("a"), 99, 100), QStringLiteral("a-100.png"));
    QTemporaryDir dir;
    const ui::FramesTarget folder = ui::framesTarget(dir.path() + QLatin1Char('/'), "anim");
    QCOMPARE(folder.base, QStringLiteral("anim"));
    const ui::FramesTarget named = ui::framesTarget(dir.filePath("x/seq.png"), "anim");
    QCOMPARE(named.folder, dir.filePath("x"));
    QCOMPARE(named.base, QStringLiteral("seq"));
    QVERIFY(ui::isFramesTarget(dir.path()));
    QVERIFY(!ui::isFramesTarget(dir.filePath("a.gif")));
}

void TestAnimation::quantiserKeepsReservedColours() {
    // A gradient of 1000 colours (more than a palette holds) next to reserved colours.
    QImage image(500, 40, QImage::Format_RGB32);
    for (int y = 0; y < 40; ++y) {
        for (int x = 0; x < 500; ++x) {
            image.setPixel(x, y,
                           y < 20 ? qRgb(x / 2, 255 - x / 2, (x * y) % 256)
                                  : (x < 250 ? qRgb(255, 255, 255) : qRgb(0, 0, 0)));
        }
    }
    const std::vector<QRgb> reserved = ui::reservedColours(core::Colormap::Viridis);
    QVERIFY(reserved.size() >= 65 && reserved.size() <= 82);
    const ui::IndexedFrame frame = ui::quantizeFrame(image, reserved);
    QCOMPARE(static_cast<int>(frame.palette.size()), 256);
    QCOMPARE(frame.pixels.size(), size_t(500 * 40));
    for (size_t i = 0; i < reserved.size(); ++i) {
        QCOMPARE(frame.palette[i], reserved[i]);
    }
    QCOMPARE(frame.palette[frame.pixels[25 * 500 + 10]], qRgb(255, 255, 255));
    QCOMPARE(frame.palette[frame.pixels[25 * 500 + 400]], qRgb(0, 0, 0));
}

void TestAnimation::refusesWhatHasNoLayers() {
    for (const char* figure : {"heads", "posembed-similarity", "experiments"}) {
        auto a =
            ui::tableAnimation(QString::fromLatin1(figure), mContext, {}, ui::AnimateOver::Layers);
        QVERIFY(!a);
        QVERIFY(a.error().code == core::ErrorCode::Usage);
        QVERIFY(a.error().message.find("no layers to animate") != std::string::npos);
    }
    auto rolloutHeads =
        ui::tableAnimation(QStringLiteral("rollout"), mContext, {}, ui::AnimateOver::Heads);
    QVERIFY(!rolloutHeads);
    ui::FigureOptions oneLayer;
    oneLayer.layer = 1;
    QVERIFY(!ui::tableAnimation(QStringLiteral("attention"), mContext, oneLayer,
                                ui::AnimateOver::Layers));
    ui::FigureContext noRun = mContext;
    noRun.run = nullptr;
    auto none = ui::tableAnimation(QStringLiteral("attention"), noRun, {}, ui::AnimateOver::Layers);
    QVERIFY(!none);
    QVERIFY(none.error().code == core::ErrorCode::BadImage);
    QVERIFY(!ui::parseAnimateOver(QStringLiteral("tokens")));
}

void TestAnimation::unwritablePathAndCancel() {
    auto animation =
        ui::tableAnimation(QStringLiteral("attention"), mContext, {}, ui::AnimateOver::Layers);
    QVERIFY(animation);
    QTemporaryDir dir;
    const std::string missing = dir.filePath(QStringLiteral("no/such/folder/a.gif")).toStdString();
    core::Status st = ui::writeAnimationGif(*animation, missing, {});
    QVERIFY(!st);
    QVERIFY(st.error().code == core::ErrorCode::Io);
    QVERIFY2(st.error().message.find(missing) != std::string::npos, st.error().message.c_str());

    std::atomic<bool> cancel{true};
    ui::AnimationOutput output;
    output.cancel = &cancel;
    const QString path = dir.filePath(QStringLiteral("cancelled.gif"));
    st = ui::writeAnimationGif(*animation, path.toStdString(), output);
    QVERIFY(!st);
    QVERIFY(st.error().code == core::ErrorCode::Cancelled);
    QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
    auto frames = ui::writeAnimationFrames(*animation, {dir.path(), "f"}, output);
    QVERIFY(!frames);
    QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
}

void TestAnimation::cliWritesGifAndFrames() {
    QTemporaryDir dir;
    const QString gifPath = dir.filePath(QStringLiteral("layers.gif"));
    CliResult r = runCli(exportArgs({"--figure", "attention", "--animate", "layers", "--scale", "1",
                                     "--frame-ms", "250", "--out", gifPath}));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const test::DecodedGif gif = test::decodeGif(gifPath);
    QVERIFY2(gif.error.isEmpty(), qPrintable(gif.error));
    QCOMPARE(static_cast<int>(gif.frames.size()), 6);  // the bundled model's layers
    QVERIFY(gif.delaysCs == std::vector<int>(6, 25));
    QVERIFY(gif.loopsForever);

    const QString folder = dir.filePath(QStringLiteral("frames")) + QLatin1Char('/');
    r = runCli(exportArgs({"--figure", "attention", "--animate", "heads", "--layer", "2", "--scale",
                           "1", "--out", folder}));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(QDir(folder).entryList(QDir::Files, QDir::Name),
             QStringList({"attention-heads-01.png", "attention-heads-02.png",
                          "attention-heads-03.png", "attention-heads-04.png"}));
    // A frame is the single export of the same layer and head, pixel for pixel.
    const QString single = dir.filePath(QStringLiteral("single.png"));
    r = runCli(exportArgs(
        {"--figure", "attention", "--layer", "2", "--head", "3", "--scale", "1", "--out", single}));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(QImage(folder + "attention-heads-03.png"), QImage(single));

    r = runCli(exportArgs({"--figure", "rollout", "--animate", "layers", "--scale", "1", "--out",
                           dir.filePath(QStringLiteral("roll.png"))}));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("roll-06.png"))));
}

void TestAnimation::cliUsageErrors() {
    QTemporaryDir dir;
    const QString gif = dir.filePath(QStringLiteral("x.gif"));
    struct Case {
        QStringList args;
        QString says;
    };
    const QList<Case> cases = {
        {{"--figure", "attention", "--animate", "tokens", "--out", gif}, "layers or heads"},
        {{"--figure", "heads", "--animate", "layers", "--out", gif}, "no layers to animate"},
        {{"--figure", "rollout", "--animate", "heads", "--out", gif}, "no heads to animate"},
        {{"--figure", "attention", "--animate", "layers", "--layer", "2", "--out", gif},
         "--layer picks one layer"},
        {{"--figure", "attention", "--animate", "heads", "--head", "2", "--out", gif},
         "--head picks one head"},
        {{"--figure", "attention", "--animate", "layers", "--out", dir.filePath("x.svg")},
         "written as a .gif"},
        {{"--figure", "attention", "--animate", "layers", "--frame-ms", "5", "--out", gif},
         "--frame-ms"},
        {{"--figure", "attention", "--frame-ms", "100", "--out", dir.filePath("x.png")},
         "--frame-ms"},
    };
    for (const Case& c : cases) {
        const CliResult r = runCli(exportArgs(c.args));
        QVERIFY2(r.code == 1, qPrintable(c.args.join(' ') + " -> " + r.err));
        QVERIFY2(r.err.contains(c.says), qPrintable(r.err));
    }
    QVERIFY(!QFileInfo::exists(gif));
    // An output that cannot be written: exit 1, naming the file.
    const QString unwritable = dir.filePath(QStringLiteral("missing/folder/x.gif"));
    const CliResult r =
        runCli(exportArgs({"--figure", "attention", "--animate", "layers", "--out", unwritable}));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(unwritable), qPrintable(r.err));
}

QTEST_MAIN(TestAnimation)
#include "tst_animation.moc"
