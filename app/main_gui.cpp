// vitscope: the desktop window. `vitscope [--model M] [IMAGE]`; without arguments it reopens the
// last session's model and image, or the bundled Fashion-MNIST model on a bundled sample.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "core/io/resource_locator.h"
#include "ui/main_window.h"
#include "ui/screenshot_tour.h"

namespace {

/// The first bundled Fashion-MNIST sample, or empty.
QString firstSample(const QString& samples) {
    const QDir dir(samples + QStringLiteral("/fashion-mnist"));
    const QStringList files = dir.entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    return files.isEmpty() ? QString() : dir.filePath(files.first());
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("vitscope"));
    QApplication::setApplicationName(QStringLiteral("vitscope"));
    QApplication::setApplicationVersion(QStringLiteral(VITSCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Look inside Vision Transformers: predictions and attention per layer "
                       "and head."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption modelOption(
        {QStringLiteral("m"), QStringLiteral("model")},
        QStringLiteral("Model: .safetensors, .npz or a Hugging Face/timm folder (default: the "
                       "bundled Fashion-MNIST ViT)."),
        QStringLiteral("M"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window once the first result is shown, then quit."),
        QStringLiteral("FILE"));
    const QCommandLineOption screenshotsOption(
        QStringLiteral("screenshots"),
        QStringLiteral("Save a PNG of every view (window-attention.png, window-experiments.png "
                       "and the others) into FOLDER once the first result is shown, then quit."),
        QStringLiteral("FOLDER"));
    parser.addOption(modelOption);
    parser.addOption(screenshotOption);
    parser.addOption(screenshotsOption);
    parser.addPositionalArgument(QStringLiteral("IMAGE"),
                                 QStringLiteral("Image to open (default: a bundled sample)."));
    parser.process(app);

    // Without resources the window still opens, on --model and IMAGE if given.
    const auto located = vitscope::core::resourcesDir(argv[0]);
    if (!located) {
        std::fprintf(stderr, "vitscope: %s\n", located.error().message.c_str());
    }
    const QString resources = located ? QString::fromStdString(*located) : QString();
    const auto bundled = vitscope::core::defaultModelPath(argv[0]);
    const auto samples = vitscope::core::samplesDir(argv[0]);
    const vitscope::ui::SessionFiles fallback{
        bundled ? QString::fromStdString(*bundled) : QString(),
        samples ? firstSample(QString::fromStdString(*samples)) : QString()};
    const QString model = parser.isSet(modelOption) ? parser.value(modelOption) : fallback.model;
    const QStringList images = parser.positionalArguments();
    const QString image = images.isEmpty() ? fallback.image : images.first();

    vitscope::ui::MainWindow window(resources);
    const QString screenshot = parser.value(screenshotOption);
    const QString screenshots = parser.value(screenshotsOption);
    // The screenshot runs end with exit code 2 and the message on any error.
    const auto exitOnError = [](const QString& title, const QString& message) {
        std::fprintf(stderr, "vitscope: %s: %s\n", qPrintable(title), qPrintable(message));
        QCoreApplication::exit(2);
    };
    // Without arguments the window reopens the last session's model and image.
    const bool restore = !parser.isSet(modelOption) && images.isEmpty() && screenshot.isEmpty() &&
                         screenshots.isEmpty();
    if (!screenshots.isEmpty()) {
        window.setErrorHandler(exitOnError);
        auto* tour = new vitscope::ui::ScreenshotTour(
            &window, screenshots, [](bool ok) { QCoreApplication::exit(ok ? 0 : 1); });
        auto started = std::make_shared<bool>(false);  // the first result starts the tour
        QObject::connect(window.controller(), &vitscope::ui::InferenceController::snapshotChanged,
                         tour, [tour, started](const vitscope::ui::SnapshotPtr& s) {
                             if (s->result() && !*started) {
                                 *started = true;
                                 QTimer::singleShot(500, tour,
                                                    &vitscope::ui::ScreenshotTour::start);
                             }
                         });
        QTimer::singleShot(600'000, &app, [] { QCoreApplication::exit(3); });
    }
    if (!screenshot.isEmpty()) {
        window.resize(1600, 1000);
        window.setErrorHandler(exitOnError);
        QObject::connect(window.controller(), &vitscope::ui::InferenceController::snapshotChanged,
                         &window, [&window, screenshot](const vitscope::ui::SnapshotPtr& s) {
                             if (!s->result()) {
                                 return;  // the model alone; the image follows
                             }
                             QTimer::singleShot(500, &window, [&window, screenshot] {
                                 const bool ok = window.grab().save(screenshot);
                                 std::fprintf(stderr, "vitscope: %s %s\n",
                                              ok ? "saved" : "could not save",
                                              qPrintable(screenshot));
                                 QCoreApplication::exit(ok ? 0 : 1);
                             });
                         });
        QTimer::singleShot(300'000, &app, [] { QCoreApplication::exit(3); });
    }
    window.show();
    if (restore) {
        window.restoreSession(fallback);
        return app.exec();
    }
    if (!model.isEmpty()) {
        window.openModel(model);
    }
    if (!image.isEmpty()) {
        window.openImage(image);
    }
    return app.exec();
}
