// vitscope: the desktop window. `vitscope [--model M] [IMAGE]`; without arguments it opens the
// bundled Fashion-MNIST model on a bundled sample.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <cstdio>

#include "ui/main_window.h"

namespace {

/// The resources folder: the source tree's when run from a build tree, else the installed one.
QString findResources() {
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList candidates{QStringLiteral(VITSCOPE_RESOURCES),
                                 appDir + QStringLiteral("/../share/vitscope/resources"),
                                 appDir + QStringLiteral("/resources")};
    for (const QString& dir : candidates) {
        if (QFileInfo::exists(dir + QStringLiteral("/models"))) {
            return QDir(dir).absolutePath();
        }
    }
    return candidates.front();
}

QString firstSample(const QString& resources) {
    const QDir dir(resources + QStringLiteral("/samples/fashion-mnist"));
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

    const QString resources = findResources();
    const QString model = parser.isSet(modelOption)
                              ? parser.value(modelOption)
                              : resources + QStringLiteral("/models/fashion-mnist-vit");
    const QStringList images = parser.positionalArguments();
    const QString image = images.isEmpty() ? firstSample(resources) : images.first();

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
    window.openModel(model);
    if (!image.isEmpty()) {
        window.openImage(image);
    }
    return app.exec();
}
