// vitscope: the desktop window. `vitscope [--model M] [IMAGE]`; without arguments it opens the
// bundled Fashion-MNIST model on a bundled sample.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTimer>
#include <cstdio>

#include "core/io/resource_locator.h"
#include "ui/main_window.h"

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
    parser.addOption(modelOption);
    parser.addOption(screenshotOption);
    parser.addPositionalArgument(QStringLiteral("IMAGE"),
                                 QStringLiteral("Image to open (default: a bundled sample)."));
    parser.process(app);

    // Without resources the window still opens, on --model and IMAGE if given.
    const auto located = vitscope::core::resourcesDir(argv[0]);
    if (!located) {
        std::fprintf(stderr, "vitscope: %s\n", located.error().message.c_str());
    }
    const QString resources = located ? QString::fromStdString(*located) : QString();
    QString model = parser.value(modelOption);
    if (!parser.isSet(modelOption)) {
        const auto bundled = vitscope::core::defaultModelPath(argv[0]);
        model = bundled ? QString::fromStdString(*bundled) : QString();
    }
    const QStringList images = parser.positionalArguments();
    QString image = images.isEmpty() ? QString() : images.first();
    if (images.isEmpty()) {
        const auto samples = vitscope::core::samplesDir(argv[0]);
        image = samples ? firstSample(QString::fromStdString(*samples)) : QString();
    }

    vitscope::ui::MainWindow window(resources);
    const QString screenshot = parser.value(screenshotOption);
    if (!screenshot.isEmpty()) {
        window.resize(1600, 1000);
        window.setErrorHandler([](const QString& title, const QString& message) {
            std::fprintf(stderr, "vitscope: %s: %s\n", qPrintable(title), qPrintable(message));
            QCoreApplication::exit(2);
        });
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
    if (!model.isEmpty()) {
        window.openModel(model);
    }
    if (!image.isEmpty()) {
        window.openImage(image);
    }
    return app.exec();
}
