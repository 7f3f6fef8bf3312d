// Tests for core/io/resource_locator: the installed layout comes first, the source tree is a
// fallback only for executables inside the build tree, and a missing resources folder is an
// error that names where it looked.

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "core/io/resource_locator.h"

namespace fs = std::filesystem;
using namespace vitscope::core;

namespace {

/// <root>/bin/vitscope-cli, an empty file standing in for an installed executable.
std::string fakeExecutable(const fs::path& root) {
    fs::create_directories(root / "bin");
    const fs::path exe = root / "bin" / "vitscope-cli";
    std::ofstream{exe};
    return exe.string();
}

fs::path canonical(const std::string& path) {
    std::error_code ec;
    return fs::weakly_canonical(path, ec);
}

/// A temporary folder outside the build tree (the system's temporary folder).
fs::path outsideBuildTree(const QTemporaryDir& dir) {
    const fs::path root = dir.path().toStdString();
    const fs::path rel = fs::relative(root, VITSCOPE_BUILD_DIR);
    if (!rel.empty() && *rel.begin() != "..") {
        qFatal("the temporary folder %s is inside the build tree", root.c_str());
    }
    return root;
}

}  // namespace

class TestResourceLocator : public QObject {
    Q_OBJECT

private slots:
    void executablePathIsThisProgram() {
        const fs::path exe = executablePath();
        QVERIFY(exe.is_absolute());
        QCOMPARE(QString::fromStdString(exe.filename().string()),
                 QStringLiteral("tst_resource_locator"));
        QVERIFY(fs::is_regular_file(exe));
        QCOMPARE(QString::fromStdString(executablePath("ignored/when/proc/works")),
                 QString::fromStdString(exe.string()));
    }

    void installedLayout() {
        QTemporaryDir tmp;
        const fs::path root = outsideBuildTree(tmp);
        fs::create_directories(root / "share/vitscope/resources/models");
        const auto dir = findResourcesDir(fakeExecutable(root));
        QVERIFY2(dir.ok(), dir.ok() ? "" : dir.error().message.c_str());
        QCOMPARE(canonical(*dir), canonical(root / "share/vitscope/resources"));
    }

    // Even inside the build tree, an install-relative resources folder wins over the source tree.
    void installedLayoutWinsInBuildTree() {
        QTemporaryDir tmp(QStringLiteral(VITSCOPE_BINARY_DIR "/locator-XXXXXX"));
        QVERIFY(tmp.isValid());
        const fs::path root = tmp.path().toStdString();
        fs::create_directories(root / "share/vitscope/resources/models");
        const auto dir = findResourcesDir(fakeExecutable(root));
        QVERIFY2(dir.ok(), dir.ok() ? "" : dir.error().message.c_str());
        QCOMPARE(canonical(*dir), canonical(root / "share/vitscope/resources"));
    }

    void sourceTreeFallbackInBuildTree() {
        QTemporaryDir tmp(QStringLiteral(VITSCOPE_BINARY_DIR "/locator-XXXXXX"));
        QVERIFY(tmp.isValid());
        const auto dir = findResourcesDir(fakeExecutable(tmp.path().toStdString()));
        QVERIFY2(dir.ok(), dir.ok() ? "" : dir.error().message.c_str());
        QCOMPARE(canonical(*dir), canonical(VITSCOPE_RESOURCES));
    }

    // Outside the build tree there is no fallback: an installed program never reads the source.
    void missingOutsideBuildTree_data() {
        QTest::addColumn<bool>("emptyResourcesFolder");
        QTest::newRow("no share/") << false;
        QTest::newRow("resources without models/") << true;
    }
    void missingOutsideBuildTree() {
        QFETCH(bool, emptyResourcesFolder);
        QTemporaryDir tmp;
        const fs::path root = outsideBuildTree(tmp);
        if (emptyResourcesFolder) {
            fs::create_directories(root / "share/vitscope/resources/samples");
        }
        const auto dir = findResourcesDir(fakeExecutable(root));
        QVERIFY(!dir.ok());
        QCOMPARE(dir.error().code, ErrorCode::Io);
        const QString message = QString::fromStdString(dir.error().message);
        QVERIFY2(message.contains(QString::fromStdString(
                     (root / "share/vitscope/resources").lexically_normal().string())),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("models/")), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("source tree")), qPrintable(message));
    }

    void unknownExecutable() {
        const auto dir = findResourcesDir({});
        QVERIFY(!dir.ok());
        QCOMPARE(dir.error().code, ErrorCode::Io);
    }

    // This test runs from the build tree, so the bundled files are the source tree's.
    void bundledFiles() {
        const auto resources = resourcesDir();
        QVERIFY2(resources.ok(), resources.ok() ? "" : resources.error().message.c_str());
        QCOMPARE(canonical(*resources), canonical(VITSCOPE_RESOURCES));
        const auto model = defaultModelPath();
        QVERIFY(model.ok());
        QVERIFY(fs::is_regular_file(fs::path(*model) / "config.json"));
        QVERIFY(fs::is_regular_file(fs::path(*model) / "model.safetensors"));
        const auto samples = samplesDir();
        QVERIFY(samples.ok());
        QVERIFY(fs::is_regular_file(fs::path(*samples) / "fashion-mnist/0-t-shirt-top.png"));
        const auto labels = labelsPath();
        QVERIFY(labels.ok());
        QVERIFY(fs::is_regular_file(*labels));
    }
};

QTEST_GUILESS_MAIN(TestResourceLocator)
#include "tst_resource_locator.moc"
